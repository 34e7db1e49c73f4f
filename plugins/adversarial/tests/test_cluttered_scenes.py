"""The scene pieces by hand (placing a digit, drawing a stroke) and the paired / scene-only datasets built from them."""

from __future__ import annotations

import pytest
import torch

from genzoo.plugin import ConfigError, load_dataset

from genzoo_adversarial.cluttered_scenes import DRAWS, draw_strokes, place_digits, scene_draws


def test_a_digit_at_its_own_scale_lands_unchanged_at_its_corner():
    digit = torch.rand(1, 1, 5, 5)
    canvas = place_digits(digit, torch.tensor([1.0]), torch.tensor([3.0]), torch.tensor([1.0]), 10)
    assert torch.allclose(canvas[0, 0, 1:6, 3:8], digit[0, 0], atol=1e-6)
    outside = canvas.clone()
    outside[0, 0, 1:6, 3:8] = 0
    assert outside.abs().max() < 1e-6


def test_half_scale_shrinks_a_4x4_block_to_2x2():
    """Output pixels (2, 2) and (2, 3) sample the digit at 0.5 and 2.5 (between its pixel centres); those just
    outside sample at -1.5 or 4.5, off the digit (zeros)."""
    canvas = place_digits(torch.ones(1, 1, 4, 4), torch.tensor([0.5]), torch.tensor([2.0]), torch.tensor([2.0]), 6)
    expected = torch.zeros(6, 6)
    expected[2:4, 2:4] = 1
    assert torch.allclose(canvas[0, 0], expected, atol=1e-6)


def test_a_stroke_fades_to_nothing_one_pixel_away():
    """A horizontal segment from x = 3 to 7 on the centre line of row 5 (y = 5.5), ink 0.8: pixel centres 3.5..6.5
    lie on it (0.8), 2.5 and 7.5 are half a pixel past its ends (0.4), every other pixel is a pixel or more away."""
    strokes = draw_strokes(torch.tensor([[[5.0, 5.5]]]), torch.tensor([[0.0]]), torch.tensor([[4.0]]),
                           torch.tensor([[0.8]]), 10)
    expected = torch.zeros(10, 10)
    expected[5, 2:8] = torch.tensor([0.4, 0.8, 0.8, 0.8, 0.8, 0.4])
    assert torch.allclose(strokes[0, 0], expected, atol=1e-6)


def test_overlapping_strokes_take_the_brighter_ink():
    centres = torch.tensor([[[5.0, 5.5], [5.5, 5.0]]])
    strokes = draw_strokes(centres, torch.tensor([[0.0, torch.pi / 2]]), torch.tensor([[4.0, 4.0]]),
                           torch.tensor([[0.8, 0.3]]), 10)
    assert strokes[0, 0, 5, 5].item() == pytest.approx(0.8) and strokes[0, 0, 3, 5].item() == pytest.approx(0.3)


def test_each_example_has_its_own_draws_whatever_the_count():
    few, few_noise = scene_draws(7, "train", 3, 12)
    many, many_noise = scene_draws(7, "train", 10, 12)
    assert few.shape == (3, len(DRAWS)) and torch.equal(few, many[:3]) and torch.equal(few_noise, many_noise[:3])
    assert not torch.equal(scene_draws(7, "test", 3, 12)[0], few)
    assert not torch.equal(scene_draws(8, "train", 3, 12)[0], few)


def test_digits_scenes_pair_each_digit_with_a_scene_of_it():
    pairs = load_dataset("digits-scenes", "test")
    tensors = pairs.field_tensors()
    digits, labels = load_dataset("digits", "test", view="continuous").tensors()
    assert len(pairs) == 360 and set(pairs.fields) == {"x", "source", "label"} and pairs.feature_dataset == "digits"
    assert torch.equal(tensors["x"], digits) and torch.equal(tensors["label"], labels)
    assert tensors["source"].shape == (360, 1, 12, 12)
    assert 0.0 <= tensors["source"].min() and tensors["source"].max() <= 1.0
    assert torch.equal(load_dataset("digits-scenes", "test").field_tensors()["source"], tensors["source"])
    other = load_dataset("digits-scenes", "test", scene_seed=1).field_tensors()["source"]
    assert not torch.equal(other, tensors["source"])


def test_digits_cluttered_are_the_sources_for_translate_inputs():
    scenes, labels = load_dataset("digits-cluttered", "test").tensors()
    pairs = load_dataset("digits-scenes", "test").field_tensors()
    assert torch.equal(scenes, pairs["source"]) and torch.equal(labels, pairs["label"])


def test_a_bad_scene_seed_is_a_one_line_error():
    with pytest.raises(ConfigError, match="scene_seed"):
        load_dataset("digits-scenes", "test", scene_seed=-1)
