"""Gated PixelCNN: no blind spot (gradients), the autoregressive property, class conditioning, cached ==
teacher-forced log-probabilities bit for bit (every position, tiny and MNIST size), naive == cached samples,
training on digits and the CLI (completion, balanced labels, cond-acc)."""

import numpy as np
import pytest
import torch
from click.testing import CliRunner

import genzoo
from genzoo.cli.main import cli
from genzoo.plugin import CapabilityError, ConfigError
from genzoo.training import train

IMAGE = {"shape": (1, 4, 5), "kind": "binary", "value_range": (0.0, 1.0), "levels": 2}
LABELLED = {**IMAGE, "num_classes": 3}
LEVELS = {"shape": (1, 3, 4), "kind": "discrete", "value_range": (0.0, 1.0), "levels": 5}
MNIST = {"shape": (1, 28, 28), "kind": "binary", "value_range": (0.0, 1.0), "levels": 2, "num_classes": 10}
DIGITS = {"shape": (1, 8, 8), "kind": "binary", "value_range": (0.0, 1.0), "levels": 2, "num_classes": 10}
SMALL = {"channels": 4, "layers": 3, "first_kernel": 3, "kernel": 3, "head_channels": 6}


def seeded(seed=0):
    return torch.Generator().manual_seed(seed)


def create(data=LABELLED, **options):
    torch.manual_seed(0)
    classes = {"num_classes": data["num_classes"]} if "num_classes" in data else {}
    return genzoo.create("gated-pixelcnn", data=data, **{**SMALL, **classes, **options})


def labels_for(model, n):
    return None if model.config.num_classes is None else torch.arange(n) % model.config.num_classes


def input_gradients(model, position):
    """|d logits[position] / d input pixel| over the (H, W) image, through the network's input map."""
    height, width = model.image_size
    pixels = torch.rand(1, height, width, 1, generator=seeded(3), requires_grad=True)
    model.image = lambda sequence: pixels
    logits = model.element_logits(torch.zeros(1, height * width, dtype=torch.long), labels_for(model, 1))
    logits[0, position].sum().backward()
    return pixels.grad.reshape(height, width).abs()


def test_every_pixel_before_in_raster_order_and_none_after_reaches_the_output():
    """No blind spot: with 4 layers of 3x3 kernels on a 4x5 image the output at (i, j) depends on every pixel
    above (all columns, the upper right too) and to its left, and on nothing else."""
    model = create(layers=4)
    for position in range(20):
        reached = input_gradients(model, position).reshape(-1) > 0
        assert reached.tolist() == [s < position for s in range(20)], f"pixel {divmod(position, 5)}"


@pytest.mark.parametrize("data", [IMAGE, LABELLED, LEVELS])
def test_logits_of_a_pixel_depend_only_on_the_pixels_before_it(data):
    model = create(data)
    length, values = model.sequence_length, model.num_values
    base = torch.randint(values, (2, length), generator=seeded(1))
    labels = labels_for(model, 2)
    logits = model.element_logits(base, labels)
    for s in range(length):
        changed = base.clone()
        changed[:, s] = (changed[:, s] + 1) % values
        after = model.element_logits(changed, labels)
        assert torch.equal(after[:, : s + 1], logits[:, : s + 1])
        if s < length - 1:
            assert not torch.equal(after[:, s + 1:], logits[:, s + 1:])


def test_the_class_changes_the_logits_of_every_pixel_and_an_unconditional_model_ignores_labels():
    model = create()
    sequence = torch.randint(2, (1, 20), generator=seeded(2)).expand(3, -1)
    logits = model.element_logits(sequence, torch.tensor([0, 1, 2]))
    assert not (logits[0] == logits[1]).all(-1).any() and not (logits[1] == logits[2]).all(-1).any()
    plain = create(IMAGE)
    assert plain.config.num_classes is None and plain.balanced_condition(4) is None
    assert torch.equal(plain.element_logits(sequence, torch.tensor([0, 1, 2])), plain.element_logits(sequence))
    assert sum(p.numel() for p in model.parameters()) - sum(p.numel() for p in plain.parameters()) == 4 * 2 * 3 * 8


def test_conditions_are_checked():
    model = create()
    sequence = torch.zeros(2, 20, dtype=torch.long)
    with pytest.raises(CapabilityError, match="class-conditional .* give class labels"):
        model.element_logits(sequence)
    with pytest.raises(CapabilityError, match="labels in 0..2"):
        model.element_logits(sequence, torch.tensor([0, 3]))
    with pytest.raises(ConfigError, match="num_classes=3 needs data with num_classes=3"):
        genzoo.create("gated-pixelcnn", data=IMAGE, num_classes=3)
    with pytest.raises(ConfigError, match="single-channel images"):
        genzoo.create("gated-pixelcnn", data={**IMAGE, "shape": (20,)})
    with pytest.raises(ConfigError, match="order=raster"):
        genzoo.create("gated-pixelcnn", data=IMAGE, order="random")


def assert_cached_equals_teacher_forced(model, n, seed=2):
    sequence = torch.randint(model.num_values, (n, model.sequence_length), generator=seeded(seed))
    labels = labels_for(model, n)
    with torch.no_grad():
        full = model.element_log_probs(sequence, labels)
        cache = model.start_cache(n, labels)
        for t in range(model.sequence_length):
            step = model.step_logits(cache, t, sequence[:, t - 1] if t else None)
            assert torch.equal(step, full[:, t]), f"element {t}"


