"""PixelCNN++ on 256-level MNIST (issue 14): process CPU seconds per training step for a few sizes, and what
naive sampling costs per pixel, split into the network's forward and the all-levels logistic mixture head.

A training step is what `genzoo train pixelcnnpp --data mnist --set data.view=levels` does per batch: Adam on
the mean exact NLL, through `log_prob` (the head at the observed values only). Naive sampling calls
`element_log_probs` once per pixel: the whole network plus the head over all 256 levels of all 784 pixels;
the whole-image time is the per-pixel time x 784 (every call costs the same), so it is measured on a few
calls and scaled, and end to end through the `naive` sampler completing the last N pixels (`--pixels`) of
the batch's images, scaled by 784 / N. CPU seconds are this process's (one thread: a dedicated core's wall
time), the meaningful reading on a shared machine. Training steps use untrained weights on random level
images. The head's cost depends on its values (exp and log of far-off arguments can take a slower path), so
`--checkpoint RUN` times sampling with a trained model on MNIST test images (GENZOO_DATA).

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/pixelcnnpp_costs.py [--checkpoint RUN]
"""

from __future__ import annotations

import time

import click
import torch

import genzoo
from genzoo.plugin import load_dataset
from genzoo_explicit_likelihood.autoregressive.logistic_mixture import level_log_probs

SIZES = [  # model config overrides of the defaults (filters 32, resnets 1, downsamples 2, components 5)
    {},
    {"filters": 48},
    {"resnets": 2},
    {"filters": 64, "resnets": 2},
]


def cpu_seconds(work, repeats: int) -> float:
    """Mean process CPU seconds of `work()` over `repeats` calls, after one warm-up call."""
    work()
    began = time.process_time()
    for _ in range(repeats):
        work()
    return (time.process_time() - began) / repeats


@click.command()
@click.option("--batch-size", type=click.IntRange(1, 256), default=32, show_default=True)
@click.option("--steps", type=click.IntRange(1, 100), default=3, show_default=True, help="Timed training steps.")
@click.option("--calls", type=click.IntRange(1, 100), default=3, show_default=True,
              help="Timed element_log_probs calls per sampling batch size.")
@click.option("--checkpoint", type=click.Path(exists=True, file_okay=False), help="Time sampling with this trained "
              "model on MNIST test images instead of the untrained defaults on random levels.")
@click.option("--pixels", type=click.IntRange(1, 784), default=16, show_default=True,
              help="Pixels drawn by the timed naive sampler (the last ones; the rest is the prefix).")
def main(batch_size, steps, calls, checkpoint, pixels):
    generator = torch.Generator().manual_seed(0)
    x = torch.randint(256, (batch_size, 1, 28, 28), generator=generator)
    click.echo(f"training step, batch {batch_size} (forward, backward, Adam), mean of {steps}:")
    for size in SIZES:
        torch.manual_seed(0)
        model = genzoo.create("pixelcnnpp", **size).train()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

        def step():
            loss = -model.log_prob(x).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

        parameters = sum(p.numel() for p in model.parameters())
        click.echo(f"  {size or 'defaults'}: {parameters:,} parameters, {cpu_seconds(step, steps):.3f} CPU s/step")
    torch.manual_seed(0)
    model = genzoo.load(checkpoint) if checkpoint else genzoo.create("pixelcnnpp").eval()
    images = load_dataset("mnist", "test", view="levels").tensors()[0][:16] if checkpoint else None
    click.echo(f"naive sampling, {checkpoint or 'untrained defaults'}, mean of {calls} element_log_probs calls, "
               "x 784 pixels:")
    for n in (1, 16):
        sequence = model.to_sequence(images[:n]) if checkpoint else torch.randint(256, (n, 784), generator=generator)
        with torch.no_grad():
            parameters = model.mixture_of_sequence(sequence)
            network = cpu_seconds(lambda: model.mixture_of_sequence(sequence), calls)
            head = cpu_seconds(lambda: level_log_probs(parameters, 256), calls)
        prefix = model.from_sequence(sequence)
        began = time.process_time()
        model.sample(n, sampler="naive", prefix=prefix, prefix_length=784 - pixels, generator=generator)
        sampler = (time.process_time() - began) / pixels
        click.echo(f"  batch {n}: network {network:.3f} + all-levels head {head:.3f} CPU s per pixel; "
                   f"whole image ~{784 * (network + head):.0f} CPU s (head at one pixel only: "
                   f"~{784 * network:.0f} CPU s); the naive sampler on {pixels} pixels: {sampler:.3f} CPU s per "
                   f"pixel, whole image ~{784 * sampler:.0f} CPU s")


if __name__ == "__main__":
    main()
