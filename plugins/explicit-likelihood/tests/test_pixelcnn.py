"""PixelCNN: masks A and B by hand, the blind spot it keeps, the autoregressive property, cached == teacher-forced
log-probabilities bit for bit (tiny and MNIST size), naive == cached samples, the exact GEMM helper, training on
17-level digits and `genzoo sample --prefix`."""

import numpy as np
import pytest
import torch
from click.testing import CliRunner

import genzoo
from genzoo.cli.main import cli
from genzoo.training import train
from genzoo_explicit_likelihood.autoregressive.masked_conv import TapConv, affine, gemm_width, mask_a, mask_b, taps_mask

IMAGE = {"shape": (1, 5, 5), "kind": "binary", "value_range": (0.0, 1.0), "levels": 2}
LEVELS = {"shape": (1, 3, 4), "kind": "discrete", "value_range": (0.0, 1.0), "levels": 17}
MNIST = {"shape": (1, 28, 28), "kind": "binary", "value_range": (0.0, 1.0), "levels": 2}
SMALL = {"channels": 3, "layers": 3, "first_kernel": 3, "kernel": 3, "head_channels": 5}


def seeded(seed=0):
    return torch.Generator().manual_seed(seed)


def create(data=IMAGE, **options):
    torch.manual_seed(0)
    return genzoo.create("pixelcnn", data=data, **{**SMALL, **options})


def test_masks_a_and_b_on_a_3x3_kernel():
    assert taps_mask(mask_a(3), 3).tolist() == [[1, 1, 1], [1, 0, 0], [0, 0, 0]]
    assert taps_mask(mask_b(3), 3).tolist() == [[1, 1, 1], [1, 1, 0], [0, 0, 0]]
    assert len(mask_a(7)) == 24 and len(mask_b(7)) == 25


@pytest.mark.parametrize(("taps", "expected"), [
    # input 1..9 in a 3x3 image, all weights 1, bias 0: each output sums the pixels its mask keeps, e.g. mask A
    # at (1, 0): 1 + 2 (above; nothing to the left), at (2, 2): 5 + 6 + 8; mask B adds the pixel itself
    (mask_a(3), [[0, 1, 2], [3, 10, 10], [9, 22, 19]]),
    (mask_b(3), [[1, 3, 5], [7, 15, 16], [16, 30, 28]]),
])
def test_a_masked_convolution_by_hand(taps, expected):
    conv = TapConv(taps, 1, 1)
    with torch.no_grad():
        conv.weight.fill_(1.0)
        conv.bias.zero_()
    image = torch.arange(1.0, 10.0).reshape(1, 3, 3, 1)
    assert conv.eval().whole(image)[0, :, :, 0].tolist() == expected
    conv.train()
    with torch.enable_grad():  # the training path (F.conv2d) computes the same convolution
        assert conv.whole(image)[0, :, :, 0].tolist() == expected


def input_gradients(model, position):
    height, width = model.image_size
    pixels = torch.rand(1, height, width, 1, generator=seeded(3), requires_grad=True)
    model.image = lambda sequence: pixels
    model.element_logits(torch.zeros(1, height * width, dtype=torch.long))[0, position].sum().backward()
    return pixels.grad.reshape(height, width).abs()


def test_the_output_never_sees_itself_or_later_pixels_and_has_the_blind_spot():
    """Stacked 3x3 masks reach (i - 1, j + 1) and (i - 2, j + 2) but never (i - 1, j + 2) or (i - 2, j + 3): the
    blind spot the gated PixelCNN removes (tests/test_gated_pixelcnn.py checks every earlier pixel reaches it there)."""
    model = create(layers=4)
    for position in range(25):
        reached = input_gradients(model, position).reshape(-1) > 0
        assert not reached[position:].any()
    reached = input_gradients(create(layers=4), 2 * 5 + 1)  # pixel (2, 1)
    assert reached[1, 2] > 0 and reached[2, 0] > 0 and reached[0, 3] > 0
    assert reached[1, 3] == 0 and reached[1, 4] == 0 and reached[0, 4] == 0


@pytest.mark.parametrize("data", [IMAGE, LEVELS])
def test_logits_of_a_pixel_depend_only_on_the_pixels_before_it(data):
    model = create(data)
    length, values = model.sequence_length, model.num_values
    base = torch.randint(values, (2, length), generator=seeded(1))
    with torch.no_grad():  # the exact path (training mode with gradients takes F.conv2d, checked above)
        logits = model.element_logits(base)
        for s in range(length):
            changed = base.clone()
            changed[:, s] = (changed[:, s] + 1) % values
            after = model.element_logits(changed)
            assert torch.equal(after[:, : s + 1], logits[:, : s + 1])


