"""Baselines for the `tones` dataset that model one sample at a time from the few before it: the per-level
marginal (order 0) and Markov chains of order 1 and 2 over mu-law levels, scored on the test split in nats
and bits per sample (`genzoo eval RUN --metric nll` reports bits/dim = bits per sample for 256-level data).

Order k: p_k(x | last k levels) = (count(context, x) + beta_k p_{k-1}(x | last k - 1)) / (count(context) + beta_k),
counts from the training split, each order smoothed towards the one below (order 0 towards uniform), the
first k elements of a sequence scored with the orders their shorter context allows. Each beta_k is chosen
from BETAS on the last 10% of the training split (fitted on the first 90%), then the counts are refitted on
the whole training split. A WaveNet that infers each example's tones from its receptive field should beat
all three by far; the gap is what the dilated stack buys.

    python benchmarks/wavenet_baselines.py
"""

from __future__ import annotations

import math

import click
import numpy as np

from genzoo.plugin import load_dataset

LEVELS = 256
BETAS = (0.01, 0.1, 1.0, 10.0, 100.0, 1_000.0, 10_000.0)


def counts(sequences: np.ndarray, order: int) -> np.ndarray:
    """(LEVELS^order, LEVELS) counts of (context of the `order` levels before, level) over every position >= order."""
    n, length = sequences.shape
    context = np.zeros((n, length - order), dtype=np.int64)
    for lag in range(order, 0, -1):
        context = context * LEVELS + sequences[:, order - lag:length - lag]
    joint = context * LEVELS + sequences[:, order:]
    return np.bincount(joint.ravel(), minlength=LEVELS ** (order + 1)).reshape(LEVELS ** order, LEVELS)


def probabilities(table: list[np.ndarray], betas: list[float], sequences: np.ndarray) -> np.ndarray:
    """(n, L) probability of each element under the smoothed chain of order len(table) - 1."""
    marginal = (table[0][0] + betas[0] / LEVELS) / (table[0][0].sum() + betas[0])
    p = marginal[sequences]
    n, length = sequences.shape
    for order in range(1, len(table)):
        context = np.zeros((n, length - order), dtype=np.int64)
        for lag in range(order, 0, -1):
            context = context * LEVELS + sequences[:, order - lag:length - lag]
        seen = table[order][context, sequences[:, order:]]
        total = table[order].sum(1)[context]
        p = p.copy()
        p[:, order:] = (seen + betas[order] * p[:, order:]) / (total + betas[order])
    return p


def fit(train: np.ndarray, order: int, validation: np.ndarray | None) -> tuple[list[np.ndarray], list[float]]:
    """Counts up to `order` and each order's beta (the best on `validation`, order by order)."""
    table = [counts(train, k) for k in range(order + 1)]
    betas: list[float] = []
    for k in range(order + 1):
        scores = {beta: -np.log(probabilities(table[:k + 1], [*betas, beta], validation)).mean() for beta in BETAS}
        betas.append(min(scores, key=scores.get))
    return table, betas


@click.command()
@click.option("--length", type=click.IntRange(4, 16_384), default=1024, show_default=True)
def main(length):
    train = load_dataset("tones", split="train", length=length).x.numpy()
    test = load_dataset("tones", split="test", length=length).x.numpy()
    cut = len(train) * 9 // 10
    click.echo(f"tones, length {length}: {len(train):,} training and {len(test):,} test sequences")
    click.echo("| model | beta per order (chosen on 10% of train) | test nats/sample | test bits/sample |")
    click.echo("|---|---|---|---|")
    for order, name in enumerate(("per-level marginal", "order-1 Markov chain", "order-2 Markov chain")):
        _, betas = fit(train[:cut], order, train[cut:])
        table = [counts(train, k) for k in range(order + 1)]
        nats = -np.log(probabilities(table, betas, test)).mean()
        click.echo(f"| {name} | {', '.join(f'{beta:g}' for beta in betas)} | {nats:.3f} | {nats / math.log(2):.3f} |")


if __name__ == "__main__":
    main()
