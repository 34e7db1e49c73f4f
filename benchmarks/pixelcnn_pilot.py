"""Pilot of the PixelCNN recipes (issue 14): process CPU seconds per training step, the training loss curve and
the exact test NLL after a few minutes, to size the full `genzoo train` runs.

Each step is what `genzoo train ARCH --trainer nll` does: Adam on the mean exact NLL (nats per example) of a
batch of dynamically binarized MNIST, conditioned on the labels for the class-conditional gated PixelCNN
(training mode: the TapConvs run F.conv2d). The test NLL at the end is `genzoo eval --metric nll --n N`'s: the
first N examples of the binarized test split, scored on the exact path (no gradients). CPU seconds are this
process's (one thread), so they mean something on a shared machine.

    OMP_NUM_THREADS=1 GENZOO_DATA=... python benchmarks/pixelcnn_pilot.py gated-pixelcnn-mnist --steps 200
"""

from __future__ import annotations

import time

import click
import torch

import genzoo
from genzoo.plugin import load_dataset

RECIPES = {
    # name -> (architecture, model config, batch size, lr)
    "gated-pixelcnn-mnist": ("gated-pixelcnn", {"channels": 32, "layers": 8, "num_classes": 10}, 32, 1e-3),
    "pixelcnn-mnist": ("pixelcnn", {"channels": 32, "layers": 7}, 32, 1e-3),
}


@click.command()
@click.argument("recipe", type=click.Choice(sorted(RECIPES)))
@click.option("--steps", type=click.IntRange(1, 100_000), default=100, show_default=True)
@click.option("--log-every", type=click.IntRange(1, 10_000), default=25, show_default=True)
@click.option("--eval-n", type=click.IntRange(1, 10_000), default=500, show_default=True)
@click.option("--set", "overrides", multiple=True, metavar="KEY=INT", help="Override a model config integer.")
def main(recipe, steps, log_every, eval_n, overrides):
    architecture, config, batch_size, lr = RECIPES[recipe]
    config = {**config, **{k: int(v) for k, v in (o.split("=", 1) for o in overrides)}}
    data = load_dataset("mnist", split="train", view="binarized")
    conditional = "num_classes" in config
    torch.manual_seed(0)
    model = genzoo.create(architecture, data=data.data_spec, **config).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(0)
    click.echo(f"{recipe}: {config}, {sum(p.numel() for p in model.parameters()):,} parameters, batch {batch_size}, "
               f"lr {lr}")
    total_cpu, losses = 0.0, []
    for step in range(1, steps + 1):
        index = torch.randint(len(data), (batch_size,), generator=generator).tolist()
        examples = [data[i] for i in index]
        x = torch.stack([e[0] for e in examples])
        y = torch.as_tensor([int(e[1]) for e in examples]) if conditional else None
        cpu = time.process_time()
        loss = -model.log_prob(x, condition=y).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total_cpu += time.process_time() - cpu
        losses.append(loss.item())
        if step % log_every == 0:
            click.echo(f"step {step}: mean loss of the last {log_every} {sum(losses[-log_every:]) / log_every:.2f} "
                       f"nats, {total_cpu:.0f} CPU s so far ({total_cpu / step:.3f} CPU s/step)")
    x, y = load_dataset("mnist", split="test", view="binarized").tensors()
    model.eval()
    with torch.no_grad():
        nll = torch.cat([-model.log_prob(xb, condition=yb if conditional else None)
                         for xb, yb in zip(x[:eval_n].split(250), y[:eval_n].split(250), strict=True)]).mean()
    click.echo(f"test NLL after {steps} steps ({total_cpu:.0f} CPU s): {nll:.2f} nats (first {eval_n} test examples)")


if __name__ == "__main__":
    main()
