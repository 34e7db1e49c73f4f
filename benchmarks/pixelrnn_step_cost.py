"""Process CPU seconds per PixelRNN training step on dynamically binarized MNIST (issue 14), for each cell
and size asked, to size the pixelrnn-mnist recipe.

A step is what `genzoo train pixelrnn --trainer nll` does: Adam on the mean exact NLL (nats per example) of
a batch of binarized training images. One untimed step first (allocations), then --steps timed ones; CPU
seconds are this process's (run with OMP_NUM_THREADS=1: a dedicated core's wall time), so the numbers mean
something on a machine shared with other jobs.

    OMP_NUM_THREADS=1 GENZOO_DATA=... python benchmarks/pixelrnn_step_cost.py \\
        --size diagonal-bilstm:2:16 --size row-lstm:2:16 --batch-size 16 --steps 5
"""

from __future__ import annotations

import time

import click
import torch

import genzoo
from genzoo.plugin import load_dataset


def parse_size(text: str) -> dict:
    """CELL:LAYERS:HIDDEN -> the model config (output_hidden 2 * hidden)."""
    cell, layers, hidden = text.split(":")
    return {"cell": cell, "layers": int(layers), "hidden": int(hidden), "output_hidden": 2 * int(hidden)}


@click.command()
@click.option("--size", "sizes", multiple=True, required=True, help="CELL:LAYERS:HIDDEN (repeatable).")
@click.option("--batch-size", type=click.IntRange(1, 1024), default=16, show_default=True)
@click.option("--steps", type=click.IntRange(1, 1000), default=5, show_default=True)
def main(sizes, batch_size, steps):
    data = load_dataset("mnist", split="train", view="binarized")
    generator = torch.Generator().manual_seed(0)
    for size in sizes:
        config = parse_size(size)
        torch.manual_seed(0)
        model = genzoo.create("pixelrnn", data=data.data_spec, **config).train()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        parameters = sum(p.numel() for p in model.parameters())
        total_cpu = total_wall = 0.0
        for step in range(steps + 1):
            x = torch.stack([data[i][0] for i in torch.randint(len(data), (batch_size,), generator=generator).tolist()])
            cpu, wall = time.process_time(), time.perf_counter()
            loss = -model.log_prob(x).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if step:  # the first step is untimed
                total_cpu += time.process_time() - cpu
                total_wall += time.perf_counter() - wall
        click.echo(f"{size} ({parameters:,} parameters), batch {batch_size}: {total_cpu / steps:.3f} CPU s/step, "
                   f"{total_wall / steps:.3f} wall s/step over {steps} steps (last loss {loss.item():.1f} nats)")


if __name__ == "__main__":
    main()
