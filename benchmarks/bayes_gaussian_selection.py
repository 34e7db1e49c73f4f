"""How bayes-gaussian's regulariser was chosen: held-out scores on the train split only, never on test.

    OMP_NUM_THREADS=1 python benchmarks/bayes_gaussian_selection.py digits   # 5-fold CV, both fitting views
    OMP_NUM_THREADS=1 python benchmarks/bayes_gaussian_selection.py mnist    # a 10,000-image validation split

Each class covariance is (1 - shrinkage) S_k + shrinkage S_pooled + ridge I (see bayes_gaussian.py).
Printed per setting: held-out bits/dim of log p(x | y) on dequantized images (the nll metric's protocol)
and the held-out accuracy of the Bayes classifier. On digits the model is fitted on the dequantized or
the plain continuous view and always scored on dequantized images; on MNIST (GENZOO_DATA) it is fitted
on the dequantized view. A setting whose covariance stays singular prints the model's own error.
"""

from __future__ import annotations

import itertools
import math

import click
import torch

from genzoo.data import load_dataset
from genzoo.errors import GenzooError
from genzoo_explicit_likelihood.bayes_gaussian import BayesGaussian, BayesGaussianConfig

GRIDS = {
    "digits": {"shrinkage": (0.1, 0.2, 0.3), "ridge": (0.0, 3e-5, 1e-4, 3e-4)},
    "mnist": {"shrinkage": (0.05, 0.2), "ridge": (1e-6, 1e-4, 1e-2, 3e-2, 1e-1)},
}
VALIDATION = 10_000


def _scores(dataset: str, view: str, shrinkage: float, ridge: float, splits) -> tuple[float, float]:
    """(bits/dim of log p(x|y), accuracy) over the held-out parts of `splits` [(fit_index, held_index)]."""
    fit_x = load_dataset(dataset, "train", optional={"view": view, "seed": 0}).tensors()[0]
    scored = load_dataset(dataset, "train", optional={"view": "dequantized", "seed": 0})
    x, y = scored.tensors()
    nats, correct, count = 0.0, 0, 0
    for fit, held in splits:
        model = BayesGaussian(BayesGaussianConfig(data=scored.data_spec, shrinkage=shrinkage, ridge=ridge))
        model.fit_closed_form(fit_x[fit], y[fit])
        with torch.no_grad():
            nats -= model.log_prob(x[held], condition=y[held]).double().sum().item()
            correct += (model.classify(x[held]).argmax(1) == y[held]).sum().item()
        count += len(held)
    levels, dim = scored.data_spec.levels, scored.data_spec.dim
    return (nats / count / dim + math.log(levels)) / math.log(2), correct / count


def _splits(dataset: str, n: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    order = torch.randperm(n, generator=torch.Generator().manual_seed(0))
    if dataset == "mnist":
        return [(order[VALIDATION:], order[:VALIDATION])]
    folds = order.chunk(5)
    return [(torch.cat([f for j, f in enumerate(folds) if j != i]), held) for i, held in enumerate(folds)]


@click.command()
@click.argument("dataset", type=click.Choice(sorted(GRIDS)))
def main(dataset: str) -> None:
    torch.set_num_threads(1)
    n = len(load_dataset(dataset, "train", optional={"view": "continuous"}))
    splits = _splits(dataset, n)
    views = ("dequantized", "continuous") if dataset == "digits" else ("dequantized",)
    click.echo("| fitted on | shrinkage | ridge | held-out bits/dim | held-out accuracy |\n|---|---|---|---|---|")
    grid = GRIDS[dataset]
    for view, shrinkage, ridge in itertools.product(views, grid["shrinkage"], grid["ridge"]):
        try:
            bpd, accuracy = _scores(dataset, view, shrinkage, ridge, splits)
            click.echo(f"| {view} | {shrinkage:g} | {ridge:g} | {bpd:.4f} | {accuracy:.4f} |")
        except GenzooError as error:
            click.echo(f"| {view} | {shrinkage:g} | {ridge:g} | {error} | |")


if __name__ == "__main__":
    main()
