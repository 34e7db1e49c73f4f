"""DDIM sampling throughput of genzoo's diffusion UNet beside diffusers (the anchor): same UNets, same run.

    python benchmarks/ddim_throughput.py [--threads 2] [--repeats 3] [--batch-size 64] [--steps 50] \\
        [--config all|anchor|published] [--precision float32|bfloat16] [--genzoo-precision auto|float32|bfloat16] \\
        [--compile] [--device cuda]

Both sides draw one batch of 1x28x28 samples with deterministic DDIM (eta 0, --steps network calls,
1000-step linear schedule, epsilon prediction, x_0 clipped to [-1, 1]) from a UNet with random
weights (throughput only), on the CPU or --device. The configurations:
- anchor: genzoo.create("ddpm", channels=(32, 64, 64), blocks_per_level=1, attention_levels=(2,),
  patch_size=1), ~1.1M parameters, beside the diffusers UNet2DModel with the same layout at 28x28
  (the anchor measured in the issue: about 6 samples/s);
- published: genzoo.create("ddpm") (channels (32, 64), attention at level 1, patch_size 2), whose
  UNet works on the 4x14x14 space-to-depth image, beside a UNet2DModel on 4x14x14 wrapped in
  pixel_unshuffle / pixel_shuffle.
The diffusers UNets are genzoo's layer for layer (benchmarks/diffusers_ddim_worker.py lists the
settings): equal parameter counts, and with genzoo's weights copied in they give genzoo's outputs
once diffusers' one extra op is switched off: each resnet block applies SiLU to the time embedding
before its projection (UNet2DModel has no switch for it; it costs one (batch, 4 x base) SiLU per
block). genzoo's sampler clips x_0 and recomputes eps from it; diffusers does the same with
`use_clipped_model_output=True`. The timesteps differ (genzoo 999..0 evenly, diffusers' default
"leading" spacing 980, 960, ..., 0), the work per step does not.

With --compile genzoo samples with `compile=true` (its denoiser through torch.compile, frozen under bfloat16; the
untimed warm-up batch compiles it) while diffusers stays eager, as its users run it. --precision sets both sides'
precision (diffusers under bfloat16 autocast when it says bfloat16); --genzoo-precision overrides genzoo's, e.g.
`auto` (genzoo's fast setting: bfloat16 on CPUs with AVX-512 BF16 or AMX) against diffusers' float32 default.

Each side runs in a fresh process per round, the sides alternate (genzoo, diffusers, genzoo, ...),
both with `torch.set_num_threads(--threads)`. Each process builds its UNet, samples one warm-up
batch of the same size over a few steps, then times one full --steps chain: genzoo's
`model.sample(n, sampler="ddim", steps=..., progress=False)` (its own no_grad sampling loop, noise
draw and final clamp to the data range included) and diffusers' `set_timesteps` + `unet(x, t)` +
`scheduler.step` loop under torch.inference_mode (noise draw included). Imports and model set-up
are not timed. Reported per config: median, min and max samples/s, the ratio of the medians and
the median of the per-round ratios (each round's two runs saw the same load on the machine, so that
one is the steadier number on a busy machine), and a warning when one side's runs differ by more
than 25%: with 2 threads per process on cores that other jobs keep busy, OpenMP threads wait on
each other and single runs vary several-fold.

The anchor runs in its own venv (default /work/diffusers-venv, never genzoo's: diffusers is no
genzoo dependency), set up once with:

    python3.11 -m venv /work/diffusers-venv
    /work/diffusers-venv/bin/pip install torch==2.13.0        # first: the local CPU wheel
    /work/diffusers-venv/bin/pip install --no-deps diffusers
    /work/diffusers-venv/bin/pip install -c <(echo torch==2.13.0) filelock huggingface-hub \\
        importlib_metadata numpy pillow regex requests safetensors
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

from sides import anchor_env, genzoo_env, probe_venv, run_worker, synchronize

ROOT = Path(__file__).resolve().parents[1]
WORKER = Path(__file__).resolve().parent / "diffusers_ddim_worker.py"
SETUP = ("python3.11 -m venv /work/diffusers-venv && /work/diffusers-venv/bin/pip install torch==2.13.0 && "
         "/work/diffusers-venv/bin/pip install --no-deps diffusers && /work/diffusers-venv/bin/pip install "
         "-c <(echo torch==2.13.0) filelock huggingface-hub importlib_metadata numpy pillow regex requests safetensors")
CONFIGS = {  # name: genzoo.create("ddpm", ...) arguments; the worker has the matching UNet2DModel
    "anchor": {"channels": (32, 64, 64), "blocks_per_level": 1, "attention_levels": (2,), "patch_size": 1},
    "published": {},
}
WARMUP_STEPS = 3  # as the worker's: every kernel and shape of the chain, once, before the clock starts
UNSTEADY = 1.25  # max / min samples/s of one side above which the table gets a warning


def genzoo_worker(args: argparse.Namespace) -> dict:
    """One timed DDIM chain of genzoo's DDPM in this process."""
    import time

    import genzoo
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)  # the random weights
    device = torch.device(args.device)
    model = genzoo.create("ddpm", **CONFIGS[args.config]).eval().to(device)
    generator = torch.Generator(device).manual_seed(args.seed)
    options = {"sampler": "ddim", "eta": 0.0, "generator": generator, "progress": False,
               "precision": genzoo_precision(args), "compile": args.compile}
    model.sample(args.batch_size, steps=min(WARMUP_STEPS, args.steps), **options)
    synchronize(device)
    start = time.perf_counter()
    x = model.sample(args.batch_size, steps=args.steps, **options)
    synchronize(device)
    seconds = time.perf_counter() - start
    if not torch.isfinite(x).all():
        raise SystemExit("genzoo worker: the samples are not finite")
    return {"samples_per_s": args.batch_size / seconds, "samples": args.batch_size, "seconds": seconds,
            "params": sum(p.numel() for p in model.parameters()), "torch": torch.__version__,
            "threads": torch.get_num_threads()}


