"""The autoregressive contract: data <-> sequence, the inverse-CDF draw, prefixes, temperature and the
errors users see (on NADE and MADE, the two models that implement it so far)."""

import itertools
import math

import pytest
import torch

import genzoo
from genzoo.plugin import CapabilityError, ConfigError, DataSpec
from genzoo_explicit_likelihood.autoregressive.sampling import inverse_cdf, prepare_prefix

BINARY = {"shape": (1, 2, 2), "kind": "binary", "value_range": (0.0, 1.0), "levels": 2}
LEVELS = {"shape": (3,), "kind": "discrete", "dtype": "int64", "value_range": (0, 2), "levels": 3}
FLOAT_LEVELS = {"shape": (3,), "kind": "discrete", "value_range": (-1.0, 1.0), "levels": 3}


def seeded(seed=0):
    return torch.Generator().manual_seed(seed)


def nade(data=BINARY, **options):
    torch.manual_seed(0)
    return genzoo.create("nade", data=data, hidden=4, **options)


def test_binary_data_become_indices_in_raster_order_and_back():
    model = nade()
    x = torch.tensor([[[[0.0, 1.0], [1.0, 1.0]]]])
    assert model.to_sequence(x).tolist() == [[0, 1, 1, 1]]
    assert torch.equal(model.from_sequence(model.to_sequence(x)), x)


def test_a_random_order_permutes_the_sequence_and_is_fixed_by_its_seed():
    model = nade(order="random", order_seed=3)
    assert sorted(model.order.tolist()) == [0, 1, 2, 3] and model.order.tolist() != [0, 1, 2, 3]
    assert torch.equal(model.order, nade(order="random", order_seed=3).order)
    x = torch.tensor([[[[0.0, 1.0], [0.0, 0.0]]]])  # element 1 of the flattened example is on
    assert model.to_sequence(x)[0].tolist() == [int(i == 1) for i in model.order.tolist()]
    assert torch.equal(model.from_sequence(model.to_sequence(x)), x)


def test_discrete_levels_map_to_their_indices():
    assert nade(LEVELS).to_sequence(torch.tensor([[2, 0, 1]])).tolist() == [[2, 0, 1]]
    model = nade(FLOAT_LEVELS)
    assert model.to_sequence(torch.tensor([[1.0, -1.0, 0.0]])).tolist() == [[2, 0, 1]]
    assert model.from_sequence(torch.tensor([[2, 0, 1]])).tolist() == [[1.0, -1.0, 0.0]]


def test_values_off_the_levels_have_no_probability():
    with pytest.raises(CapabilityError, match="models 2 values per element"):
        nade().log_prob(torch.full((1, 1, 2, 2), 0.5))


def test_continuous_data_are_refused():
    with pytest.raises(CapabilityError, match="binary or discrete data"):
        genzoo.create("nade", data=DataSpec(shape=(4,), value_range=(0.0, 1.0)))


@pytest.mark.parametrize("data", [BINARY, LEVELS, FLOAT_LEVELS])
@pytest.mark.parametrize("architecture", ["nade", "made"])
def test_log_prob_sums_to_one_over_every_configuration(architecture, data):
    """Brute force: 16 binary images of 4 pixels, 27 sequences of 3 three-level elements."""
    torch.manual_seed(1)
    options = {"hidden": 4} if architecture == "nade" else {"hidden": (5,), "num_masks": 3}
    model = genzoo.create(architecture, data=data, **options)
    values = 2 if data["kind"] == "binary" else 3
    every = torch.tensor(list(itertools.product(range(values), repeat=model.sequence_length)))
    with torch.no_grad():
        total = model.log_prob(model.from_sequence(every)).exp().sum()
    assert total.item() == pytest.approx(1.0, abs=1e-5)


def test_inverse_cdf_picks_the_bin_that_holds_u():
    """softmax([0, ln 3]) = (1/4, 3/4): u < 1/4 draws value 0, above it value 1; T = 2 flattens it to
    (1/(1+sqrt 3), ...) = (0.366, 0.634)."""
    logits = torch.tensor([[0.0, math.log(3.0)]]).expand(4, 2)
    u = torch.tensor([0.0, 0.2499, 0.2501, 0.9999])
    assert inverse_cdf(logits, u).tolist() == [0, 0, 1, 1]
    assert inverse_cdf(logits, torch.tensor([0.36, 0.37, 0.37, 0.37]), temperature=2.0).tolist() == [0, 1, 1, 1]


