"""npz:FILE: arrays x [, y] [, x_test, y_test] become images, integer sequences or continuous data."""

import numpy as np
import pytest
import torch

from genzoo.data import load_dataset
from genzoo.data.holdout import holdout_indices
from genzoo.errors import ConfigError, GenzooError


def save(tmp_path, name="data.npz", **arrays):
    path = tmp_path / name
    np.savez(path, **arrays)
    return f"npz:{path}"


def test_uint8_images_get_image_views_and_labels(tmp_path):
    x = np.random.default_rng(0).integers(0, 256, (20, 6, 6), dtype=np.uint8)
    name = save(tmp_path, x=x, y=np.arange(20) % 4)
    train, test = load_dataset(name, "train"), load_dataset(name, "test")
    assert (len(train), len(test)) == (18, 2)
    spec = train.data_spec
    assert (spec.shape, spec.levels, spec.num_classes, spec.dtype) == ((1, 6, 6), 256, 4, "float32")
    levels = load_dataset(name, "test", view="levels").tensors()[0]
    assert levels.dtype == torch.int64 and torch.equal(levels[:, 0], torch.from_numpy(x[holdout_indices(20, "test")]).long())
    assert load_dataset(name, view="binarized").data_spec.kind == "binary"
    assert load_dataset(save(tmp_path, "c.npz", x=np.zeros((3, 3, 4, 4), np.uint8)), "train").data_spec.shape == (3, 4, 4)


def test_integer_arrays_are_int64_tokens(tmp_path):
    x = np.array([[0, 3, 1], [2, 2, 0], [4, 1, 1], [0, 0, 0]], dtype=np.int32)
    name = save(tmp_path, x=x, x_test=np.array([[9, 0, 0]]))
    train = load_dataset(name, "train")
    spec = train.data_spec
    assert (spec.shape, spec.kind, spec.dtype, spec.value_range, spec.levels) == ((3,), "discrete", "int64", (0, 9), 10)
    assert train[0][0].dtype == torch.int64 and torch.equal(train.tensors()[0], torch.from_numpy(x).long())
    assert load_dataset(name, "test").tensors()[0].tolist() == [[9, 0, 0]]
    assert load_dataset(name, "train", view="levels").data_spec == spec  # the view metrics ask int64 models for
    with pytest.raises(ConfigError, match="view 'binarized' applies to uint8 images"):
        load_dataset(name, view="binarized")


def test_float_arrays_are_continuous_with_an_inferred_range(tmp_path):
    unit = load_dataset(save(tmp_path, "u.npz", x=np.linspace(0, 1, 20).reshape(10, 2)))
    assert unit.data_spec.value_range == (0, 1) and unit.tensors()[0].dtype == torch.float32
    wide = load_dataset(save(tmp_path, "w.npz", x=np.linspace(-3, 1, 20).reshape(10, 2), y=np.arange(10) % 2))
    assert wide.data_spec.value_range is None and wide.data_spec.num_classes == 2
    assert set(wide.fields) == {"x", "label"}


def test_test_arrays_form_the_test_split(tmp_path):
    name = save(tmp_path, x=np.zeros((5, 2)), y=np.zeros(5, int), x_test=np.ones((3, 2)), y_test=np.array([0, 1, 2]))
    test = load_dataset(name, "test")
    assert len(load_dataset(name, "train")) == 5 and len(test) == 3
    assert test.tensors()[1].tolist() == [0, 1, 2] and test.data_spec.num_classes == 3  # classes of both splits


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"images": np.zeros((3, 2))}, "no array named 'x' \\(found images\\)"),
        ({"x": np.zeros((3, 2)), "labels": np.zeros(3, int)}, "unexpected arrays labels; genzoo reads x, y, x_test"),
        ({"x": np.zeros((3, 2)), "y": np.zeros(2, int)}, "'y' has 2 labels for 3 examples"),
        ({"x": np.zeros((3, 2)), "y": np.zeros(3)}, "integer class labels"),
        ({"x": np.array(["a", "b"])}, "'x' holds <U1 values"),
        ({"x": np.array([[0.0, np.nan]])}, "NaN or infinite"),
        ({"x": np.array([[-1, 2]])}, "negative values"),
        ({"x": np.zeros((0, 2))}, "'x' has no examples"),
        ({"x": np.zeros((3, 2)), "y_test": np.zeros(1, int)}, "has 'y_test' but no 'y'"),
        ({"x": np.zeros((3, 2)), "y": np.zeros(3, int), "x_test": np.zeros((1, 2))}, "labels for both splits"),
        ({"x": np.zeros((3, 2)), "x_test": np.zeros((1, 3))}, "x_test .* does not match x"),
    ],
)
def test_bad_arrays_are_one_line_errors(tmp_path, arrays, message):
    with pytest.raises(GenzooError, match=message) as error:
        load_dataset(save(tmp_path, **arrays))
    assert "\n" not in str(error.value)


def test_pickle_and_non_npz_files_are_refused(tmp_path):
    with pytest.raises(GenzooError, match="needs pickle"):
        load_dataset(save(tmp_path, x=np.array([{"a": 1}, None], dtype=object)))
    np.save(tmp_path / "plain.npy", np.zeros(3))
    with pytest.raises(GenzooError, match="not an .npz archive"):
        load_dataset(f"npz:{tmp_path / 'plain.npy'}")
    (tmp_path / "junk.npz").write_bytes(b"junk")
    with pytest.raises(GenzooError, match="npz:"):
        load_dataset(f"npz:{tmp_path / 'junk.npz'}")
    with pytest.raises(GenzooError, match="no such file"):
        load_dataset(f"npz:{tmp_path / 'absent.npz'}")
