"""Batches of named fields: dtypes kept, dict and tuple items, and unpaired data as independent streams."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
import torch

from genzoo.data.base import TensorDataset
from genzoo.data.fields import FieldsDataset, UnpairedDataset
from genzoo.dataspec import DataSpec
from genzoo.training import Batch
from genzoo.training.data import BatchStream, UnpairedStream, collate, make_stream

LEVELS = DataSpec(shape=(1, 2, 2), kind="discrete", dtype="int64", value_range=(0, 3), levels=4)
IMAGE = DataSpec(shape=(1, 2, 2))
POINT = DataSpec(shape=(1,), value_range=None)


def test_a_batch_reads_fields_by_key_and_attribute():
    batch = Batch({"x": torch.zeros(2, 3), "target": torch.ones(2, 3)}, step=4)
    assert batch["target"] is batch.target and batch.label is None and batch.step == 4
    assert list(batch) == ["x", "target"] and set(batch.fields) == {"x", "target"}
    moved = batch.replace(step=5, label=torch.tensor([0, 1]), target=None)
    assert set(moved) == {"x", "label"} and moved.step == 5 and set(batch) == {"x", "target"}
    assert Batch(torch.zeros(2), torch.tensor([1, 0])).label.tolist() == [1, 0]  # the (x, label) form
    with pytest.raises(AttributeError, match=r"no field 'y'; its fields are \['target', 'x'\]"):
        batch.y
    with pytest.raises(AttributeError, match="immutable"):
        batch.x = torch.ones(2, 3)
    copied = pickle.loads(pickle.dumps(batch))
    assert copied.step == 4 and torch.equal(copied.target, batch.target)


def test_collate_stacks_tuples_and_dicts_and_drops_absent_fields():
    pairs = collate([(torch.zeros(2), 1), (torch.ones(2), 0)])
    assert set(pairs) == {"x", "label"} and pairs["label"].dtype == torch.int64
    assert set(collate([(torch.zeros(2), None), (torch.ones(2), None)])) == {"x"}
    fields = collate([{"x": torch.tensor([1, 2]), "target": torch.zeros(3)}] * 4)
    assert fields["x"].shape == (4, 2) and fields["x"].dtype == torch.int64 and fields["target"].shape == (4, 3)
    arrays = collate([{"x": np.arange(3, dtype=np.int64), "weight": 0.5}] * 2)
    assert arrays["x"].tolist() == [[0, 1, 2]] * 2 and arrays["weight"].dtype == torch.float32


def test_integer_fields_stay_integer_and_integer_values_of_float_fields_become_float():
    levels = torch.randint(4, (6, 1, 2, 2))
    dataset = FieldsDataset({"x": levels, "target": levels.float() / 3, "label": torch.arange(6) % 2},
                            {"x": LEVELS, "target": IMAGE, "label": DataSpec.for_labels(2)}, name="t", split="train")
    batch = next(iter(BatchStream(dataset, batch_size=3, seed=0)))
    assert (batch.x.dtype, batch.target.dtype, batch.label.dtype) == (torch.int64, torch.float32, torch.int64)
    everything = BatchStream(dataset, batch_size=3, seed=0).everything()
    assert torch.equal(everything.x, levels) and everything.x.dtype == torch.int64

    class ByteImages(torch.utils.data.Dataset):  # a plain dataset: its data_spec says float32
        data_spec = IMAGE

        def __len__(self):
            return 4

        def __getitem__(self, index):
            return torch.full((1, 2, 2), index, dtype=torch.uint8), None

    batch = next(iter(BatchStream(ByteImages(), batch_size=4, seed=0)))
    assert batch.x.dtype == torch.float32 and set(batch) == {"x"}


def _numbers(start, n, classes=None):
    x = torch.arange(start, start + n, dtype=torch.float32)[:, None]
    labels = None if classes is None else torch.arange(n) % classes
    spec = DataSpec(shape=(1,), value_range=None, num_classes=classes)
    return TensorDataset(x, labels, spec, name=f"n{start}", split="train")


def _unpaired():
    return UnpairedDataset({"a": _numbers(0, 10, classes=2), "b": _numbers(100, 6)}, name="ab", split="train")


def _take(stream, n):
    batches = iter(stream)
    return [next(batches) for _ in range(n)]


def _first_epoch(dataset, seed):
    stream = BatchStream(dataset, batch_size=4, seed=seed)
    return torch.cat([batch.x for batch in _take(stream, stream.batches_per_epoch())]).flatten().long().tolist()


def test_unpaired_streams_are_shuffled_independently_each_at_its_own_pace():
    stream = make_stream(_unpaired(), batch_size=4, seed=3)
    assert isinstance(stream, UnpairedStream)
    batches = _take(stream, 3)
    assert set(batches[0]) == {"a", "a_label", "b"}
    a = torch.cat([b.a for b in batches]).flatten().long().tolist()[:10]
    b = torch.cat([b.b for b in batches]).flatten().long().tolist()[:6]
    assert sorted(a) == list(range(10)) and sorted(b) == list(range(100, 106))  # each stream covers its data
    assert _first_epoch(_numbers(100, 6), seed=3) != b  # stream b does not reuse stream a's seed ...
    assert _first_epoch(_numbers(100, 6), seed=3 + UnpairedStream.SEED_STRIDE) == b  # ... it has its own
    assert torch.equal(batches[0].a_label, batches[0].a.flatten().long() % 2)  # labels travel with their stream
    assert stream.state() == {"a": {"epoch": 0, "position": 3}, "b": {"epoch": 1, "position": 1}}
    assert stream.epoch == 0


def test_unpaired_streams_resume_where_each_stopped():
    reference = _take(make_stream(_unpaired(), batch_size=4, seed=3), 7)
    stream = make_stream(_unpaired(), batch_size=4, seed=3)
    _take(stream, 4)
    restored = make_stream(_unpaired(), batch_size=4, seed=3)
    restored.restore(stream.state())
    for expected, actual in zip(reference[4:], _take(restored, 3)):
        assert all(torch.equal(expected[k], actual[k]) for k in ("a", "a_label", "b"))


def test_a_run_on_unpaired_data_resumes_each_stream_in_place(tmp_path, training_toys, tiny):
    from safetensors.torch import load_file

    from genzoo.training import TrainingInterrupted, train

    settings = tiny(sample_every=None)
    options = dict(data="blob-pair", trainer="unpaired", train=settings, progress=False)
    train("diag-gaussian", out=tmp_path / "straight", **options)
    training_toys.TRIGGERS.update(calls=0, signal_at=5)
    with pytest.raises(TrainingInterrupted):
        train("diag-gaussian", out=tmp_path / "resumed", **options)
    state = json.loads((tmp_path / "resumed" / "train" / "state" / "state.json").read_text())
    # 5 batches of 16: stream a has 3 per epoch (40 points), stream b 2 (24 points)
    assert state["data"] == {"a": {"epoch": 1, "position": 2}, "b": {"epoch": 2, "position": 1}}
    training_toys.TRIGGERS.clear()
    train("diag-gaussian", out=tmp_path / "resumed", resume=True, **options)
    straight, resumed = (load_file(tmp_path / run / "train" / "state" / "model.safetensors") for run in ("straight", "resumed"))
    assert all(torch.equal(straight[k], resumed[k]) for k in straight)


def test_a_fit_sees_unpaired_epochs_side_by_side_and_every_stream_whole():
    stream = make_stream(_unpaired(), batch_size=4, seed=3)
    epoch = list(stream.epoch_batches(0))
    assert len(epoch) == 2  # as long as the shorter stream's epoch (6 points: 2 batches; 10 points: 3)
    assert all(set(batch) == {"a", "a_label", "b"} for batch in epoch)
    everything = stream.everything()
    assert everything.a.shape == (10, 1) and everything.b.shape == (6, 1) and everything.a_label.shape == (10,)
    assert stream.state() == {"a": {"epoch": 0, "position": 0}, "b": {"epoch": 0, "position": 0}}  # untouched
