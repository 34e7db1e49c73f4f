"""The autoregressive transformer: causality, exact likelihoods (by hand and by enumeration), the KV cache
bit for bit against the full forward, naive == cached samples, its errors, and training through genzoo."""

import itertools
import math

import pytest
import torch

import genzoo
from genzoo.plugin import CapabilityError, ConfigError
from genzoo.training import train

MNIST = {"shape": (1, 28, 28), "kind": "binary", "value_range": (0.0, 1.0), "levels": 2}
IMAGE = {"shape": (1, 2, 2), "kind": "binary", "value_range": (0.0, 1.0), "levels": 2}
LEVELS = {"shape": (4,), "kind": "discrete", "dtype": "int64", "value_range": (0, 2), "levels": 3}
TINY = {"layers": 2, "width": 8, "heads": 2}


def seeded(seed=0):
    return torch.Generator().manual_seed(seed)


def transformer(data=LEVELS, **options):
    torch.manual_seed(0)
    return genzoo.create("transformer", data=data, **{**TINY, **options}).eval()


@pytest.mark.parametrize("positions", ["learned", "sinusoidal"])
def test_element_t_depends_only_on_the_elements_before_it(positions):
    """Changing element s changes no logits at positions <= s, and does change those after it."""
    model = transformer(data={**LEVELS, "shape": (9,)}, positions=positions)
    base = torch.randint(3, (2, 9), generator=seeded(1))
    with torch.no_grad():
        logits = model.element_logits(base)
        for s in range(9):
            changed = base.clone()
            changed[:, s] = (changed[:, s] + 1) % 3
            after = model.element_logits(changed)
            assert torch.equal(after[:, : s + 1], logits[:, : s + 1])
            if s < 8:
                assert not torch.equal(after[:, s + 1:], logits[:, s + 1:])


def test_log_prob_by_hand_with_a_fixed_head():
    """Head weight 0, bias (0, ln 3): every pixel is 1 with probability 3/4 whatever came before, so an
    image with j of its 4 pixels on has log p = j ln(3/4) + (4 - j) ln(1/4)."""
    model = transformer(data=IMAGE)
    with torch.no_grad():
        model.head.weight.zero_()
        model.head.bias.copy_(torch.tensor([0.0, math.log(3.0)]))
    x = torch.tensor([[[[0.0, 0.0], [0.0, 0.0]]], [[[1.0, 0.0], [1.0, 1.0]]]])
    expected = [4 * math.log(1 / 4), 3 * math.log(3 / 4) + math.log(1 / 4)]
    assert model.log_prob(x).tolist() == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("data", [IMAGE, LEVELS])
def test_log_prob_sums_to_one_over_every_sequence(data):
    """16 binary images of 4 pixels, 81 sequences of 4 three-level elements."""
    model = transformer(data=data, positions="sinusoidal")
    every = torch.tensor(list(itertools.product(range(model.num_values), repeat=4)))
    with torch.no_grad():
        total = model.log_prob(model.from_sequence(every)).exp().sum()
    assert total.item() == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize(("data", "n"), [(MNIST, 1), (MNIST, 4), ({**LEVELS, "shape": (256,), "value_range": (0, 78),
                                                                    "levels": 79}, 3)])
def test_cached_logits_equal_the_full_forward_bit_for_bit(data, n):
    """At MNIST's 784 elements (SDPA's query blocks of 256) and a character LM's 256 (blocks of 64), at
    batch sizes below and at the 4 rows a step pads to."""
    model = transformer(data=data, layers=2, width=16, heads=2)
    sequence = torch.randint(model.num_values, (n, model.sequence_length), generator=seeded(2))
    with torch.no_grad():
        full = model.element_logits(sequence)
        cache = model.start_cache(n)
        for t in range(model.sequence_length):
            step = model.step_logits(cache, t, sequence[:, t - 1] if t else None)
            assert torch.equal(step, full[:, t]), f"element {t}"


