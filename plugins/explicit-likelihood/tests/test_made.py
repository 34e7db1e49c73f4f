"""MADE: masks by hand, the autoregressive property, the mask ensemble as an exact mixture likelihood, the
mask-cycling training step and training through genzoo's loop."""

import math

import numpy as np
import pytest
import torch

import genzoo
from genzoo.plugin import Batch
from genzoo.training import train
from genzoo_explicit_likelihood.autoregressive.made import MaskCyclingStep, made_masks

IMAGE = {"shape": (1, 3, 3), "kind": "binary", "value_range": (0.0, 1.0), "levels": 2}
LEVELS = {"shape": (4,), "kind": "discrete", "dtype": "int64", "value_range": (0, 2), "levels": 3}


class FixedDegrees:
    """Stands in for numpy's Generator: hands out the given hidden degrees."""

    def __init__(self, *layers):
        self.layers = list(layers)

    def integers(self, low, high, size):
        layer = np.array(self.layers.pop(0))
        assert len(layer) == size and low <= layer.min() and layer.max() < high
        return layer


def test_masks_follow_the_degrees_by_hand():
    """L = 3 binary, one hidden layer of degrees (1, 2): hidden unit 1 sees x1, unit 2 sees x1 and x2;
    output 1 sees nothing, output 2 sees unit 1, output 3 both."""
    hidden, output = made_masks(3, 2, 1, (2,), FixedDegrees([1, 2]))
    assert hidden.tolist() == [[1, 0, 0], [1, 1, 0]]
    assert output.tolist() == [[0, 0], [1, 0], [1, 1]]


def test_k_ary_masks_give_every_value_of_an_element_its_degree():
    """L = 2 with K = 3: inputs (x1 = 1, x1 = 2, x2 = 1, x2 = 2) have degrees (1, 1, 2, 2); three outputs each."""
    hidden, output = made_masks(2, 3, 3, (1,), FixedDegrees([1]))
    assert hidden.tolist() == [[1, 1, 0, 0]]
    assert output.tolist() == [[0], [0], [0], [1], [1], [1]]


@pytest.mark.parametrize("data", [IMAGE, LEVELS])
def test_every_mask_set_connects_output_t_only_to_earlier_elements(data):
    torch.manual_seed(0)
    model = genzoo.create("made", data=data, hidden=(8, 8), num_masks=4)
    length, values = model.sequence_length, model.num_values
    for mask in range(4):
        path = model.mask2[mask] @ model.mask1[mask] @ model.mask0[mask]  # (L K', L (K - 1))
        reach = path.reshape(length, -1, length, values - 1).sum(dim=(1, 3)) > 0
        assert not (reach & ~torch.ones(length, length).tril(-1).bool()).any()
    base = torch.randint(values, (1, length), generator=torch.Generator().manual_seed(1))
    logits = model.element_log_probs(base)
    for s in range(length):
        changed = base.clone()
        changed[0, s] = (changed[0, s] + 1) % values
        assert torch.equal(model.element_log_probs(changed)[:, : s + 1], logits[:, : s + 1])


def test_the_ensemble_log_prob_is_the_mixture_of_the_mask_sets():
    """log p(x) = log (1/M) sum_m p_m(x), reached through exact per-element mixture conditionals."""
    torch.manual_seed(0)
    model = genzoo.create("made", data=IMAGE, hidden=(6,), num_masks=3)
    x = torch.bernoulli(torch.full((5, 1, 3, 3), 0.5), generator=torch.Generator().manual_seed(2))
    per_mask = torch.stack([model.mask_log_prob(x, m) for m in range(3)])
    expected = torch.logsumexp(per_mask, dim=0) - math.log(3)
    assert torch.allclose(model.log_prob(x), expected, atol=1e-5)
    assert not torch.allclose(per_mask[0], per_mask[1])  # the masks differ


def test_one_mask_set_is_the_plain_made():
    torch.manual_seed(0)
    model = genzoo.create("made", data=IMAGE, hidden=(6,))
    sequence = torch.randint(2, (4, 9), generator=torch.Generator().manual_seed(3))
    expected = torch.log_softmax(model.mask_logits(sequence, 0), dim=-1)
    assert torch.equal(model.element_log_probs(sequence), expected)


def test_masks_are_rebuilt_from_the_config_not_saved(tmp_path):
    torch.manual_seed(0)
    model = genzoo.create("made", data=IMAGE, hidden=(6,), num_masks=2, mask_seed=4)
    assert not any(name.startswith("mask") for name in model.state_dict())
    loaded = genzoo.load(genzoo.save_pretrained(model, tmp_path / "made"))
    assert torch.equal(loaded.mask0, model.mask0) and torch.equal(loaded.mask1, model.mask1)
    other = genzoo.create("made", data=IMAGE, hidden=(6,), num_masks=2, mask_seed=5)
    assert not torch.equal(other.mask0, model.mask0)


def test_the_training_step_uses_mask_set_step_mod_m():
    torch.manual_seed(0)
    model = genzoo.create("made", data=IMAGE, hidden=(6,), num_masks=3)
    x = torch.bernoulli(torch.full((4, 1, 3, 3), 0.5), generator=torch.Generator().manual_seed(2))
    loss = MaskCyclingStep().loss(model, Batch({"x": x}, step=7), "model", {})["loss"]
    assert loss.item() == pytest.approx(-model.mask_log_prob(x, 1).mean().item())


def test_naive_sampling_of_the_ensemble_follows_the_seed_and_completes_a_prefix():
    torch.manual_seed(0)
    model = genzoo.create("made", data=IMAGE, hidden=(6,), num_masks=2)
    generator = torch.Generator().manual_seed(5)
    first = model.sample(20, generator=generator, prefix=torch.ones(1, 3, 3), prefix_length=3)
    again = model.sample(20, generator=torch.Generator().manual_seed(5), prefix=torch.ones(1, 3, 3),
                         prefix_length=3)
    assert torch.equal(first, again) and (first[:, 0, 0] == 1).all()
    assert "cached" not in genzoo.get_registry().samplers_for(model.spec)


def test_training_through_genzoo_lowers_the_nll_of_binarized_digits(tmp_path):
    out = tmp_path / "made"
    train("made", data="digits", out=out, data_options={"view": "binarized"}, model={"hidden": [32], "num_masks": 2},
          train={"steps": 60, "batch_size": 64, "lr": 1e-2, "log_every": 30, "sample_every": None}, progress=False)
    trained = genzoo.load(out)
    test, _ = genzoo.plugin.load_dataset("digits", split="test", view="binarized").tensors()
    torch.manual_seed(0)
    initial = genzoo.create("made", data=trained.data_spec, hidden=(32,), num_masks=2)
    with torch.no_grad():
        before, after = -initial.log_prob(test).mean(), -trained.log_prob(test).mean()
    assert after < before - 5
