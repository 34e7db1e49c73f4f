"""The `stacked-modes` metric: how many of stacked MNIST's 1,000 modes a model's samples reach, and how evenly.

The protocol of Metz et al. 2017 and Lin et al. 2018 (PacGAN, Table 3): 26,000 samples, each channel
read by a pretrained MNIST classifier (here the project's `classifier-mnist`), a sample's mode is
the three-digit number; reported are the number of modes with at least one sample and
KL(q || p) in nats, q the empirical distribution of the sample modes and p uniform over the 1,000
modes (the direction PacGAN reports). Even a model that matched the data exactly scores KL > 0:
n finite samples add about 999 / (2n) (0.019 at n = 26,000), and the data are not quite uniform
(MNIST train has 9.0% fives and 11.2% ones: 0.004 nats over three channels). So
`genzoo eval --real stacked-mnist --metric stacked-modes` measures real stacked images in the same
way, together with the classifier's per-channel accuracy on them (their digits are known): the
reference a model is read against.
"""

from __future__ import annotations

import torch
from tqdm import tqdm

from genzoo.plugin import EvalRequest, GenzooError, from_levels

from genzoo_adversarial.stacked_mnist import CHANNELS, NUM_MODES, stacked_labels

DEFAULT_SAMPLES = 26_000
CLASSIFIER = "classifier-mnist"
SHAPE = (CHANNELS, 28, 28)


def mode_statistics(modes: torch.Tensor, num_modes: int = NUM_MODES) -> tuple[int, float]:
    """(modes with at least one sample, KL(q || uniform) in nats) of integer mode ids in [0, num_modes)."""
    counts = torch.bincount(modes.long().cpu(), minlength=num_modes).double()
    q = counts[counts > 0] / counts.sum()
    return len(q), float((q * (q * num_modes).log()).sum())


def channel_digits(classifier, x: torch.Tensor) -> torch.Tensor:
    """(n, 3) digits the classifier reads in each channel of stacked images (levels become k / (L-1))."""
    if not x.is_floating_point():
        x = from_levels(x, classifier.data_spec.levels)
    n = len(x)
    channels = x.to(classifier.device).reshape(n * CHANNELS, 1, *x.shape[2:])
    return classifier.classify(channels).argmax(1).reshape(n, CHANNELS).cpu()


@torch.no_grad()
def stacked_modes_metric(model, request: EvalRequest):
    """Modes and KL to uniform of n model samples or, with no model (--real), of n real train examples."""
    n = request.n or DEFAULT_SAMPLES
    if model is None:
        return _real_reference(request, n)
    if tuple(model.data_spec.shape) != SHAPE:
        raise GenzooError(f"stacked-modes reads three MNIST digits per sample: {model.name!r} makes samples of shape "
                          f"{tuple(model.data_spec.shape)}, not {SHAPE} (train it on stacked-mnist)")
    classifier = load_classifier(request)
    generator = torch.Generator(device=model.device).manual_seed(request.seed)
    digits = []
    for start in tqdm(range(0, n, request.batch_size), desc="stacked modes", leave=False, mininterval=5):
        size = min(request.batch_size, n - start)
        samples = model.sample(size, generator=generator, sampler=request.sampler, **request.sampler_options)
        digits.append(channel_digits(classifier, samples))
    modes, kl = mode_statistics(stacked_labels(torch.cat(digits)))
    sampling = model.card_sampling(request.sampler, request.sampler_options)
    notes = (f"n={n} samples, each channel read by {CLASSIFIER}; KL(q || uniform over {NUM_MODES}) in nats"
             + (f", the card's sampler {sampling}" if sampling else ""))
    return [request.result("modes", modes, split="samples", notes=notes),
            request.result("kl-to-uniform", kl, split="samples", notes=notes)]


@torch.no_grad()
def read_real(classifier, dataset, indices: torch.Tensor, batch_size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """((n, 3) digits the classifier reads, (n,) true labels) of the real stacked examples at `indices`."""
    read, truth = [], []
    for batch in tqdm(indices.split(batch_size), desc="stacked modes", leave=False, mininterval=5):
        x, labels = zip(*(dataset[i] for i in batch.tolist()))
        read.append(channel_digits(classifier, torch.stack(x)))
        truth.append(torch.tensor([int(label) for label in labels]))
    return torch.cat(read), torch.cat(truth)


def label_digits(labels: torch.Tensor) -> torch.Tensor:
    """(n, 3) digits (R, G, B) of stacked labels 100*d_R + 10*d_G + d_B."""
    return torch.stack([labels // 100, labels // 10 % 10, labels % 10], 1)


def load_classifier(request: EvalRequest):
    """The project's MNIST classifier (a registered pretrained model), on the requested device."""
    import genzoo

    return genzoo.load(CLASSIFIER, device=request.device)


def _real_reference(request: EvalRequest, n: int):
    """The same counts on n real examples of the train split (what the models learn), drawn without replacement
    by the request's seed, and how often the classifier reads a real channel's digit right."""
    train = request.dataset("train", "continuous")
    spec = train.data_spec
    if tuple(spec.shape) != SHAPE or spec.num_classes != NUM_MODES:
        raise GenzooError(f"stacked-modes needs stacked MNIST ({NUM_MODES} classes of shape {SHAPE}); "
                          f"{request.data!r} has {spec.num_classes or 'no'} classes of shape {spec.shape}")
    if n > len(train):
        raise GenzooError(f"--n {n} is more than the {len(train):,} train examples of {request.data}")
    chosen = torch.randperm(len(train), generator=torch.Generator().manual_seed(request.seed))[:n]
    read, truth = read_real(load_classifier(request), train, chosen, request.batch_size)
    modes, kl = mode_statistics(stacked_labels(read))
    true_modes, true_kl = mode_statistics(truth)
    notes = f"n={n} real train examples, each channel read by {CLASSIFIER}; KL(q || uniform over {NUM_MODES}) in nats"
    label_notes = f"n={n} real train examples, their true labels (no classifier)"
    return [request.result("modes", modes, split="train", notes=notes),
            request.result("kl-to-uniform", kl, split="train", notes=notes),
            request.result("modes-true-labels", true_modes, split="train", notes=label_notes),
            request.result("kl-to-uniform-true-labels", true_kl, split="train", notes=label_notes),
            request.result("channel-accuracy", float((read == label_digits(truth)).double().mean()), split="train",
                           notes=f"share of the {CHANNELS * n} channels whose digit {CLASSIFIER} reads right"),
            request.result("mode-accuracy", float((stacked_labels(read) == truth).double().mean()), split="train",
                           notes=f"share of the {n} examples whose three digits {CLASSIFIER} all reads right")]
