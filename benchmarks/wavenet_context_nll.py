"""How much a trained WaveNet uses its context: the test NLL (nats and bits per sample) of each quarter of the
sequence. Elements early in a sequence see little of it; a model that infers each example's tones from its
past scores the later quarters far better than the first.

    python benchmarks/wavenet_context_nll.py RUN_OR_NAME
"""

from __future__ import annotations

import math

import click
import torch

import genzoo
from genzoo.plugin import load_dataset


@click.command()
@click.argument("run")
@click.option("--parts", type=click.IntRange(1, 64), default=4, show_default=True)
@click.option("--batch-size", type=click.IntRange(1, 4096), default=32, show_default=True)
def main(run, parts, batch_size):
    model = genzoo.load(run).eval()
    test = load_dataset("tones", split="test", length=model.sequence_length).x
    with torch.no_grad():
        nll = torch.cat([-model.element_log_probs(batch).gather(-1, batch.unsqueeze(-1)).squeeze(-1)
                         for batch in test.split(batch_size)])
    bounds = [model.sequence_length * i // parts for i in range(parts + 1)]
    click.echo(f"{run}: test NLL per part of the sequence ({len(test)} sequences)")
    click.echo("| elements | nats/sample | bits/sample |")
    click.echo("|---|---|---|")
    for start, stop in zip(bounds, bounds[1:]):
        nats = nll[:, start:stop].mean().item()
        click.echo(f"| {start}-{stop - 1} | {nats:.3f} | {nats / math.log(2):.3f} |")
    nats = nll.mean().item()
    click.echo(f"| all | {nats:.3f} | {nats / math.log(2):.4f} |")


if __name__ == "__main__":
    main()
