"""Where in a DDIM chain a pixel diffusion model's background noise appears, with and without x_0 clipping.

    OMP_NUM_THREADS=1 GENZOO_DATA=DIR python benchmarks/diffusion_chain_background.py ddpm-mnist-cond --steps 20

The same DDIM update as the `ddim` sampler (eta = 0), from the same seed, once with every step's x_0
clipped to [-1, 1] (`clip_x0=true`) and once without. Pixels that end below 12.5/255 count as background;
for the last steps the table shows their x_0 prediction's mean grey level (of 255, clamped to the range)
and the share that would snap to a non-zero level, so one sees whether the noise is set early and kept,
or made by the last steps.
"""

from __future__ import annotations

import click
import torch

import genzoo
from genzoo_diffusion.samplers import sampling_timesteps


def chain(model, n: int, steps: int, guidance_scale: float | None, clip: bool, seed: int):
    """[(t, x_0 prediction)] along a DDIM chain and its final sample in [-1, 1]."""
    abar = model.schedule.alphas_cumprod
    condition = torch.arange(n) % model.data_spec.num_classes if model.conditional else None
    x = model.initial_noise(n, torch.Generator().manual_seed(seed))
    timesteps = sampling_timesteps(model.timesteps, steps)
    predictions = []
    for t, t_next in zip(timesteps, [*timesteps[1:], None]):
        eps, x0 = model.predict(x, t, condition, guidance_scale, clip)
        predictions.append((t, x0))
        if t_next is None:
            return predictions, x0.clamp(-1, 1)
        x = abar[t_next].sqrt() * x0 + (1 - abar[t_next]).sqrt() * eps


@click.command()
@click.argument("model_name")
@click.option("--n", type=click.IntRange(1, 10_000), default=100, show_default=True)
@click.option("--steps", type=click.IntRange(2, 1000), default=20, show_default=True)
@click.option("--guidance-scale", type=float, default=None, help="Default: the model's.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--last", type=click.IntRange(1, 1000), default=8, show_default=True, help="Steps shown.")
def main(model_name, n, steps, guidance_scale, seed, last):
    model = genzoo.load(model_name).eval()
    for clip in (True, False):
        with torch.no_grad():
            predictions, sample = chain(model, n, steps, guidance_scale, clip, seed)
        levels = lambda x: (x.clamp(-1, 1) + 1) * 127.5  # noqa: E731
        final = levels(sample)
        background = final < 12.5
        final = final.round()
        print(f"{model_name} ddim-{steps}, clip_x0={clip}: pixels at 0 {float((final == 0).float().mean()):.4f}, "
              f"at 1-12 {float(((final > 0) & (final <= 12)).float().mean()):.4f}")
        for t, x0 in predictions[-last:]:
            level = levels(x0)[background]
            print(f"  t={t:4d}  background x_0 mean level {float(level.mean()):6.2f}, "
                  f"share >= 0.5 {float((level >= 0.5).float().mean()):.3f}")


if __name__ == "__main__":
    main()
