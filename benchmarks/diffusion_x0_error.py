"""How well a pixel diffusion model predicts x_0 from real noised MNIST test digits, timestep by timestep.

    OMP_NUM_THREADS=1 GENZOO_DATA=DIR python benchmarks/diffusion_x0_error.py ddpm-mnist-cond --n 100

For each timestep t (0-based, as the samplers index them) the first n test digits are noised with a
seeded eps, and `model.predict` gives x_0_hat (clipped to [-1, 1] unless --no-clip-x0, like the samplers'
clip_x0 option).
On background pixels (exactly 0 in the data) the table shows the mean error in grey levels
(of 255; positive = brighter than the data), the share that would snap to a non-zero level, and the
eps error |eps_hat - eps| that the x_0 error comes from (x_0 error = sqrt(1 - abar) / sqrt(abar) times
it); on digit pixels the mean |x_0_hat - x_0| in grey levels. This separates what the network gets
wrong at small t (training) from what the sampler's chain adds.

`--offset L` first lifts every background pixel by L grey levels, as the sampler's chain leaves it, and
still measures the error against the clean digit: the background columns then show how much of a
smooth error the denoiser removes at each t (none: bg err = L; all: bg err = 0).
"""

from __future__ import annotations

import click
import torch

import genzoo
from genzoo.plugin import load_dataset

TIMESTEPS = (0, 1, 2, 5, 10, 20, 41, 61, 102, 204, 408)


@click.command()
@click.argument("model_name")
@click.option("--n", type=click.IntRange(1, 10_000), default=100, show_default=True, help="Test digits.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--guidance-scale", type=float, default=None, help="Default: the model's.")
@click.option("--clip-x0/--no-clip-x0", default=True, show_default=True,
              help="Clip x_0 to [-1, 1] as the samplers' clip_x0 option does.")
@click.option("--bfloat16", is_flag=True, help="Run the denoiser under bfloat16 autocast (as training with "
              "step.mixed_precision did): its inputs lose the bits that carry small-t noise.")
@click.option("--offset", type=float, default=0.0, show_default=True,
              help="Grey levels added to every background pixel before noising.")
@click.option("--timestep", "timesteps", type=int, multiple=True, default=TIMESTEPS, show_default=True)
def main(model_name, n, seed, guidance_scale, clip_x0, bfloat16, offset, timesteps):
    model = genzoo.load(model_name).eval()
    digits = load_dataset("mnist", "test")
    x0 = model.to_diffusion_space(digits.levels[:n].float() / (digits.num_levels - 1))
    labels = digits.y[:n] if model.conditional else None
    background = digits.levels[:n] == 0
    per_level = 2 / (digits.num_levels - 1)  # one grey level in [-1, 1]
    print(f"{model_name}: n={n} test digits, guidance {guidance_scale if guidance_scale is not None else 'default'}, "
          f"clip_x0={clip_x0}, {'bfloat16 autocast' if bfloat16 else 'float32'}, background offset {offset} levels")
    lifted = x0 + offset * per_level * background.float()
    print(f"{'t':>5s} {'sigma/alpha':>11s} {'bg err':>8s} {'bg |err|':>9s} {'bg > 0':>7s} {'bg |eps err|':>13s} "
          f"{'digit |err|':>12s}")
    for t in timesteps:
        generator = torch.Generator().manual_seed(seed + t)
        noise = torch.randn(x0.shape, generator=generator)
        step = torch.full((n,), t, dtype=torch.long)
        xt = model.schedule.q_sample(lifted, step, noise)
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bfloat16):
            eps, x0_hat = model.predict(xt, step, labels, guidance_scale, clip_x0)
        error = (x0_hat - x0) / per_level
        a, s = model.schedule.scales(step, x0)
        lit = (x0_hat[background] + 1) / per_level >= 0.5
        print(f"{t:5d} {float(s[0] / a[0]):11.4f} {float(error[background].mean()):8.2f} "
              f"{float(error[background].abs().mean()):9.2f} {float(lit.float().mean()):7.3f} "
              f"{float((eps - noise)[background].abs().mean()):13.3f} {float(error[~background].abs().mean()):12.2f}")


if __name__ == "__main__":
    main()
