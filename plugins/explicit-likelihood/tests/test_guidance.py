"""Label dropout and classifier-free guidance for the class-conditional Gated PixelCNN."""

from __future__ import annotations

import math

import pytest
import torch

import genzoo
from genzoo.plugin import CapabilityError, ConfigError
from genzoo_explicit_likelihood.autoregressive.gated_pixelcnn import NULL_LABEL
from genzoo_explicit_likelihood.autoregressive.sampling import guided, sample_autoregressive

LABELLED = {"shape": (1, 4, 5), "kind": "binary", "value_range": (0.0, 1.0), "levels": 2, "num_classes": 3}
SMALL = {"channels": 4, "layers": 3, "first_kernel": 3, "kernel": 3, "head_channels": 6, "num_classes": 3}


def create(**options):
    torch.manual_seed(0)
    return genzoo.create("gated-pixelcnn", data=LABELLED, **{**SMALL, **options})


def seeded(seed=0):
    return torch.Generator().manual_seed(seed)


def test_guided_log_probs_by_hand():
    conditional, unconditional = torch.tensor([0.8, 0.2]).log(), torch.tensor([0.5, 0.5]).log()
    logits = guided(torch.stack([conditional, unconditional]), 2.0)
    # softmax(2 log c - log u) is proportional to c^2 / u = [1.28, 0.08]
    assert torch.allclose(torch.softmax(logits, -1), torch.tensor([[1.28 / 1.36, 0.08 / 1.36]]))
    assert torch.allclose(guided(torch.stack([conditional, unconditional]), 0.0), unconditional.unsqueeze(0))
    # rows need not be normalised: each half is log-softmaxed first
    shifted = guided(torch.stack([conditional + 3.0, unconditional - 1.0]), 2.0)
    assert torch.allclose(torch.softmax(shifted, -1), torch.softmax(logits, -1))
    assert math.isclose(float(torch.softmax(logits, -1)[0, 0]), 0.941176, rel_tol=1e-5)


def test_a_dropped_label_leaves_the_class_biases_out():
    model = create(label_dropout=0.2).eval()
    sequence = torch.randint(2, (2, 20), generator=seeded(1))
    unlabelled = model.element_logits(sequence, torch.full((2,), NULL_LABEL))
    with torch.no_grad():
        for layer in model.layers:
            layer.vertical_class.zero_()
            layer.horizontal_class.zero_()
    assert torch.equal(unlabelled, model.element_logits(sequence, torch.tensor([0, 2])))


def test_labels_are_dropped_only_while_fitting_at_the_configured_rate():
    model = create(label_dropout=0.3)
    labels = torch.arange(4000) % 3
    torch.manual_seed(0)
    dropped = (model.train().labels(labels, 4000) == NULL_LABEL).float().mean().item()
    assert 0.27 < dropped < 0.33
    with torch.no_grad():
        assert torch.equal(model.labels(labels, 4000), labels)
    assert torch.equal(model.eval().labels(labels, 4000), labels)


@pytest.mark.parametrize("options", [{}, {"temperature": 0.8}, {"prefix_length": 6}])
def test_guided_naive_and_cached_samples_agree_bit_for_bit(options):
    model = create(label_dropout=0.2)
    if "prefix_length" in options:
        options = {**options, "prefix": torch.ones(*LABELLED["shape"])}
    labels = torch.arange(6) % 3
    naive = model.sample(6, condition=labels, sampler="naive", generator=seeded(4), guidance_scale=3.0, **options)
    cached = model.sample(6, condition=labels, sampler="cached", generator=seeded(4), guidance_scale=3.0, **options)
    assert torch.equal(naive, cached)
    unguided = model.sample(6, condition=labels, sampler="cached", generator=seeded(4), **options)
    assert torch.equal(model.sample(6, condition=labels, sampler="cached", generator=seeded(4), guidance_scale=1.0,
                                    **options), unguided)


def test_scale_zero_draws_from_the_unconditional_half():
    """w = 0 leaves uncond alone: the samples of p(x) itself (NULL_LABEL rows), so the second half of a
    guided batch really is the unlabelled one."""
    model = create(label_dropout=0.2)
    with torch.no_grad():  # labels that matter (an untrained model's small biases change no draw here)
        for layer in model.layers:
            layer.vertical_class.mul_(20)
            layer.horizontal_class.mul_(20)
    labels = torch.arange(8) % 3
    unconditional = sample_autoregressive(model, 8, condition=torch.full((8,), NULL_LABEL), cached=True,
                                          generator=seeded(6))
    guided_by_nothing = model.sample(8, condition=labels, sampler="cached", generator=seeded(6), guidance_scale=0.0)
    assert torch.equal(guided_by_nothing, unconditional)
    assert not torch.equal(model.sample(8, condition=labels, sampler="cached", generator=seeded(6)), unconditional)


def test_guidance_errors_are_clear():
    plain = create()
    with pytest.raises(CapabilityError, match="no unconditional mode.*label_dropout > 0"):
        plain.sample(2, condition=torch.tensor([0, 1]), sampler="cached", guidance_scale=2.0)
    with pytest.raises(CapabilityError, match="labels in 0..2"):
        plain.element_logits(torch.zeros(2, 20, dtype=torch.long), torch.full((2,), NULL_LABEL))
    with pytest.raises(ConfigError, match="guidance_scale must be >= 0"):
        create(label_dropout=0.1).sample(2, condition=torch.tensor([0, 1]), sampler="naive", guidance_scale=-1.0)
    with pytest.raises(ConfigError, match="label_dropout needs a class-conditional model"):
        genzoo.create("gated-pixelcnn", data={**LABELLED, "num_classes": None}, label_dropout=0.1)
