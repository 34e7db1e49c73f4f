"""WaveNet: causality and its receptive field, exact likelihoods (by hand and by enumeration), the queued
step bit for bit against the full forward, naive == cached samples, its errors, and training on `tones`."""

import itertools
import math

import pytest
import torch

import genzoo
from genzoo.plugin import CapabilityError, ConfigError, load_dataset
from genzoo.testing import ConformanceSuite
from genzoo.training import train

from genzoo_explicit_likelihood.autoregressive.attention import MIN_ROWS


def levels(length, k=3):
    return {"shape": (length,), "kind": "discrete", "dtype": "int64", "value_range": (0, k - 1), "levels": k}


TINY = {"residual_channels": 4, "gate_channels": 4, "skip_channels": 8, "cycle": 3, "stacks": 2}
RECIPE = {"residual_channels": 32, "gate_channels": 32, "skip_channels": 64, "cycle": 10, "stacks": 2}


class TestWaveNetConformance(ConformanceSuite):
    """The kit on the tiny config (6 three-level elements: it sums all 729 sequences)."""

    architectures = ("wavenet",)


def seeded(seed=0):
    return torch.Generator().manual_seed(seed)


def wavenet(data=None, **options):
    torch.manual_seed(0)
    return genzoo.create("wavenet", data=data or levels(20), **{**TINY, **options}).eval()


def test_element_t_sees_exactly_the_receptive_field_before_it():
    """Changing element s changes no logits at positions <= s, changes position s + 1 and s + receptive field
    (2 x (2^3 - 1) + 1 = 15), and nothing after that."""
    model = wavenet(data=levels(40))
    assert model.receptive_field == 15
    base = torch.randint(3, (2, 40), generator=seeded(1))
    with torch.no_grad():
        logits = model.element_logits(base)
        for s in range(39):
            changed = base.clone()
            changed[:, s] = (changed[:, s] + 1) % 3
            after = model.element_logits(changed)
            assert torch.equal(after[:, : s + 1], logits[:, : s + 1])
            assert not torch.equal(after[:, s + 1], logits[:, s + 1])
            if s + 15 < 40:
                assert not torch.equal(after[:, s + 15], logits[:, s + 15])
                assert torch.equal(after[:, s + 16:], logits[:, s + 16:])


def test_the_layers_cycle_their_dilations_and_the_cache_queues_as_many_steps():
    model = wavenet(cycle=3, stacks=2)
    assert [layer.dilation for layer in model.layers] == [1, 2, 4, 1, 2, 4]
    cache = model.start_cache(2)
    # 2 sequences padded to MIN_ROWS rows, d past inputs of 4 channels per layer
    assert [tuple(queue.shape) for queue in cache.queues] == [(MIN_ROWS, d, 4) for d in (1, 2, 4, 1, 2, 4)]
    assert genzoo.create("wavenet").receptive_field == 2047  # the default: 2 stacks of dilations 1..512


def test_log_prob_by_hand_with_a_fixed_head():
    """Last head layer weight 0, bias (0, ln 3, 0): every element is 1 with probability 3/5 and 0 or 2 with 1/5,
    whatever came before, so (1, 1, 0, 2) has log p = 2 ln(3/5) + 2 ln(1/5)."""
    model = wavenet(data=levels(4))
    with torch.no_grad():
        model.head[-1].weight.zero_()
        model.head[-1].bias.copy_(torch.tensor([0.0, math.log(3.0), 0.0]))
    x = torch.tensor([[1, 1, 0, 2], [1, 1, 1, 1]])
    expected = [2 * math.log(3 / 5) + 2 * math.log(1 / 5), 4 * math.log(3 / 5)]
    assert model.log_prob(x).tolist() == pytest.approx(expected, abs=1e-6)


def test_log_prob_sums_to_one_over_every_sequence():
    """243 sequences of 5 three-level elements, deeper than the sequence (receptive field 15)."""
    model = wavenet(data=levels(5))
    every = torch.tensor(list(itertools.product(range(3), repeat=5)))
    with torch.no_grad():
        total = model.log_prob(every).exp().sum()
    assert total.item() == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize(("config", "length", "n"), [(TINY, 40, 1), (TINY, 40, 6), (RECIPE, 1024, 3),
                                                     ({**RECIPE, "cycle": 8}, 300, 5)])