def assert_cached_equals_teacher_forced(model, n, seed=2):
    sequence = torch.randint(model.num_values, (n, model.sequence_length), generator=seeded(seed))
    with torch.no_grad():
        full = model.element_log_probs(sequence)
        cache = model.start_cache(n)
        for t in range(model.sequence_length):
            step = model.step_logits(cache, t, sequence[:, t - 1] if t else None)
            assert torch.equal(step, full[:, t]), f"element {t}"


def test_logits_without_gradients_come_in_chunks_with_the_same_bits():
    model = create(LEVELS)
    sequence = torch.randint(17, (70, 12), generator=seeded(7))
    with torch.no_grad():
        assert torch.equal(model.element_logits(sequence), model.image_logits(sequence, None))


@pytest.mark.parametrize("data", [IMAGE, LEVELS])
@pytest.mark.parametrize("n", [1, 3, 6])
def test_cached_log_probs_equal_the_teacher_forced_ones_bit_for_bit(data, n):
    assert_cached_equals_teacher_forced(create(data, first_kernel=5), n)


@pytest.mark.parametrize("n", [1, 5])
def test_cached_log_probs_equal_the_teacher_forced_ones_at_mnist_size(n):
    assert_cached_equals_teacher_forced(create(MNIST, channels=8, layers=4, first_kernel=7, head_channels=16), n)


@pytest.mark.parametrize("columns", [1, 2, 5, 6, 7, 9, 11, 12, 17, 64])
def test_affine_rows_do_not_depend_on_how_many_rows_are_computed(columns):
    """The primitive the cache relies on: one row or 28 rows give the bits of the same rows in a big GEMM,
    whatever the output width (1, 5-7 and 9-11 columns are computed at 12)."""
    x, weight, bias = torch.randn(2352, 40, generator=seeded(6)), torch.randn(40, columns), torch.randn(columns)
    full = affine(x, weight, bias)
    for start in range(0, 2300, 97):
        assert torch.equal(affine(x[start:start + 1], weight, bias), full[start:start + 1])
        assert torch.equal(affine(x[start:start + 28], weight, bias), full[start:start + 28])
    assert gemm_width(columns) >= columns


@pytest.mark.parametrize("data", [IMAGE, LEVELS])
@pytest.mark.parametrize("sampling", [{}, {"temperature": 0.6}, {"prefix_length": 7}])
def test_naive_and_cached_sampling_draw_the_same_samples_bit_for_bit(data, sampling):
    model = create(data)
    if "prefix_length" in sampling:
        sampling = {**sampling, "prefix": torch.ones(*data["shape"])}
    naive = model.sample(10, sampler="naive", generator=seeded(5), **sampling)
    cached = model.sample(10, sampler="cached", generator=seeded(5), **sampling)
    assert torch.equal(naive, cached)
    assert torch.equal(model.sample(10, generator=seeded(5), **sampling), cached)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A PixelCNN trained 30 steps on 17-level digits (a 17-way softmax per pixel) through genzoo's loop."""
    out = tmp_path_factory.mktemp("pixelcnn") / "pixelcnn"
    train("pixelcnn", data="digits", out=out, data_options={"view": "levels"}, model={**SMALL, "channels": 8},
          train={"steps": 30, "batch_size": 32, "lr": 1e-2, "log_every": 10, "sample_every": None}, progress=False)
    return out


def test_training_on_17_level_digits_lowers_the_nll(trained):
    model = genzoo.load(trained)
    assert model.num_values == 17
    test, _ = genzoo.plugin.load_dataset("digits", split="test", view="levels").tensors()
    torch.manual_seed(0)
    initial = genzoo.create("pixelcnn", data=model.data_spec, **{**SMALL, "channels": 8})
    with torch.no_grad():
        before, after = -initial.log_prob(test).mean(), -model.log_prob(test).mean()
    assert after < before - 20  # 64 pixels of 17 levels: about 181 nats (log 17 each) at initialisation


def test_the_cli_completes_a_test_digit(trained, tmp_path):
    result = CliRunner().invoke(cli, ["sample", str(trained), "-n", "3", "--prefix", "digits:3", "--device", "cpu",
                                      "-o", str(tmp_path / "completed.npy")])
    assert result.exit_code == 0, result.output
    digit = genzoo.plugin.load_dataset("digits", "test", view="levels").tensors()[0][3]
    samples = torch.from_numpy(np.load(tmp_path / "completed.npy"))
    assert torch.equal(samples[:, :, :4], digit[:, :4].expand(3, 1, 4, 8))  # the top half (32 pixels) is kept