def test_the_training_forward_through_conv2d_matches_the_exact_one_to_rounding():
    """In training mode with gradients the TapConvs run F.conv2d: the same function, other rounding."""
    model = create(MNIST, channels=16, layers=3, first_kernel=7)
    sequence = torch.randint(2, (3, 784), generator=seeded(4))
    labels = torch.tensor([0, 5, 9])
    trained_path = model.element_log_probs(sequence, labels)
    assert trained_path.requires_grad
    with torch.no_grad():
        exact = model.element_log_probs(sequence, labels)
    torch.testing.assert_close(trained_path.detach(), exact, rtol=0, atol=1e-5)


@pytest.mark.parametrize("condition", ["per-example", "one", "none"])
def test_logits_without_gradients_come_in_chunks_with_the_same_bits(condition):
    """Without gradients the forward runs EVAL_CHUNK (32) examples at a time: the same bits as one forward."""
    model = create()
    sequence = torch.randint(2, (70, 20), generator=seeded(7))
    labels = {"per-example": torch.arange(70) % 3, "one": torch.tensor([2]), "none": None}[condition]
    with torch.no_grad():
        if labels is None:
            with pytest.raises(CapabilityError, match="give class labels"):
                model.element_logits(sequence)
            return
        assert torch.equal(model.element_logits(sequence, labels), model.image_logits(sequence, labels))
        with pytest.raises(CapabilityError, match="1 or 70 labels"):
            model.element_logits(sequence, torch.tensor([0, 1]))


@pytest.mark.parametrize("data", [IMAGE, LABELLED, LEVELS])
@pytest.mark.parametrize("n", [1, 3, 6])
def test_cached_log_probs_equal_the_teacher_forced_ones_bit_for_bit(data, n):
    assert_cached_equals_teacher_forced(create(data, first_kernel=5), n)


@pytest.mark.parametrize("n", [1, 5])
def test_cached_log_probs_equal_the_teacher_forced_ones_at_mnist_size(n):
    assert_cached_equals_teacher_forced(create(MNIST, channels=16, layers=5, first_kernel=7), n)


@pytest.mark.parametrize("data", [IMAGE, LABELLED, LEVELS])
@pytest.mark.parametrize("sampling", [{}, {"temperature": 0.7}, {"prefix_length": 7}])
def test_naive_and_cached_sampling_draw_the_same_samples_bit_for_bit(data, sampling):
    model = create(data)
    if "prefix_length" in sampling:
        sampling = {**sampling, "prefix": torch.ones(*data["shape"])}
    condition = labels_for(model, 12)
    naive = model.sample(12, condition=condition, sampler="naive", generator=seeded(5), **sampling)
    cached = model.sample(12, condition=condition, sampler="cached", generator=seeded(5), **sampling)
    assert torch.equal(naive, cached)
    assert torch.equal(model.sample(12, condition=condition, generator=seeded(5), **sampling), cached)
    if "prefix" in sampling:
        assert (cached.reshape(12, -1)[:, :7] == 1).all()


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A class-conditional gated PixelCNN trained 30 steps on binarized digits through genzoo's loop."""
    out = tmp_path_factory.mktemp("gated") / "gated"
    train("gated-pixelcnn", data="digits", out=out, data_options={"view": "binarized"},
          model={**SMALL, "channels": 8, "num_classes": 10},
          train={"steps": 30, "batch_size": 32, "lr": 1e-2, "log_every": 10, "sample_every": None}, progress=False)
    return out


def test_training_on_digits_lowers_the_nll(trained):
    model = genzoo.load(trained)
    test, labels = genzoo.plugin.load_dataset("digits", split="test", view="binarized").tensors()
    torch.manual_seed(0)
    initial = genzoo.create("gated-pixelcnn", data=model.data_spec, **{**SMALL, "channels": 8, "num_classes": 10})
    with torch.no_grad():
        before = -initial.log_prob(test, condition=labels).mean()
        after = -model.log_prob(test, condition=labels).mean()
    assert after < before - 5  # 64 pixels: about 44 nats at initialisation


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_the_cli_completes_a_test_digit_and_samples_balanced_labels(trained, tmp_path):
    result = run("sample", trained, "-n", "4", "--prefix", "digits:3", "--prefix-length", "24", "--condition", "3",
                 "--device", "cpu", "-o", tmp_path / "completed.npy")
    assert result.exit_code == 0, result.output
    digit = genzoo.plugin.load_dataset("digits", "test", view="binarized").tensors()[0][3]
    samples = torch.from_numpy(np.load(tmp_path / "completed.npy"))
    assert torch.equal(samples[:, :, :3], digit[:, :3].expand(4, 1, 3, 8))
    result = run("sample", trained, "-n", "10", "--device", "cpu", "-o", tmp_path / "balanced.npy")
    assert result.exit_code == 0 and "balanced labels 0..9" in result.output, result.output
    expected = genzoo.load(trained).sample(10, condition=torch.arange(10), generator=seeded(0))
    assert torch.equal(torch.from_numpy(np.load(tmp_path / "balanced.npy")), expected)


def test_cond_acc_refuses_an_unconditional_configuration_in_one_line():
    from genzoo.metrics import evaluate
    from genzoo.metrics.base import EvalRequest

    with pytest.raises(CapabilityError, match="not conditional in this configuration: it takes no class labels"):
        evaluate(create(DIGITS, num_classes=None), "cond-acc", EvalRequest(data="digits", n=10))


def test_cond_acc_runs_on_the_conditional_samples(trained):
    result = run("eval", trained, "--metric", "cond-acc", "--data", "digits", "--n", "20", "--device", "cpu")
    assert result.exit_code == 0, result.output
    assert "cond-acc" in result.output
