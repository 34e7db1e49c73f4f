"""PixelRNN: skew / unskew and the mask by hand, the autoregressive property of both cells (gradients of
every position against every pixel, and perturbations) at 6x6 and 28x28, the Diagonal BiLSTM's exact
context, likelihoods by hand and by enumeration, naive sampling with a prefix, errors, training through
genzoo, and the conformance kit on both cells."""

import itertools
import math

import pytest
import torch

import genzoo
from genzoo.plugin import ConfigError
from genzoo.testing import ConformanceSuite
from genzoo.training import train
from genzoo_explicit_likelihood.autoregressive.pixelrnn_layers import MaskedConv2d, skew, unskew

CELLS = ("row-lstm", "diagonal-bilstm")
MNIST = {"shape": (1, 28, 28), "kind": "binary", "value_range": (0.0, 1.0), "levels": 2}
SMALL = {**MNIST, "shape": (1, 6, 6)}
LEVELS = {"shape": (1, 6, 6), "kind": "discrete", "value_range": (0.0, 1.0), "levels": 3}
TINY = {"layers": 2, "hidden": 4, "output_hidden": 5}


def seeded(seed=0):
    return torch.Generator().manual_seed(seed)


def pixelrnn(cell, data=SMALL, **options):
    torch.manual_seed(0)
    return genzoo.create("pixelrnn", data=data, cell=cell, **{**TINY, **options}).eval()


def test_skew_shifts_row_i_right_by_i_and_unskew_inverts_it():
    x = torch.tensor([[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]])
    assert skew(x).tolist() == [[[[1.0, 2.0, 3.0, 0.0], [0.0, 4.0, 5.0, 6.0]]]]
    for shape in [(2, 3, 5, 4), (1, 2, 4, 7), (3, 1, 28, 28), (1, 1, 1, 5)]:
        x = torch.randn(shape, generator=seeded(1))
        skewed = skew(x)
        assert skewed.shape == (*shape[:3], shape[3] + shape[2] - 1)
        assert torch.equal(unskew(skewed), x)
        assert int((skewed != 0).sum()) == x.numel()  # the padding is zeros


