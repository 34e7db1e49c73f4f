"""genzoo.inputs: image files, DATASET:INDEX and .npy arrays read into batches shaped by a DataSpec."""

import numpy as np
import pytest
import torch
from PIL import Image

from genzoo import DataSpec
from genzoo.errors import GenzooError
from genzoo.inputs import read_inputs

GREY = DataSpec(shape=(1, 8, 8), value_range=(-1.0, 1.0))
LEVELS = DataSpec(shape=(1, 8, 8), kind="discrete", dtype="int64", value_range=(0, 3), levels=4)


@pytest.fixture
def white_png(tmp_path):
    path = tmp_path / "white.png"
    Image.fromarray(np.full((16, 16), 255, dtype=np.uint8)).save(path)  # resized to the spec's 8x8
    return str(path)


def test_an_image_is_resized_and_scaled_to_the_value_range(white_png):
    x, labels = read_inputs(GREY, [white_png])
    assert x.shape == (1, 1, 8, 8) and x.dtype == torch.float32 and labels == [None]
    assert torch.equal(x, torch.ones(1, 1, 8, 8))  # white is the top of [-1, 1]


def test_integer_specs_get_level_indices(white_png, tmp_path):
    np.save(tmp_path / "ids.npy", np.ones((2, 1, 8, 8), dtype=np.int64))
    x, labels = read_inputs(LEVELS, [white_png, str(tmp_path / "ids.npy")])
    assert x.dtype == torch.int64 and x.shape == (3, 1, 8, 8) and labels == [None] * 3
    assert x[0].unique().tolist() == [3] and x[1:].unique().tolist() == [1]


def test_a_dataset_example_comes_with_its_label():
    x, labels = read_inputs(DataSpec(shape=(1, 8, 8)), ["digits:0", "digits:1"])
    assert x.shape == (2, 1, 8, 8) and all(isinstance(label, int) for label in labels)


def test_an_array_of_another_shape_names_the_shapes_it_takes(tmp_path):
    np.save(tmp_path / "x.npy", np.zeros((2, 8, 8), dtype=np.float32))
    with pytest.raises(GenzooError, match=r"holds an array of shape \(2, 8, 8\); the model takes \(1, 8, 8\) or a batch "
                                          r"\(n, 1, 8, 8\)"):
        read_inputs(GREY, [str(tmp_path / "x.npy")])
