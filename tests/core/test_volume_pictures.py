"""Volumes (n, 1, d, h, w) are drawn as voxel renders by `save_samples(... .png)`; other 4-D data still is not."""

import numpy as np
import pytest
import torch
from PIL import Image

from genzoo.dataspec import DataSpec
from genzoo.errors import GenzooError
from genzoo.outputs import save_samples
from genzoo.volume_pictures import MAX_VOLUMES, is_volume, occupied

VOXELS = DataSpec(shape=(1, 4, 4, 4), kind="binary", value_range=(0.0, 1.0))


def test_only_one_channel_volumes_are_volumes():
    assert is_volume(VOXELS)
    assert not is_volume(DataSpec(shape=(2, 4, 4, 4))) and not is_volume(DataSpec(shape=(1, 4, 4)))


def test_voxels_above_the_middle_of_the_range_are_drawn():
    x = torch.tensor([0.2, 0.6, 1.0, 0.5]).reshape(1, 1, 1, 2, 2)
    assert occupied(x, DataSpec(shape=(1, 1, 2, 2))).flatten().tolist() == [False, True, True, False]
    unbounded = DataSpec(shape=(1, 1, 2, 2), value_range=None)  # the samples' own range [0, 8], middle 4
    values = torch.tensor([0.0, 5.0, 8.0, 3.0]).reshape(1, 1, 1, 2, 2)
    assert occupied(values, unbounded).flatten().tolist() == [False, True, True, False]


def test_save_samples_renders_a_tile_per_volume(tmp_path):
    volumes = torch.zeros(3, 1, 4, 4, 4)
    volumes[0, 0, 1:3, 1:3, 1:3] = 1
    volumes[1, 0, 0] = 1
    path = save_samples(volumes, VOXELS, tmp_path / "v.png", nrow=3)
    with Image.open(path) as image:
        assert image.format == "PNG" and image.width == 3 * image.height  # three square tiles in a row
        colours = np.unique(np.asarray(image.convert("RGB")).reshape(-1, 3), axis=0)
        assert len(colours) > 2  # something was drawn


def test_other_four_dimensional_data_and_too_many_volumes_are_clear_errors(tmp_path):
    with pytest.raises(GenzooError, match="cannot draw data of shape"):
        save_samples(torch.zeros(1, 2, 4, 4, 4), DataSpec(shape=(2, 4, 4, 4)), tmp_path / "x.png")
    with pytest.raises(GenzooError, match="too many to render"):
        save_samples(torch.zeros(MAX_VOLUMES + 1, 1, 4, 4, 4), VOXELS, tmp_path / "y.png")
