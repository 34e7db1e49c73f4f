"""Which sampler settings are fastest for each published diffusion model on this machine: DDIM sampling time in
float32 and bfloat16, eager and compiled, and how many batches compiling takes to pay for itself.

    OMP_NUM_THREADS=1 python benchmarks/diffusion_sampling_settings.py ddpm-digits ddpm-mnist ddpm-mnist-cond \
        ldm-mnist [--batch-size 64] [--steps 50] [--repeats 3] [--device cpu]

It is what the samplers' defaults rest on: `precision=auto` must pick the faster precision for every model, and
`compile` stays off unless a first call's compilation pays back within a sampling run people actually make.
Per model, eager float32 and bfloat16 batches alternate (`--repeats` rounds, the median is printed), then the
model is compiled under auto precision in a fresh Inductor cache: its first batch (compilation included, as a
user's first call would be) and the median of `--repeats` more. Inductor's one-time start-up in a process is paid
before the first model, on a toy function, so that every model's first batch counts only its own compilation.
Break-even is the number of batches after which compile=true has saved its compilation time over eager auto
precision: (first - compiled) / (eager - compiled).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time

import click
import torch
from sides import synchronize


def timed_batch(model, batch_size: int, steps: int, device: torch.device, **options) -> float:
    """Seconds for one DDIM batch (conditional models on balanced labels), noise draw and decoding included."""
    condition = model.balanced_condition(batch_size)  # None for an unconditional model
    generator = torch.Generator(device).manual_seed(0)
    start = time.perf_counter()
    model.sample(batch_size, condition=condition, generator=generator, sampler="ddim", steps=steps, progress=False,
                 **options)
    synchronize(device)
    return time.perf_counter() - start


def measure(name: str, batch_size: int, steps: int, repeats: int, device: torch.device) -> dict[str, float | str]:
    import genzoo
    from genzoo_diffusion.samplers import DDIMSampler

    model = genzoo.load(name, device=device)
    auto = DDIMSampler.Options().resolved_precision(model, device)
    timed_batch(model, batch_size, steps, device, precision="float32")  # warm-up: allocator, oneDNN primitives
    eager = {"float32": [], "bfloat16": []}
    for _ in range(repeats):
        for precision, times in eager.items():
            times.append(timed_batch(model, batch_size, steps, device, precision=precision))
    with tempfile.TemporaryDirectory() as cache:
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = cache  # a cold first call, as on a user's first run
        torch._dynamo.reset()
        first = timed_batch(model, batch_size, steps, device, compile=True)
        compiled = statistics.median(timed_batch(model, batch_size, steps, device, compile=True)
                                     for _ in range(repeats))
    fp32, bf16 = (statistics.median(times) for times in eager.values())
    eager_auto = bf16 if auto == "bfloat16" else fp32
    saving = eager_auto - compiled
    return {"auto": auto, "float32": fp32, "bfloat16": bf16, "eager_auto": eager_auto, "first": first,
            "compiled": compiled, "break_even": (first - compiled) / saving if saving > 0 else float("inf")}


@click.command()
@click.argument("names", nargs=-1, required=True)
@click.option("--batch-size", default=64, show_default=True)
@click.option("--steps", default=50, show_default=True, help="DDIM steps (network calls) per batch.")
@click.option("--repeats", default=3, show_default=True)
@click.option("--device", default="cpu", show_default=True)
def main(names: tuple[str, ...], batch_size: int, steps: int, repeats: int, device: str) -> None:
    device = torch.device(device)
    with tempfile.TemporaryDirectory() as cache:
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = cache
        torch.compile(lambda x: torch.sin(x) + 1)(torch.ones(4, device=device))  # Inductor's start-up, once
    print(f"DDIM-{steps}, batch {batch_size}, {device}, {torch.get_num_threads()} thread(s), "
          f"torch {torch.__version__}; seconds per batch (median of {repeats})")
    header = ("model", "auto =", "float32", "bfloat16", "bf16 speed-up", "compiled (auto)", "compile speed-up",
              "first compiled batch", "compile pays after")
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for name in names:
        row = measure(name, batch_size, steps, repeats, device)
        print(f"{name} | {row['auto']} | {row['float32']:.2f} | {row['bfloat16']:.2f} | "
              f"{row['float32'] / row['bfloat16']:.2f}x | {row['compiled']:.2f} | "
              f"{row['eager_auto'] / row['compiled']:.2f}x | "
              f"{row['first']:.1f} | {row['break_even']:.1f} batches", flush=True)


if __name__ == "__main__":
    main()