def test_cached_log_probs_equal_the_full_forward_bit_for_bit(config, length, n):
    """At the recipe's size (256 levels, 1,024 samples, receptive field 2,047) and tiny ones, at batch sizes
    below and above the 4 rows a step pads to."""
    torch.manual_seed(0)
    model = genzoo.create("wavenet", data=levels(length, 256), **config).eval()
    sequence = torch.randint(256, (n, length), generator=seeded(2))
    with torch.no_grad():
        full = model.element_log_probs(sequence)
        cache = model.start_cache(n)
        for t in range(length):
            step = model.step_logits(cache, t, sequence[:, t - 1] if t else None)
            assert torch.equal(step, full[:, t]), f"element {t}"


@pytest.mark.parametrize("n", [1, 5])
@pytest.mark.parametrize("sampling", [{}, {"temperature": 0.7}, {"prefix": torch.tensor([2, 0, 1])},
                                      {"prefix": torch.ones(40, dtype=torch.long), "prefix_length": 17}])
def test_naive_and_cached_samples_are_the_same_bit_for_bit(n, sampling):
    """40 elements (the naive sampler runs 40 full forwards); no prefix, a temperature, a prefix of 3 value
    indices, and the first 17 elements of a whole example."""
    model = wavenet(data=levels(40))
    with torch.no_grad():
        naive = model.sample(n, sampler="naive", generator=seeded(5), **sampling)
        cached = model.sample(n, sampler="cached", generator=seeded(5), **sampling)
    assert torch.equal(naive, cached)
    assert torch.equal(model.sample(n, generator=seeded(5), **sampling), cached)  # cached is the default
    if "prefix_length" in sampling:
        assert bool((naive[:, :17] == 1).all()) and not bool((naive[:, 17:] == 1).all())


def test_errors_are_one_line():
    model = wavenet(data=levels(4))
    too_long = "a sequence of 5 elements is longer than 'wavenet'.s sequence length of 4"
    with pytest.raises(CapabilityError, match=too_long):
        model.element_logits(torch.zeros(1, 5, dtype=torch.long))
    with pytest.raises(CapabilityError, match="sequence length of 4"):
        model.step_logits(model.start_cache(1), 4, torch.zeros(1, dtype=torch.long))
    with pytest.raises(CapabilityError, match="more than the model's sequence length 4"):
        model.sample(2, prefix=torch.zeros(2, 5, dtype=torch.long))
    with pytest.raises(CapabilityError, match="prefix values must be indices in 0..2"):
        model.sample(1, prefix=torch.tensor([0, 3]))
    with pytest.raises(CapabilityError, match=r"log_prob input values must lie in \[0, 2\]"):
        model.log_prob(torch.tensor([[0, 1, 2, 3]]))
    for temperature in (0.0, -1.0):
        with pytest.raises(ConfigError, match="temperature must be > 0"):
            model.sample(2, temperature=temperature)
    with pytest.raises(ConfigError, match="cycle"):
        genzoo.create("wavenet", cycle=0)


def test_training_through_genzoo_lowers_the_nll_of_short_tones(tmp_path):
    out = tmp_path / "wavenet"
    data = {"length": 64}
    train("wavenet", data="tones", out=out, data_options=data, model=TINY,
          train={"steps": 30, "batch_size": 16, "lr": 1e-2, "log_every": 10, "sample_every": None}, progress=False)
    trained = genzoo.load(out)
    test = load_dataset("tones", split="test", **data).x
    torch.manual_seed(0)
    initial = genzoo.create("wavenet", data=trained.data_spec, **TINY)
    with torch.no_grad():
        before, after = -initial.log_prob(test).mean(), -trained.log_prob(test).mean()
    assert before > 64 * math.log(256) - 5 and after < before - 10  # 64 ln 256 = 354.9 nats: uniform
