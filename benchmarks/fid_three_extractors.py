"""FID of MNIST generators under three feature extractors: does a ranking survive a change of yardstick?

    OMP_NUM_THREADS=2 GENZOO_DATA=DIR python benchmarks/fid_three_extractors.py --n 2000 \
        --model ddpm-mnist-cond --model vae-mnist@latent-gmm:output=mean --model stylegan-mnist

The project's FID uses the penultimate features of its own MNIST classifier, which was trained to ignore
what does not change a digit's class, such as a faint grey veil over the background (issue 17: an
outside extractor ranked `ddpm-mnist-cond` level with a VAE that the classifier's FID put far behind).
So every model here is also measured with two extractors that owe nothing to the classifier or to any
of the models: `pixel-pca`, the top 64 principal components of real train images (linear: sees every
pixel, background included), and `random-cnn`, a fixed-seed, untrained three-layer convolutional net
(random features rank generators close to trained ones, Naeem et al. 2020). Each column's floor is real
test digits against the same real train digits; a model's `x floor` is its FID over that floor. A ranking that
holds in all three columns is worth more than any one; on MNIST the two outside extractors barely tell malformed
digits from good ones (the top README's table), so neither replaces the classifier.

A model is `NAME[@SAMPLER[:KEY=VALUE,...]]` (a pretrained name or checkpoint folder; without @ its card's
sampler); conditional models get the labels 0..9 in turn. Every model is compared with the continuous
256-level MNIST, the digits people see, whatever view it was trained on.

`--also-zeroed L` (repeatable) adds a diagnostic row per model: the same samples with every pixel at or below
L/255 set to 0. It is what the outside evaluator of issue 17 did to show what a faint background veil costs;
it says how much of a model's FID under each extractor the veil still accounts for, and is not a way to sample.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
import torch
from torch import nn

import genzoo
from diffusion_pixel_histogram import parse_setting
from genzoo.distributions.levels import from_levels
from genzoo.errors import GenzooError
from genzoo.metrics.base import EvalRequest, draw_samples
from genzoo.metrics.features import classifier_features, load_feature_classifier
from genzoo.metrics.fid import frechet_distance
from genzoo.plugin import load_dataset

PCA_COMPONENTS = 64
BATCH = 500

Extractor = Callable[[torch.Tensor], torch.Tensor]


def pixel_pca(train: torch.Tensor) -> Extractor:
    """Projection of flattened images onto the top principal directions of the real train images."""
    flat = train.flatten(1).double()
    mean = flat.mean(0)
    _, _, directions = torch.linalg.svd(flat - mean, full_matrices=False)
    basis = directions[:PCA_COMPONENTS].T
    return lambda x: (x.flatten(1).double() - mean) @ basis


def random_cnn(train: torch.Tensor, seed: int = 0) -> Extractor:
    """An untrained conv net (PyTorch's default init from a fixed seed): its last 128 features averaged over space, each
    standardized by its mean and std over the real train images (so that no unit dominates by scale alone)."""
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Conv2d(1, 32, 3, stride=2, padding=1), nn.ReLU(),
                        nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.ReLU(),
                        nn.Conv2d(64, 128, 3, stride=2, padding=1), nn.ReLU(),
                        nn.AdaptiveAvgPool2d(1), nn.Flatten()).eval()

    @torch.no_grad()
    def raw(x: torch.Tensor) -> torch.Tensor:
        return torch.cat([net(chunk.float()) for chunk in x.split(BATCH)]).double()

    reference = raw(train)
    mean, std = reference.mean(0), reference.std(0).clamp_min(1e-12)
    return lambda x: (raw(x) - mean) / std


def classifier(dataset: str) -> Extractor:
    model = load_feature_classifier(dataset, "cpu")
    return lambda x: classifier_features(model, x, BATCH)


def parse_model(text: str) -> tuple[str, str]:
    """'vae-mnist@latent-gmm:output=mean' -> ('vae-mnist', 'latent-gmm:output=mean'); no @: the card's sampler."""
    name, _, setting = text.partition("@")
    return name, setting or "default"


def samples(text: str, n: int, seed: int) -> torch.Tensor:
    """`n` samples in [0, 1] drawn as `genzoo eval` draws them: balanced labels, batches from one seeded generator."""
    name, setting = parse_model(text)
    sampler, options = parse_setting(setting)
    try:
        model = genzoo.load(name, device="cpu").eval()
        request = EvalRequest(data="mnist", n=n, seed=seed, sampler=sampler, sampler_options=options, batch_size=BATCH)
        x = draw_samples(model, request, n, condition=model.balanced_condition(n))
    except GenzooError as error:
        raise click.UsageError(f"{text}: {error}") from None
    if tuple(x.shape[1:]) != (1, 28, 28):
        raise click.UsageError(f"{name} makes samples shaped {tuple(x.shape[1:])}, not MNIST's (1, 28, 28)")
    return x.float() if x.is_floating_point() else from_levels(x, model.data_spec.levels)  # level indices -> [0, 1]


@click.command()
@click.option("--model", "models", multiple=True, required=True, help="NAME[@SAMPLER[:KEY=VALUE,...]], repeatable.")
@click.option("--n", type=click.IntRange(100, 10_000), default=2000, show_default=True,
              help="Samples per model, and real test and train digits.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--also-zeroed", type=click.IntRange(1, 254), multiple=True,
              help="Also score each model's samples with pixels <= this level (of 255) set to 0 "
                   "(a diagnostic).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Also write the table here.")
def main(models, n, seed, also_zeroed, output):
    generator = torch.Generator().manual_seed(seed)
    train = load_dataset("mnist", "train", optional={"view": "continuous"}).tensors()[0]
    test = load_dataset("mnist", "test", optional={"view": "continuous"}).tensors()[0]
    x_train = train[torch.randperm(len(train), generator=generator)[:n]]
    x_test = test[torch.randperm(len(test), generator=generator)[:n]]
    extractors = {"classifier": classifier("mnist"), "pixel-pca": pixel_pca(train), "random-cnn": random_cnn(train, seed)}
    references = {name: extract(x_train) for name, extract in extractors.items()}

    def fids(x: torch.Tensor) -> dict[str, float]:
        return {name: frechet_distance(extract(x), references[name], torch.Generator().manual_seed(seed))
                for name, extract in extractors.items()}

    rows = {"real MNIST test (floor)": fids(x_test)}
    for text in models:
        x = samples(text, n, seed)
        rows[text] = fids(x)
        click.echo(f"{text}: " + ", ".join(f"{k} {v:.3f}" for k, v in rows[text].items()), err=True)
        for level in also_zeroed:
            rows[f"{text} (<= {level}/255 zeroed)"] = fids(torch.where(x <= (level + 0.5) / 255, 0.0, x))
    floors = rows["real MNIST test (floor)"]
    width = max(map(len, rows)) + 2
    lines = [f"FID at n={n}, seed={seed}, against real MNIST train digits (x floor: FID / that column's floor)",
             f"{'':{width}s}" + "".join(f"{name:>24s}" for name in extractors)]
    for label, values in rows.items():
        lines.append(f"{label:{width}s}" + "".join(f"{values[k]:>12.3f} ({values[k] / floors[k]:>6.1f}x)"
                                                    for k in extractors))
    ranks = {k: sorted(models, key=lambda m: rows[m][k]) for k in extractors}
    lines += [f"rank by {k}: " + " < ".join(order) for k, order in ranks.items()]
    table = "\n".join(lines)
    click.echo(table)
    if output:
        from genzoo.atomic import write_text

        write_text(output, table + "\n")


if __name__ == "__main__":
    main()
