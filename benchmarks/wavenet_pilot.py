"""Pilot of the wavenet-tones recipe (issue 14): process CPU seconds per training step and the first losses,
to size the `genzoo train` run that makes the checkpoint.

Each step is what `genzoo train wavenet --data tones` does: Adam on the mean exact NLL of a batch of training
sequences. The loss is printed in nats per example and in bits per sample (what `genzoo eval --metric nll`
reports for 256-level data). CPU seconds are this process's (one thread: a dedicated core's wall time), so
the numbers mean something on a machine shared with other jobs.

    OMP_NUM_THREADS=1 python benchmarks/wavenet_pilot.py --steps 5
"""

from __future__ import annotations

import math
import time

import click
import torch

import genzoo
from genzoo.plugin import load_dataset

RECIPE = {"residual_channels": 32, "gate_channels": 32, "skip_channels": 64, "cycle": 10, "stacks": 2}


@click.command()
@click.option("--steps", type=click.IntRange(1, 100_000), default=5, show_default=True)
@click.option("--batch-size", type=click.IntRange(1, 1024), default=16, show_default=True)
@click.option("--lr", type=click.FloatRange(1e-6, 1.0), default=1e-3, show_default=True)
@click.option("--stacks", type=click.IntRange(1, 16), default=RECIPE["stacks"], show_default=True)
@click.option("--channels", type=click.IntRange(1, 1024), default=RECIPE["residual_channels"], show_default=True,
              help="Residual and gate channels (skip channels twice as many).")
def main(steps, batch_size, lr, stacks, channels):
    config = {**RECIPE, "stacks": stacks, "residual_channels": channels, "gate_channels": channels,
              "skip_channels": 2 * channels}
    data = load_dataset("tones", split="train")
    torch.manual_seed(0)
    model = genzoo.create("wavenet", data=data.data_spec, **config).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(0)
    parameters = sum(p.numel() for p in model.parameters())
    length = model.sequence_length
    click.echo(f"wavenet-tones: {config}, {parameters:,} parameters, receptive field {model.receptive_field}, "
               f"batch {batch_size}, lr {lr}")
    total_cpu = 0.0
    for step in range(1, steps + 1):
        x = data.x[torch.randint(len(data), (batch_size,), generator=generator)]
        cpu = time.process_time()
        loss = -model.log_prob(x).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        cpu = time.process_time() - cpu
        total_cpu += cpu
        click.echo(f"step {step}: loss {loss.item():.1f} nats/example = {loss.item() / length / math.log(2):.3f} "
                   f"bits/sample, {cpu:.2f} CPU s")
    click.echo(f"mean {total_cpu / steps:.2f} CPU s/step over {steps} steps")


if __name__ == "__main__":
    main()
