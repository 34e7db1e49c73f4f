"""Resumable state: optimizer states survive safetensors + JSON exactly; batches resume in place."""

from __future__ import annotations

import pytest
import torch

from genzoo.dataspec import DataSpec
from genzoo.training import TrainConfig
from genzoo.training.data import BatchStream
from genzoo.training.optim import build_optimizer
from genzoo.training.state import load_state, save_state


@pytest.mark.parametrize("optimizer", ["adam", "adamw", "sgd"])
def test_optimizer_state_round_trips_exactly(tmp_path, optimizer):
    def make():
        torch.manual_seed(0)
        model = torch.nn.Linear(3, 2)
        return model, build_optimizer(model.parameters(), TrainConfig(optimizer=optimizer, momentum=0.9))

    def steps(model, opt, n):
        for i in range(n):
            opt.zero_grad()
            model(torch.full((4, 3), float(i))).pow(2).mean().backward()
            opt.step()

    model, opt = make()
    steps(model, opt, 3)
    rng = {"cpu_rank0": torch.get_rng_state()}
    save_state(tmp_path / "state", model=model, ema=None, optimizers={"model": opt}, rng=rng, info={"step": 3})
    assert sorted(p.name for p in (tmp_path / "state").iterdir()) == [
        "model.safetensors", "optimizer.safetensors", "rng.safetensors", "state.json"]
    restored, restored_opt = make()
    info, saved_rng = load_state(tmp_path / "state", model=restored, ema=None, optimizers={"model": restored_opt})
    assert info["step"] == 3 and torch.equal(saved_rng["cpu_rank0"], rng["cpu_rank0"])
    steps(model, opt, 2)
    steps(restored, restored_opt, 2)
    assert torch.equal(model.weight, restored.weight) and torch.equal(model.bias, restored.bias)


class Numbers(torch.utils.data.Dataset):
    data_spec = DataSpec(shape=(1,), value_range=None)

    def __len__(self):
        return 10

    def __getitem__(self, index):
        return torch.tensor([float(index)]), index


def _take(stream, n):
    batches = iter(stream)
    return [next(batches).label.tolist() for _ in range(n)]


def test_a_stream_restored_mid_epoch_continues_with_the_same_batches():
    reference = _take(BatchStream(Numbers(), batch_size=4, seed=1), 7)
    assert sorted(sum(reference[:3], [])) == list(range(10))  # epochs cover the data, the last batch is short
    assert reference[:3] != reference[3:6]  # each epoch is shuffled anew
    stream = BatchStream(Numbers(), batch_size=4, seed=1)
    _take(stream, 4)
    restored = BatchStream(Numbers(), batch_size=4, seed=1)
    restored.restore(stream.state())
    assert stream.state() == {"epoch": 1, "position": 1}
    assert _take(restored, 3) == reference[4:7]


def test_processes_split_each_global_batch():
    whole = _take(BatchStream(Numbers(), batch_size=4, seed=1), 2)
    halves = [_take(BatchStream(Numbers(), batch_size=4, seed=1, rank=r, world_size=2), 2) for r in (0, 1)]
    for index in range(2):
        assert sorted(halves[0][index] + halves[1][index]) == sorted(whole[index])