def test_mask_a_sees_the_rows_above_and_the_left_of_the_centre_row():
    conv = MaskedConv2d(1, 1, 3)
    assert conv.mask.tolist() == [[1.0, 1.0, 1.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]


def dependence(model, of="image_logits", rows=None):
    """(T, L) booleans: [t, s] = position t of `of` (the logits or the last LSTM layer's features: no ReLU
    there to zero a gradient) has a non-zero gradient against pixel s, for the T positions of the given
    rows (default: all), from one backward through a batch of T copies of one image (copy t
    differentiates position t), in float64."""
    model = model.double()
    height, width = model.data_spec.shape[1:]
    length = height * width
    positions = torch.arange(length).reshape(height, width)[list(range(height) if rows is None else rows)].flatten()
    image = (torch.rand(1, 1, height, width, generator=seeded(3), dtype=torch.float64) * 2 - 1)
    image = image.expand(len(positions), -1, -1, -1).clone().requires_grad_(True)
    outputs = getattr(model, of)(image).reshape(len(positions), -1, length)
    outputs[torch.arange(len(positions)), :, positions].sum().backward()
    return image.grad.reshape(len(positions), length) != 0


def diagonal_bilstm_context(height, width, input_kernel=7):
    """The Diagonal BiLSTM's context: every earlier pixel except one. Pixel (i - 1, W - 1) ends its row, so
    no feature of row i - 1 sees it (they see only earlier pixels) and the right-to-left state, shifted
    down a row, cannot carry it; row i reaches it through the mask-A window, from column W - 1 - k // 2
    on, and the left-to-right LSTM carries that along the row."""
    length = height * width
    context = torch.ones(length, length, dtype=torch.bool).tril(-1)
    for i in range(1, height):
        for j in range(width - 1 - input_kernel // 2):
            context[i * width + j, i * width - 1] = False
    return context


@pytest.mark.parametrize("data", [SMALL, LEVELS])
@pytest.mark.parametrize("cell", CELLS)
def test_no_pixel_depends_on_itself_or_a_later_one(cell, data):
    model = pixelrnn(cell, data)
    assert not dependence(model).triu().any()
    context = dependence(model, of="image_features")
    if cell == "diagonal-bilstm":
        assert torch.equal(context, diagonal_bilstm_context(6, 6))  # the right-to-left half reaches (i-1, j>=j)
    else:  # a triangle: the pixel to the left and the ones above, not (i - 1, W - 1) from (i, 0)
        assert not context.triu().any()
        assert all(context[t, t - 1] for t in range(36) if t % 6) and all(context[t, t - 6] for t in range(6, 36))
        assert not context[12, 11] and context[17, 11]


@pytest.mark.parametrize("cell", CELLS)
def test_no_pixel_depends_on_itself_or_a_later_one_at_mnist_size(cell):
    """Every pixel of five rows (the first three, a middle one, the last) of the features (the 1x1 output
    layers mix nothing across positions; the perturbation test below covers the logits at this size)."""
    rows = [0, 1, 2, 14, 27]
    context = dependence(pixelrnn(cell, MNIST, layers=1, hidden=2), of="image_features", rows=rows)
    positions = torch.arange(784).reshape(28, 28)[rows].flatten()
    if cell == "diagonal-bilstm":
        assert torch.equal(context, diagonal_bilstm_context(28, 28)[positions])
    else:
        assert not (context & (torch.arange(784) >= positions[:, None])).any()


@pytest.mark.parametrize(("data", "positions"), [(SMALL, range(36)),
                                                 (MNIST, [0, 1, 26, 27, 28, 29, 55, 56, 390, 391, 392, 700, 782, 783])])
@pytest.mark.parametrize("cell", CELLS)
def test_changing_pixel_s_changes_no_logits_up_to_s(cell, data, positions):
    """The perturbation form of the property: the logits of every pixel <= s are bit for bit the same
    after pixel s flips, and some later ones change."""
    model = pixelrnn(cell, data)
    length = model.sequence_length
    base = torch.randint(2, (2, length), generator=seeded(1))
    with torch.no_grad():
        logits = model.element_logits(base)
        for s in positions:
            changed = base.clone()
            changed[:, s] = 1 - changed[:, s]
            after = model.element_logits(changed)
            assert torch.equal(after[:, : s + 1], logits[:, : s + 1]), f"pixel {s}"
            if s < length - 1:
                assert not torch.equal(after[:, s + 1:], logits[:, s + 1:])


def test_log_prob_by_hand_with_a_fixed_output():
    """Output weight 0, bias ln 3: every pixel is 1 with probability 3/4 whatever came before."""
    model = pixelrnn("diagonal-bilstm", {**MNIST, "shape": (1, 2, 2)})
    with torch.no_grad():
        model.output.weight.zero_()
        model.output.bias.fill_(math.log(3.0))
    x = torch.tensor([[[[0.0, 0.0], [0.0, 0.0]]], [[[1.0, 0.0], [1.0, 1.0]]]])
    expected = [4 * math.log(1 / 4), 3 * math.log(3 / 4) + math.log(1 / 4)]
    assert model.log_prob(x).tolist() == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("cell", CELLS)
def test_log_prob_of_three_level_pixels_sums_to_one(cell):
    """81 images of 2x2 three-level pixels (a 3-way softmax per pixel)."""
    model = pixelrnn(cell, {**LEVELS, "shape": (1, 2, 2)})
    every = torch.tensor(list(itertools.product(range(3), repeat=4)))
    with torch.no_grad():
        total = model.log_prob(model.from_sequence(every)).exp().sum()
    assert total.item() == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("cell", CELLS)
def test_naive_sampling_follows_the_seed_and_keeps_a_prefix(cell):
    model = pixelrnn(cell, {**MNIST, "shape": (1, 5, 5)})
    prefix = torch.ones(1, 5, 5)
    with torch.no_grad():
        first = model.sample(3, sampler="naive", generator=seeded(5), prefix=prefix, prefix_length=7)
        again = model.sample(3, generator=seeded(5), prefix=prefix, prefix_length=7)  # naive is the default
        free = model.sample(3, generator=seeded(5))
    assert torch.equal(first, again) and first.shape == (3, 1, 5, 5)
    assert bool((first.reshape(3, -1)[:, :7] == 1).all()) and not torch.equal(first, free)
    assert "cached" not in genzoo.get_registry().samplers_for(model.spec)


def test_bad_configs_are_one_line_errors():
    for data, match in [({**MNIST, "shape": (3, 4, 4)}, r"single-channel images shaped \(1, H, W\)"),
                        ({**MNIST, "shape": (16,)}, r"single-channel images shaped \(1, H, W\)")]:
        with pytest.raises(ConfigError, match=match):
            genzoo.create("pixelrnn", data=data)
    with pytest.raises(ConfigError, match="raster order only"):
        genzoo.create("pixelrnn", data=SMALL, order="random")
    with pytest.raises(ConfigError, match="row_kernel must be odd, got 4"):
        genzoo.create("pixelrnn", data=SMALL, row_kernel=4)
    with pytest.raises(ConfigError, match="cell"):
        genzoo.create("pixelrnn", data=SMALL, cell="gru")


@pytest.mark.parametrize("cell", CELLS)
def test_training_through_genzoo_lowers_the_nll_of_binarized_digits(cell, tmp_path):
    out = tmp_path / cell
    model = {"cell": cell, "layers": 1, "hidden": 8, "output_hidden": 16}
    train("pixelrnn", data="digits", out=out, data_options={"view": "binarized"}, model=model,
          train={"steps": 30, "batch_size": 32, "lr": 1e-2, "log_every": 10, "sample_every": None}, progress=False)
    trained = genzoo.load(out)
    test, _ = genzoo.plugin.load_dataset("digits", split="test", view="binarized").tensors()
    torch.manual_seed(0)
    initial = genzoo.create("pixelrnn", data=trained.data_spec, **model)
    with torch.no_grad():
        before, after = -initial.log_prob(test).mean(), -trained.log_prob(test).mean()
    assert after < before - 5  # 64 pixels: about 44 nats at the start


class TestPixelRNNConformance(ConformanceSuite):
    """The kit on the spec's tiny config (8 binary pixels, every configuration summed) with each cell."""

    architectures = ("pixelrnn",)

    @pytest.fixture(params=CELLS)
    def model(self, request, architecture):
        spec = genzoo.get_registry().architecture(architecture)
        torch.manual_seed(0)
        return genzoo.create(architecture, **{**spec.tiny_config, "cell": request.param})
