"""shape_fit and shape-acc: IoU by hand, moment starts by hand, fits that recover rendered solids on small grids."""

import math

import pytest
import torch

from genzoo.metrics import evaluate
from genzoo.metrics.base import EvalRequest
from genzoo_adversarial.shape_accuracy import THRESHOLD, summary
from genzoo_adversarial.shape_fit import (Fit, MIN_RING_TO_TUBE, fit_shapes, ideal_sizes, iou, moment_start,
                                          small_rotations)
from genzoo_adversarial.voxel_shapes import BOX, SPHERE, TORUS, render

MIDDLE = torch.tensor([0.5, 0.5, 0.5])


def test_iou_by_hand():
    a = torch.tensor([[1, 1, 0, 0], [0, 0, 0, 0], [1, 1, 1, 1]], dtype=torch.bool)
    b = torch.tensor([[0, 1, 1, 0], [0, 0, 0, 0], [1, 0, 0, 0]], dtype=torch.bool)
    assert iou(a, b).tolist() == pytest.approx([1 / 3, 0.0, 1 / 4])  # both empty: 0


def test_moment_start_of_an_axis_aligned_box_by_hand():
    """A 4 x 2 x 2 block of an 8-grid: the centroid is its middle; m cells spaced 1/8 have variance
    (m^2 - 1) / 12 / 64, so the half-extent sqrt(3 var) is sqrt((m^2 - 1) / 4) / 8."""
    block = torch.zeros(8, 8, 8, dtype=torch.bool)
    block[2:6, 3:5, 3:5] = True
    solid = moment_start(block.reshape(1, -1), BOX)
    assert solid.centre[0].tolist() == pytest.approx([0.5, 0.5, 0.5])
    halves = sorted(solid.sizes[0].tolist())
    assert halves == pytest.approx([math.sqrt(3 / 4) / 8, math.sqrt(3 / 4) / 8, math.sqrt(15 / 4) / 8], rel=1e-5)
    assert solid.rotation[0, :, 2].abs().tolist() == pytest.approx([1, 0, 0], abs=1e-5)  # longest axis: grid x


def test_moment_start_of_a_ball_takes_the_radius_of_its_volume():
    """8 cells of a 4-grid hold 1/8 of the unit cube: r = (3 / (4 pi * 8))^(1/3)."""
    ball = render(SPHERE, MIDDLE, torch.eye(3), torch.tensor([0.3, 0.0, 0.0]), 4)
    solid = moment_start(ball[None], SPHERE)
    assert solid.sizes[0, 0].item() == pytest.approx((3 / (4 * math.pi * 8)) ** (1 / 3))


def test_an_empty_grid_starts_small_in_the_middle_and_fits_nothing():
    fit = fit_shapes(torch.zeros(1, 64, dtype=torch.bool), torch.Generator().manual_seed(0), rounds=2)
    assert fit.best_iou.item() == 0


def test_a_torus_keeps_its_hole():
    """A tube thicker than ring / 1.5 is thinned to it; sizes below 0.01 are raised to it (before the tube cap)."""
    sizes = ideal_sizes(TORUS, torch.tensor([[0.3, 0.25, 0.0], [0.3, 0.1, 0.0], [0.001, 0.1, 0.0]]))
    assert sizes[0].tolist() == pytest.approx([0.3, 0.3 / MIN_RING_TO_TUBE, 0.01])
    assert sizes[1].tolist() == pytest.approx([0.3, 0.1, 0.01])
    assert sizes[2].tolist() == pytest.approx([0.01, 0.01 / MIN_RING_TO_TUBE, 0.01])
    assert ideal_sizes(BOX, torch.tensor([0.3, 0.25, 0.0])).tolist() == pytest.approx([0.3, 0.25, 0.01])


def test_small_rotations_are_rotations():
    turns = small_rotations((5, 3), 0.5, torch.Generator().manual_seed(0))
    identity = torch.eye(3).expand(5, 3, 3, 3)
    assert torch.allclose(turns @ turns.transpose(-1, -2), identity, atol=1e-5)
    assert torch.allclose(torch.linalg.det(turns), torch.ones(5, 3), atol=1e-5)


def _turn(angle: float) -> torch.Tensor:
    """A rotation by `angle` about the axis (1, 1, 0) / sqrt(2)."""
    axis = torch.tensor([[0.0, 0.0, 1.0], [0.0, 0.0, -1.0], [-1.0, 1.0, 0.0]]) / math.sqrt(2)
    return torch.linalg.matrix_exp(angle * axis)


@pytest.mark.parametrize("kind, sizes", [(SPHERE, (0.3, 0, 0)), (BOX, (0.32, 0.22, 0.12)), (TORUS, (0.28, 0.12, 0))])
def test_the_fit_recovers_a_rendered_solid_and_names_its_class(kind, sizes):
    """A solid of the data's kind, turned off the grid axes, on a 12-grid: its own class fits it almost exactly
    (IoU >= 0.9) and beats the other two."""
    centre = torch.tensor([0.48, 0.52, 0.5])
    rotation = torch.eye(3) if kind == SPHERE else _turn(0.6)
    occupancy = render(kind, centre, rotation, torch.tensor(sizes, dtype=torch.float32), 12)[None]
    fit = fit_shapes(occupancy, torch.Generator().manual_seed(0), rounds=12, candidates=12)
    assert fit.kind.item() == kind and fit.best_iou.item() >= 0.9


def test_summary_counts_recognisable_shares_per_class():
    """Best IoUs 0.9 (sphere), 0.85 (torus), 0.5 (box: below the threshold) and 0.95 (sphere)."""
    best = torch.tensor([0.9, 0.85, 0.5, 0.95])
    fit = Fit(torch.zeros(4, 3), torch.tensor([SPHERE, TORUS, BOX, SPHERE]), best)
    values = summary(fit, "-real")
    assert THRESHOLD < 0.85
    assert values == pytest.approx({"recognisable-real": 0.75, "recognisable-sphere-real": 0.5,
                                    "recognisable-box-real": 0.0, "recognisable-torus-real": 0.25,
                                    "mean-best-iou-real": 0.8})


def test_real_tiny_shapes_are_recognised_by_the_metric():
    results = {r.name: r for r in evaluate(None, "shape-acc", EvalRequest(data="voxel-shapes-tiny", n=24))}
    assert results["class-agreement-real"].value >= 0.8
    reference = results["recognisable-real"]
    assert reference.split == "test" and "n=24 real test shapes" in reference.notes
