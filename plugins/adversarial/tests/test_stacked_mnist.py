"""Stacked MNIST: the dataset's triples and labels, and the stacked-modes metric's counts, KL and errors."""

from __future__ import annotations

import math
import os
from types import SimpleNamespace

import pytest
import torch

import genzoo
from genzoo.plugin import EvalRequest, GenzooError, ImageDataset, load_dataset

from genzoo_adversarial import stacked_mnist, stacked_mnist_availability, stacked_modes
from genzoo_adversarial.stacked_mnist import stacked_labels
from genzoo_adversarial.stacked_modes import channel_digits, label_digits, mode_statistics, stacked_modes_metric

needs_mnist = pytest.mark.skipif(not os.environ.get("GENZOO_DATA"), reason="MNIST needs GENZOO_DATA")


def test_mode_count_and_kl_to_uniform_by_hand():
    # 4 samples on 3 modes: q = (1/2, 1/4, 1/4); KL(q || 1/1000) = 1/2 ln(500) + 2 * 1/4 ln(250)
    modes, kl = mode_statistics(torch.tensor([7, 7, 123, 999]))
    assert modes == 3
    assert kl == pytest.approx(0.5 * math.log(500) + 0.5 * math.log(250))  # (6.214608 + 5.521461) / 2
    assert kl == pytest.approx(5.868035, abs=1e-6)
    assert mode_statistics(torch.arange(1000)) == (1000, pytest.approx(0.0, abs=1e-12))  # uniform: no divergence
    assert mode_statistics(torch.full((5,), 42)) == (1, pytest.approx(math.log(1000)))  # one mode: ln 1000
    assert mode_statistics(torch.tensor([0, 1, 1, 1]), num_modes=4) == (2, pytest.approx(
        0.25 * math.log(1) + 0.75 * math.log(3)))


def test_labels_read_the_channels_as_hundreds_tens_and_units():
    digits = torch.tensor([[1, 2, 3], [0, 0, 7], [9, 9, 9]])
    assert stacked_labels(digits).tolist() == [123, 7, 999]
    assert torch.equal(label_digits(stacked_labels(digits)), digits)


def _fake_mnist(calls: list):
    """A stand-in for load_dataset("mnist", ...): image k of a split has every pixel at level k (mod 256) and digit
    (3k + offset) mod 10, offset 0 for train and 5 for test, so a stacked channel names its source image."""

    def load(name, split, **options):
        calls.append((name, split, options))
        n, offset = {"train": (40, 0), "test": (20, 5)}[split]
        levels = (torch.arange(n) % 256).to(torch.uint8).reshape(n, 1, 1, 1).expand(n, 1, 28, 28).clone()
        digits = (3 * torch.arange(n) + offset) % 10
        return ImageDataset(levels, digits, num_levels=256, num_classes=10, view=options["view"], seed=0,
                            name="mnist", split=split)

    return load


def _source_images(x: torch.Tensor) -> torch.Tensor:
    """(n, 3) indices of the fake MNIST images stacked in continuous-view examples x (n, 3, 28, 28)."""
    return (x[:, :, 0, 0] * 255).round().long()


def test_channels_are_mnist_images_of_the_split_and_the_label_names_their_digits(monkeypatch):
    calls = []
    monkeypatch.setattr(stacked_mnist, "load_dataset", _fake_mnist(calls))
    for split, n, offset in (("train", 40, 0), ("test", 20, 5)):
        data = stacked_mnist.stacked_mnist(split, size=50)
        x, y = data.tensors()
        assert x.shape == (50, 3, 28, 28) and data.fields["label"].num_classes == 1000
        assert torch.equal(x, x[:, :, :1, :1].expand_as(x))  # each channel is one whole source image
        sources = _source_images(x)
        assert sources.max() < n and len(sources.unique()) > 10  # drawn from this split's images, not one
        assert torch.equal(y, stacked_labels((3 * sources + offset) % 10))
        assert data[7][1] == y[7] and torch.equal(data[7][0], x[7])
    assert [(name, split) for name, split, _ in calls] == [("mnist", "train"), ("mnist", "test")]
    assert stacked_mnist.stacked_mnist("test").tensors()[0].shape[0] == 10_000  # default sizes


