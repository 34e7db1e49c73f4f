"""Sampling time of latent diffusion beside pixel-space diffusion: the same sampler on two checkpoints.

    python benchmarks/latent_vs_pixel.py [--models ldm-mnist ddpm-mnist] [--sampler ddim] [--steps 50] \\
        [--batch-size 64] [--repeats 3] [--threads 2] [--precision float32]

Each repeat draws one batch from every model in turn (so each sees the same machine load), after
one untimed warm-up batch per model. Timed: `model.sample(batch, sampler=..., steps=...)`, which for
latent diffusion includes decoding the latents with the autoencoder. Printed: network parameters,
median / min / max samples/s and each model's time relative to the first.
"""

from __future__ import annotations

import argparse
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["ldm-mnist", "ddpm-mnist"])
    parser.add_argument("--sampler", default="ddim")
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--precision", choices=["float32", "bfloat16"], default="float32")
    args = parser.parse_args()

    import genzoo
    import torch

    torch.set_num_threads(args.threads)
    models = {name: genzoo.load(name) for name in args.models}
    options = {"sampler": args.sampler, "steps": args.steps, "progress": False, "precision": args.precision}

    def draw(model, seed: int) -> float:
        start = time.perf_counter()
        model.sample(args.batch_size, generator=torch.Generator().manual_seed(seed), **options)
        return args.batch_size / (time.perf_counter() - start)

    for model in models.values():
        model.sample(args.batch_size, **(options | {"steps": 2}))
    rates = {name: [] for name in models}
    for repeat in range(args.repeats):
        for name, model in models.items():
            rates[name].append(draw(model, repeat))

    first = statistics.median(rates[args.models[0]])
    print(f"{args.sampler} {args.steps} steps, batch {args.batch_size}, {args.precision}, {args.threads} threads, "
          f"{args.repeats} repeats, torch {torch.__version__}")
    print(f"{'model':<18}{'params':>10}{'samples/s':>11}{'min':>8}{'max':>8}{'time vs first':>15}")
    for name, model in models.items():
        params = sum(p.numel() for p in model.parameters())
        median = statistics.median(rates[name])
        print(f"{name:<18}{params:>10,}{median:>11.2f}{min(rates[name]):>8.2f}{max(rates[name]):>8.2f}"
              f"{first / median:>14.2f}x")


if __name__ == "__main__":
    main()