def run_side(side: str, config: str, args: argparse.Namespace) -> dict:
    common = ["--config", config, "--batch-size", str(args.batch_size), "--steps", str(args.steps),
              "--threads", str(args.threads), "--seed", str(args.seed), "--device", args.device]
    if side == "genzoo":
        compiled = ["--compile"] if args.compile else []
        command = [sys.executable, __file__, "--worker", *common, "--genzoo-precision", genzoo_precision(args),
                   *compiled]
        env = genzoo_env()
    else:
        command = [str(args.diffusers_python), str(WORKER), *common, "--precision", args.precision]
        env = anchor_env() | {"HF_HUB_OFFLINE": "1"}  # nothing to download: random weights
    return run_worker(side, command, env, args.threads)


def genzoo_precision(args: argparse.Namespace) -> str:
    return args.genzoo_precision or args.precision


def check_anchor(python: Path) -> str:
    """diffusers' and torch's versions in the diffusers venv, or exit with one line saying how to set it up."""
    versions = probe_venv(python, what="diffusers", option="--diffusers-python", setup=SETUP,
                          code="import diffusers, torch; print(diffusers.__version__, torch.__version__)")
    diffusers_version, torch_version = versions.split()
    return f"diffusers {diffusers_version}, torch {torch_version}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", choices=["all", *CONFIGS], default="all")
    parser.add_argument("--repeats", type=int, default=3, help="Rounds of (genzoo, diffusers) per config.")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=50, help="DDIM steps (network calls) per chain.")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads in both processes.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--precision", choices=["float32", "bfloat16"], default="float32",
                        help="bfloat16: both UNets under bfloat16 autocast (genzoo's precision=bfloat16 sampler option).")
    parser.add_argument("--genzoo-precision", choices=["auto", "float32", "bfloat16"],
                        help="genzoo's sampler precision if not --precision's (auto: bfloat16 where native).")
    parser.add_argument("--device", default="cpu", help="torch device of both sides, e.g. cuda.")
    parser.add_argument("--compile", action="store_true", help="genzoo samples with compile=true (diffusers eager).")
    parser.add_argument("--diffusers-python", type=Path, default=Path("/work/diffusers-venv/bin/python"),
                        help="Python of the venv that has diffusers (and torch, not genzoo).")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(genzoo_worker(args)))
        return
    print(f"diffusers venv: {args.diffusers_python} ({check_anchor(args.diffusers_python)})", file=sys.stderr)

    from genzoo.cli.table import format_table

    configs = list(CONFIGS) if args.config == "all" else [args.config]
    rows, summaries, spreads, versions = [], [], [], set()
    for config in configs:
        results: dict[str, list[dict]] = {"genzoo": [], "diffusers": []}
        for round_ in range(args.repeats):
            for side in ("genzoo", "diffusers"):
                result = run_side(side, config, args)
                results[side].append(result)
                versions.add(result["torch"])
                print(f"{config}  round {round_ + 1}/{args.repeats}  {side:9}  {result['samples_per_s']:7.2f} "
                      f"samples/s  ({result['samples']} samples in {result['seconds']:.1f} s)", file=sys.stderr,
                      flush=True)
        rates = {side: [r["samples_per_s"] for r in runs] for side, runs in results.items()}
        medians = {side: statistics.median(values) for side, values in rates.items()}
        for side in ("genzoo", "diffusers"):
            rows.append([config, side, f"{results[side][0]['params']:,}", f"{medians[side]:.2f}",
                         f"{min(rates[side]):.2f}", f"{max(rates[side]):.2f}",
                         f"{medians[side] / medians['diffusers']:.2f}x"])
        paired = statistics.median(g / d for g, d in zip(rates["genzoo"], rates["diffusers"]))
        summaries.append(f"{config}: genzoo / diffusers {medians['genzoo'] / medians['diffusers']:.2f}x (medians), "
                         f"{paired:.2f}x (median of per-round ratios)")
        spreads += [max(values) / min(values) for values in rates.values()]

    diffusers_version = results["diffusers"][0]["diffusers"]
    precisions = (args.precision if genzoo_precision(args) == args.precision
                  else f"genzoo {genzoo_precision(args)}, diffusers {args.precision}")
    print(f"DDIM {args.steps} steps, eta 0, batch {args.batch_size} of 1x28x28, {precisions}"
          f"{', genzoo compiled' if args.compile else ''}, random weights, {args.device}, "
          f"torch {' / '.join(sorted(versions))}, diffusers {diffusers_version}, {args.threads} threads, "
          f"{os.cpu_count()} CPUs; {args.repeats} interleaved rounds per config")
    print(format_table(["config", "side", "params", "samples/s (median)", "min", "max", "ratio"], rows))
    print("\n".join(summaries))
    if max(spreads) > UNSTEADY:
        print(f"warning: runs of one side differ by up to {max(spreads):.1f}x (load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} CPUs): the ratios above are noise; rerun on a quiet machine, or with --threads 1, "
              "which shared cores slow down far less")


if __name__ == "__main__":
    main()
