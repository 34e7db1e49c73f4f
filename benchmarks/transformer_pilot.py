"""Pilot of the transformer recipes (issue 14): process CPU seconds per training step and the loss of the
first steps, to size the full runs that `genzoo train` does later.

Each step is what `genzoo train ARCH --trainer nll` does: Adam on the mean exact NLL (nats per example) of a
batch drawn from the training split (dynamically binarized MNIST for transformer-mnist, Shakespeare sequences
for charlm-shakespeare). CPU seconds are this process's (one thread: a dedicated core's wall time), so the
numbers mean something on a machine shared with other jobs.

    OMP_NUM_THREADS=1 GENZOO_DATA=... python benchmarks/transformer_pilot.py transformer-mnist --steps 5
"""

from __future__ import annotations

import time

import click
import torch

import genzoo
from genzoo.plugin import load_dataset

RECIPES = {
    # name -> (architecture, dataset, dataset options, model config, batch size, lr)
    "transformer-mnist": ("transformer", "mnist", {"view": "binarized"}, {"layers": 4, "width": 128, "heads": 4},
                          32, 1e-3),
    "charlm-shakespeare": ("charlm", "shakespeare", {}, {"layers": 4, "width": 256, "heads": 4}, 32, 1e-3),
}


@click.command()
@click.argument("recipe", type=click.Choice(sorted(RECIPES)))
@click.option("--steps", type=click.IntRange(1, 10_000), default=5, show_default=True)
@click.option("--width", type=click.IntRange(8, 1024), help="Override the recipe's width.")
@click.option("--lr", type=click.FloatRange(1e-6, 1.0), help="Override the recipe's learning rate.")
def main(recipe, steps, width, lr):
    architecture, dataset, options, config, batch_size, recipe_lr = RECIPES[recipe]
    lr = lr or recipe_lr
    if width:
        config = {**config, "width": width}
    data = load_dataset(dataset, split="train", **options)
    torch.manual_seed(0)
    model = genzoo.create(architecture, data=data.data_spec, **config).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(0)
    parameters = sum(p.numel() for p in model.parameters())
    click.echo(f"{recipe}: {config}, {parameters:,} parameters, batch {batch_size}, lr {lr}")
    total_cpu = 0.0
    for step in range(1, steps + 1):
        index = torch.randint(len(data), (batch_size,), generator=generator).tolist()
        x = torch.stack([data[i][0] for i in index])
        cpu, wall = time.process_time(), time.perf_counter()
        loss = -model.log_prob(x).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        total_cpu += cpu
        click.echo(f"step {step}: loss {loss.item():.2f} nats/example, {cpu:.2f} CPU s, {wall:.2f} wall s")
    click.echo(f"mean {total_cpu / steps:.2f} CPU s/step over {steps} steps")


if __name__ == "__main__":
    main()