@pytest.mark.parametrize("n", [1, 4])
@pytest.mark.parametrize("sampling", [{}, {"temperature": 0.6}, {"prefix": torch.ones(1, 10, 10), "prefix_length": 30}])
def test_naive_and_cached_samples_are_the_same_bit_for_bit(n, sampling):
    """On 10x10 binary images (100 elements: the naive sampler runs 100 full forwards); MNIST-sized logits
    are checked bit for bit above."""
    model = transformer(data={**MNIST, "shape": (1, 10, 10)}, layers=2, width=8, heads=2)
    with torch.no_grad():
        naive = model.sample(n, sampler="naive", generator=seeded(5), **sampling)
        cached = model.sample(n, sampler="cached", generator=seeded(5), **sampling)
    assert torch.equal(naive, cached)
    assert torch.equal(model.sample(n, generator=seeded(5), **sampling), cached)  # cached is the default
    if "prefix" in sampling:
        assert bool((naive.reshape(n, -1)[:, :30] == 1).all())


def test_sinusoidal_positions_are_fixed_and_not_stored():
    """Position 0 is (sin 0, cos 0, ...) = (0, 1, 0, 1); position 1 of width 4 is (sin 1, cos 1, sin 0.01, cos 0.01)."""
    model = transformer(data=LEVELS, width=4, heads=2, positions="sinusoidal")
    assert model.position_embedding[0].tolist() == [0.0, 1.0, 0.0, 1.0]
    expected = [math.sin(1), math.cos(1), math.sin(0.01), math.cos(0.01)]
    assert model.position_embedding[1].tolist() == pytest.approx(expected, abs=1e-7)
    assert "position_embedding" not in model.state_dict()
    assert "position_embedding" in transformer(data=LEVELS).state_dict()


def test_weights_start_as_in_gpt2():
    """std 0.02, the residual projections 0.02 / sqrt(2 * layers), biases zero."""
    model = transformer(data=MNIST, layers=8, width=256, heads=4)
    block = model.blocks[0]
    assert block.attention.qkv.weight.std().item() == pytest.approx(0.02, rel=0.02)
    assert block.mlp[2].weight.std().item() == pytest.approx(0.02 / 4, rel=0.02)
    assert block.attention.out.weight.std().item() == pytest.approx(0.02 / 4, rel=0.02)
    assert model.embedding.weight.shape == (3, 256)  # two pixel values and the start token
    assert not block.attention.qkv.bias.any()


def test_errors_are_one_line():
    model = transformer(data=LEVELS)
    with pytest.raises(CapabilityError, match="a sequence of 5 elements is longer than 'transformer'.s context of 4"):
        model.element_logits(torch.zeros(1, 5, dtype=torch.long))
    cache = model.start_cache(1)
    with pytest.raises(CapabilityError, match="context of 4"):
        model.step_logits(cache, 4, torch.zeros(1, dtype=torch.long))
    with pytest.raises(CapabilityError, match="more than the model's sequence length 4"):
        model.sample(2, prefix=torch.zeros(2, 5, dtype=torch.long))
    for temperature in (0.0, -1.0):
        with pytest.raises(ConfigError, match="temperature must be > 0"):
            model.sample(2, temperature=temperature)
    with pytest.raises(ConfigError, match="heads=3 must divide width=8"):
        genzoo.create("transformer", data=LEVELS, width=8, heads=3)


def test_training_through_genzoo_lowers_the_nll_of_binarized_digits(tmp_path):
    out = tmp_path / "transformer"
    model = {"layers": 1, "width": 16, "heads": 2}
    train("transformer", data="digits", out=out, data_options={"view": "binarized"}, model=model,
          train={"steps": 30, "batch_size": 64, "lr": 3e-3, "log_every": 10, "sample_every": None}, progress=False)
    trained = genzoo.load(out)
    test, _ = genzoo.plugin.load_dataset("digits", split="test", view="binarized").tensors()
    torch.manual_seed(0)
    initial = genzoo.create("transformer", data=trained.data_spec, **model)
    with torch.no_grad():
        before, after = -initial.log_prob(test).mean(), -trained.log_prob(test).mean()
    assert before > 64 * math.log(2) - 1 and after < before - 5  # 64 pixels: about 44 nats at the start