def test_the_triples_are_fixed_by_triples_seed_alone(monkeypatch):
    monkeypatch.setattr(stacked_mnist, "load_dataset", _fake_mnist([]))

    def sources(size=30, **options):
        return _source_images(stacked_mnist.stacked_mnist("train", size=size, **options).tensors()[0])

    first = sources()
    assert torch.equal(first, sources())
    assert torch.equal(first, sources(seed=7))  # the view seed (an eval's --seed) leaves the triples alone
    assert torch.equal(first[:10], sources(size=10))  # a larger size extends the same triples
    assert not torch.equal(first, sources(triples_seed=1))
    levels = stacked_mnist.stacked_mnist("train", size=30, view="levels").tensors()[0]
    assert levels.dtype == torch.int64 and torch.equal(levels[:, :, 0, 0], first)


class DigitReader:
    """A stand-in classifier: reads an image's digit as its pixel level mod 10 (its logits peak there)."""

    data_spec = SimpleNamespace(levels=256)
    device = torch.device("cpu")

    def classify(self, x: torch.Tensor) -> torch.Tensor:
        assert x.shape[1:] == (1, 28, 28)
        digit = (x[:, 0, 0, 0] * 255).round().long() % 10
        return torch.nn.functional.one_hot(digit, 10).float()


def test_channel_digits_reads_each_channel_in_order():
    levels = torch.tensor([[3, 141, 12], [250, 0, 9]], dtype=torch.uint8).reshape(2, 3, 1, 1).expand(2, 3, 28, 28)
    expected = torch.tensor([[3, 1, 2], [0, 0, 9]])
    assert torch.equal(channel_digits(DigitReader(), levels.float() / 255), expected)
    assert torch.equal(channel_digits(DigitReader(), levels.long()), expected)  # level indices become k / 255


def _stacked_dcgan(shape=(3, 28, 28)):
    return genzoo.create("dcgan", data={"shape": shape, "value_range": (0.0, 1.0)}, channels=(4, 8), latent_dim=5)


def test_samples_are_counted_by_their_channel_digits(monkeypatch):
    monkeypatch.setattr(stacked_modes, "load_classifier", lambda request: DigitReader())
    torch.manual_seed(0)
    model = _stacked_dcgan()
    request = EvalRequest(data="stacked-mnist", n=30, batch_size=8, seed=3)
    results = {r.name: r.value for r in stacked_modes_metric(model, request)}
    samples = torch.cat([model.sample(size, generator=generator)
                         for generator in [torch.Generator().manual_seed(3)] for size in (8, 8, 8, 6)])
    modes, kl = mode_statistics(stacked_labels(channel_digits(DigitReader(), samples)))
    assert results == {"modes": modes, "kl-to-uniform": pytest.approx(kl)}
    assert results == {name: value for name, value in
                       ((r.name, r.value) for r in stacked_modes_metric(model, request))}  # same seed, same count


def test_a_model_of_other_images_is_refused_in_one_line():
    request = EvalRequest(data="stacked-mnist", n=10)
    with pytest.raises(GenzooError, match=r"^stacked-modes reads three MNIST digits per sample: .* shape "
                                          r"\(1, 28, 28\), not \(3, 28, 28\) \(train it on stacked-mnist\)$"):
        stacked_modes_metric(_stacked_dcgan((1, 28, 28)), request)


def test_the_real_reference_refuses_data_that_are_not_stacked_mnist():
    with pytest.raises(GenzooError, match="stacked-modes needs stacked MNIST .* 'digits' has 10 classes of shape"):
        stacked_modes_metric(None, EvalRequest(data="digits", n=10))


def test_missing_says_why_when_mnist_is_absent(monkeypatch, tmp_path):
    monkeypatch.setenv("GENZOO_DATA", str(tmp_path))
    assert "MNIST IDX files not found" in stacked_mnist_availability.missing()


@needs_mnist
def test_real_stacks_hold_mnist_digits_and_the_classifier_reads_them():
    data = load_dataset("stacked-mnist", "test", size=200)
    mnist = load_dataset("mnist", "test")
    images, digits = mnist.tensors()
    x, y = data.tensors()
    for i in range(3):  # each channel is an MNIST test image of the label's digit
        for channel, digit in enumerate(label_digits(y[i : i + 1])[0]):
            match = (images[:, 0] == x[i, channel]).flatten(1).all(1).nonzero().flatten()
            assert len(match) >= 1 and set(digits[match].tolist()) == {int(digit)}
    results = {r.name: r.value for r in stacked_modes_metric(None, EvalRequest(data="stacked-mnist", n=300))}
    assert results["channel-accuracy"] > 0.97 and results["mode-accuracy"] > 0.9
    assert results["modes-true-labels"] <= 300 and abs(results["modes"] - results["modes-true-labels"]) <= 15
