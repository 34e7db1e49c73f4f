"""NADE: its likelihood by hand, the autoregressive property, naive == cached sampling bit for bit, tied
weights and training through genzoo's loop."""

import math

import pytest
import torch

import genzoo
from genzoo.training import train

PAIR = {"shape": (2,), "kind": "binary", "value_range": (0.0, 1.0), "levels": 2}
IMAGE = {"shape": (1, 3, 4), "kind": "binary", "value_range": (0.0, 1.0), "levels": 2}
LEVELS = {"shape": (5,), "kind": "discrete", "dtype": "int64", "value_range": (0, 3), "levels": 4}


def seeded(seed=0):
    return torch.Generator().manual_seed(seed)


def sigmoid(v):
    return 1 / (1 + math.exp(-v))


def test_log_prob_of_a_two_pixel_nade_by_hand():
    """H = 1, W[0] = 2, c = 0, V = (1, 3), b = (0.5, -1): p(x0 = 1) = sigmoid(0.5 + 1 * sigmoid(0)) = sigmoid(1);
    given x0 = 1, h1 = sigmoid(2) and p(x1 = 1) = sigmoid(-1 + 3 sigmoid(2)); given x0 = 0, h1 = sigmoid(0)."""
    model = genzoo.create("nade", data=PAIR, hidden=1)
    with torch.no_grad():
        model.input_weight.copy_(torch.tensor([[[2.0]], [[5.0]]]))  # W[1] feeds nothing: x1 is last
        model.hidden_bias.zero_()
        model.output_weight.copy_(torch.tensor([[[1.0]], [[3.0]]]))
        model.output_bias.copy_(torch.tensor([[0.5], [-1.0]]))
    x = torch.tensor([[1.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    expected = [
        math.log(sigmoid(1)) + math.log(sigmoid(-1 + 3 * sigmoid(2))),
        math.log(sigmoid(1)) + math.log(1 - sigmoid(-1 + 3 * sigmoid(2))),
        math.log(1 - sigmoid(1)) + math.log(sigmoid(-1 + 3 * 0.5)),
    ]
    assert model.log_prob(x).tolist() == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("data", [IMAGE, LEVELS])
def test_element_t_depends_only_on_the_elements_before_it(data):
    """Changing element s changes no logits at positions <= s (and does change some after it)."""
    torch.manual_seed(0)
    model = genzoo.create("nade", data=data, hidden=6)
    length, values = model.sequence_length, model.num_values
    base = torch.randint(values, (1, length), generator=seeded(1))
    logits = model.element_logits(base)
    for s in range(length):
        changed = base.clone()
        changed[0, s] = (changed[0, s] + 1) % values
        after = model.element_logits(changed)
        assert torch.equal(after[:, : s + 1], logits[:, : s + 1])
        if s < length - 1:
            assert not torch.equal(after[:, s + 1 :], logits[:, s + 1 :])


@pytest.mark.parametrize("options", [
    {"data": IMAGE},
    {"data": IMAGE, "order": "random", "order_seed": 2},
    {"data": IMAGE, "tied": True},
    {"data": LEVELS},
])
@pytest.mark.parametrize("sampling", [{}, {"temperature": 0.7}, {"prefix": torch.ones(1, 3, 4), "prefix_length": 5}])
def test_naive_and_cached_sampling_draw_the_same_samples_bit_for_bit(options, sampling):
    if "prefix" in sampling and options["data"] is LEVELS:
        sampling = {"prefix": torch.tensor([3, 0]), "prefix_length": 2}
    torch.manual_seed(0)
    model = genzoo.create("nade", hidden=7, **options)
    naive = model.sample(50, sampler="naive", generator=seeded(5), **sampling)
    cached = model.sample(50, sampler="cached", generator=seeded(5), **sampling)
    assert torch.equal(naive, cached)
    assert torch.equal(model.sample(50, generator=seeded(5), **sampling), cached)  # cached is the default


def test_cached_logits_equal_the_teacher_forced_ones_bit_for_bit_at_mnist_size():
    torch.manual_seed(0)
    model = genzoo.create("nade", hidden=32)
    sequence = torch.randint(2, (3, 784), generator=seeded(2))
    full = model.element_logits(sequence)
    cache = model.start_cache(3)
    for t in range(784):
        step = model.step_logits(cache, t, sequence[:, t - 1] if t else None)
        assert torch.equal(step, full[:, t]), f"element {t}"


def test_tied_nade_has_no_output_weight_and_needs_binary_data():
    model = genzoo.create("nade", data=IMAGE, hidden=3, tied=True)
    assert model.output_weight is None
    assert sum(p.numel() for p in model.parameters()) == 12 * 3 + 3 + 12
    with pytest.raises(genzoo.plugin.ConfigError, match="tied=True needs binary data"):
        genzoo.create("nade", data=LEVELS, tied=True)


def test_training_through_genzoo_lowers_the_nll_of_binarized_digits(tmp_path):
    out = tmp_path / "nade"
    train("nade", data="digits", out=out, data_options={"view": "binarized"}, model={"hidden": 16},
          train={"steps": 40, "batch_size": 64, "lr": 1e-2, "log_every": 20, "sample_every": None}, progress=False)
    trained = genzoo.load(out)
    test, _ = genzoo.plugin.load_dataset("digits", split="test", view="binarized").tensors()
    torch.manual_seed(0)
    initial = genzoo.create("nade", data=trained.data_spec, hidden=16)
    with torch.no_grad():
        before, after = -initial.log_prob(test).mean(), -trained.log_prob(test).mean()
    assert after < before - 5  # 64 pixels: from about 44 nats to below 39 in 40 steps
