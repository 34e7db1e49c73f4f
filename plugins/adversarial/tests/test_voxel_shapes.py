"""voxel-shapes: hand-counted renders of each solid on tiny grids, per-index determinism, solids inside the grid."""

import math

import pytest
import torch

import genzoo
from genzoo.plugin import ConfigError, load_dataset
from genzoo_adversarial.voxel_shapes import (BOX, CLASSES, SPHERE, TORUS, example_parameters, extent, render,
                                             voxel_centres, voxel_shapes, voxel_shapes_tiny)

MIDDLE = torch.tensor([0.5, 0.5, 0.5])


def grid(occupancy: torch.Tensor, side: int) -> torch.Tensor:
    return occupancy.reshape(side, side, side)


def test_voxel_centres_are_the_middles_of_the_cells_in_reshape_order():
    centres = voxel_centres(4)
    assert centres.shape == (64, 3)
    assert torch.equal(centres[0], torch.tensor([0.125, 0.125, 0.125]))
    assert torch.equal(centres[1], torch.tensor([0.125, 0.125, 0.375]))  # the last axis runs fastest
    assert torch.equal(centres[16], torch.tensor([0.375, 0.125, 0.125]))


def test_a_centred_ball_of_radius_0_3_on_a_4_grid_is_the_middle_2x2x2():
    """Voxel centres at 0.125 .. 0.875: the middle eight are sqrt(3)/8 = 0.217 from the centre, the next
    nearest sqrt(0.375^2 + 2 * 0.125^2) = 0.415: only the middle eight are inside radius 0.3."""
    ball = grid(render(SPHERE, MIDDLE, torch.eye(3), torch.tensor([0.3, 0.0, 0.0]), 4), 4)
    expected = torch.zeros(4, 4, 4, dtype=torch.bool)
    expected[1:3, 1:3, 1:3] = True
    assert torch.equal(ball, expected)


def test_a_box_is_its_half_extents_along_its_own_axes():
    """Half-extents (0.4, 0.2, 0.2) about the middle of a 4-grid: all 4 cells along x, the middle 2 along y and z;
    turned a quarter about z, the long side runs along y instead."""
    sizes = torch.tensor([0.4, 0.2, 0.2])
    box = grid(render(BOX, MIDDLE, torch.eye(3), sizes, 4), 4)
    expected = torch.zeros(4, 4, 4, dtype=torch.bool)
    expected[:, 1:3, 1:3] = True
    assert torch.equal(box, expected)
    quarter = torch.tensor([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])  # own x axis = grid y
    turned = grid(render(BOX, MIDDLE, quarter, sizes, 4), 4)
    assert torch.equal(turned, expected.transpose(0, 1))


def test_a_torus_has_its_hole_around_its_own_axis():
    """Ring 0.3, tube 0.1 about the z axis on an 8-grid: the voxel at (0.8125, 0.4375, 0.4375) is 0.319 from the
    axis, (0.019^2 + 0.0625^2) <= 0.1^2, so inside; the voxels around the axis are 0.088 from it, far from the
    tube; along the axis the torus is only 2 voxels thick."""
    torus = grid(render(TORUS, MIDDLE, torch.eye(3), torch.tensor([0.3, 0.1, 0.0]), 8), 8)
    assert torus[6, 3, 3] and torus[1, 4, 4]
    assert not torus[3:5, 3:5, :].any()
    assert torus.any(dim=(0, 1)).nonzero().flatten().tolist() == [3, 4]


def test_batched_render_matches_one_by_one():
    parameters = [example_parameters(0, "train", index) for index in range(6)]
    centres = torch.stack([p[1] for p in parameters])
    rotations = torch.stack([p[2] for p in parameters])
    sizes = torch.stack([p[3] for p in parameters])
    for kind in range(3):
        together = render(kind, centres.reshape(2, 3, 3), rotations.reshape(2, 3, 3, 3), sizes.reshape(2, 3, 3), 8)
        alone = torch.stack([render(kind, c, r, s, 8) for c, r, s in zip(centres, rotations, sizes)])
        assert torch.equal(together.reshape(6, -1), alone)


def test_example_i_depends_on_seed_split_and_index_only():
    small, large = voxel_shapes_tiny("train", n=5), voxel_shapes_tiny("train", n=12)
    assert torch.equal(small.tensors()[0], large.tensors()[0][:5])
    assert torch.equal(small.tensors()[1], large.tensors()[1][:5])
    assert not torch.equal(voxel_shapes_tiny("test", n=5).tensors()[0], small.tensors()[0])
    assert not torch.equal(voxel_shapes_tiny("train", n=5, seed=1).tensors()[0], small.tensors()[0])


def test_every_solid_fits_inside_the_grid():
    for index in range(60):
        kind, centre, rotation, sizes = example_parameters(0, "test", index)
        reach = extent(kind, rotation, sizes)
        assert ((centre - reach) > 0).all() and ((centre + reach) < 1).all()


def test_a_ball_is_one_voxel_count_from_its_volume_at_16():
    """At 16^3 a voxelised ball holds about (4/3) pi r^3 * 16^3 cells (within 10% for these radii)."""
    for index in range(40):
        kind, centre, rotation, sizes = example_parameters(0, "train", index)
        if kind == SPHERE:
            cells = render(kind, centre, rotation, sizes, 16).sum().item()
            assert cells == pytest.approx(4 / 3 * math.pi * sizes[0].item() ** 3 * 16**3, rel=0.1)


def test_registered_datasets_match_their_specs():
    data = load_dataset("voxel-shapes-tiny", "train")
    x, label = data[0]
    assert x.dtype == torch.float32 and x.shape == (1, 8, 8, 8) and set(x.unique().tolist()) <= {0.0, 1.0}
    assert data.data_spec.class_names == CLASSES and data.fields["label"].num_classes == 3
    assert len(data) == 256 and len(load_dataset("voxel-shapes-tiny", "test")) == 64
    assert bool(torch.bincount(data.tensors()[1], minlength=3).min() > 60)
    assert voxel_shapes("test", n=3).data_spec.shape == (1, 16, 16, 16)
    assert "voxel-shapes" in {spec.name for spec in genzoo.get_registry().datasets.values()}


@pytest.mark.parametrize("options, message", [({"split": "valid"}, "split"), ({"split": "train", "n": 0}, "n:")])
def test_a_bad_option_is_a_clear_error(options, message):
    with pytest.raises(ConfigError, match=message):
        load_dataset("voxel-shapes-tiny", **options)