def test_a_whole_example_prefix_defaults_to_half_its_elements():
    model = nade()
    x = torch.tensor([[[1.0, 1.0], [1.0, 1.0]]])
    sequence, observed = prepare_prefix(model, 3, x, None)
    assert observed == 2 and sequence.tolist() == [[1, 1, 0, 0]] * 3
    assert prepare_prefix(model, 3, x, 3)[1] == 3


def test_an_index_prefix_is_taken_as_the_first_elements_in_order():
    sequence, observed = prepare_prefix(nade(), 2, torch.tensor([1, 0, 1]), None)
    assert observed == 3 and sequence.tolist() == [[1, 0, 1, 0]] * 2


@pytest.mark.parametrize(("prefix", "length", "message"), [
    (torch.zeros(1, 3, 3), None, r"a prefix must be shaped \(1, 2, 2\)"),
    (torch.zeros(5, 1, 2, 2), None, r"prefix must be shaped \(2, 1, 2, 2\)"),
    (torch.zeros(1, 2, 2), 5, "prefix_length=5 is outside 0..4"),
    (torch.tensor([1, 0, 1, 1, 0]), None, "more than the model's sequence length 4"),
    (torch.tensor([1, 0]), 3, "prefix_length=3 but the prefix holds 2 elements"),
    (torch.tensor([1, 2]), None, r"indices in 0..1"),
    (torch.full((1, 2, 2), 0.5), None, "models 2 values per element"),
])
def test_bad_prefixes_are_one_line_errors(prefix, length, message):
    with pytest.raises(CapabilityError, match=message) as error:
        nade().sample(2, prefix=prefix, prefix_length=length, generator=seeded())
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("temperature", [0.0, -1.0])
@pytest.mark.parametrize("sampler", ["naive", "cached"])
def test_temperature_must_be_positive(sampler, temperature):
    with pytest.raises(ConfigError, match=f"temperature must be > 0, got {temperature}"):
        nade().sample(2, sampler=sampler, temperature=temperature)


def test_prefix_length_needs_a_prefix():
    with pytest.raises(CapabilityError, match="prefix_length needs a prefix"):
        nade().sample(2, prefix_length=2)


@pytest.mark.parametrize("sampler", ["naive", "cached"])
def test_completions_keep_the_observed_elements_and_vary_the_rest(sampler):
    torch.manual_seed(0)
    model = genzoo.create("nade", data={**BINARY, "shape": (1, 4, 4)}, hidden=4)
    top = torch.tensor([[[1.0, 0.0, 1.0, 1.0], [0.0, 1.0, 1.0, 0.0], [0.0] * 4, [0.0] * 4]])
    samples = model.sample(32, sampler=sampler, prefix=top, prefix_length=8, generator=seeded())
    assert torch.equal(samples[:, :, :2], top[:, :2].expand(32, 1, 2, 4))
    assert len({tuple(s.flatten().tolist()) for s in samples[:, :, 2:]}) > 10


def test_the_whole_sequence_observed_returns_the_prefix():
    x = torch.tensor([[[1.0, 0.0], [0.0, 1.0]]])
    assert torch.equal(nade().sample(2, prefix=x, prefix_length=4, generator=seeded()), x.expand(2, 1, 2, 2))


def test_a_low_temperature_picks_the_most_likely_values_and_a_high_one_spreads_them():
    """With output weights zeroed each element's logit for value 1 is its bias (+1, -1, +0.5, -0.5): at
    T = 0.01 every draw is the likelier value (p = sigmoid(50) or more); at T = 100 all four are near 1/2."""
    model = nade()
    with torch.no_grad():
        model.output_weight.zero_()
        model.output_bias.copy_(torch.tensor([[1.0], [-1.0], [0.5], [-0.5]]))
    cold = model.sample(64, temperature=0.01, generator=seeded())
    assert torch.equal(cold, torch.tensor([[[1.0, 0.0], [1.0, 0.0]]]).expand(64, 1, 2, 2))
    hot = model.sample(4000, temperature=100.0, generator=seeded())
    assert hot.mean(0).flatten().tolist() == pytest.approx([0.5] * 4, abs=0.03)
