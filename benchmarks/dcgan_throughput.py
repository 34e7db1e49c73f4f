"""DCGAN training throughput of genzoo's trainer beside eriklindernoren/PyTorch-GAN's dcgan.py, one table.

    python benchmarks/dcgan_throughput.py [--repeats 3] [--steps 60] [--warmup-steps 10] [--window 10]
                                          [--batch-size 64] [--threads 1] [--peer-python /work/bench-venv/bin/python]

A step is one discriminator update and one generator update on MNIST batches of --batch-size, with Adam
2e-4 / (0.5, 0.999) on both sides. Six runs per round, each in a fresh process, in this order:
  (a) genzoo, Radford: `genzoo.training.train("dcgan", data="mnist", step={"fakes": "reuse"})` (the real
      trainer: its data stream, per-group optimizers, GANStep, logging), 28x28, with sample grids off and
      the one checkpoint after the last step; with step.fakes=reuse, PyTorch-GAN's algorithm (below);
  (b) PyTorch-GAN, Radford: PyTorch-GAN's training loop (pytorch_gan_dcgan_worker.py, in its own venv
      without genzoo) on genzoo's dcgan layers transcribed as plain layer lists, 28x28 in [-1, 1];
  (c) PyTorch-GAN, its own: the same loop on PyTorch-GAN's own DCGAN at its defaults (32x32, Linear to
      128x8x8, Upsample + 3x3 convs, a discriminator of 3x3 stride-2 blocks with Dropout2d): the issue's
      anchor (0.42 s/step at batch 64 on this CPU);
  (d) genzoo, PyTorch-GAN's: genzoo's trainer on that same architecture (pytorch_gan_dcgan_plugin.py),
      step.fakes=reuse;
  (e), (f): (a) and (d) with genzoo's default step.fakes=fresh (a different algorithm: see below).
The ratio that answers the issue's target (>= 1.0x, aim 1.5x) is (b) / (a): the same architecture, batch,
optimizer and algorithm, genzoo's trainer against PyTorch-GAN's loop; (c) / (d) is the same on PyTorch-GAN's
networks; (b) / (e) and (c) / (f) show what genzoo's default algorithm costs.

Timing: the first --warmup-steps steps of every run are left out; the rest is cut into windows of
--window steps, each timed as a whole (everything the loop does in it: data, both updates, logging,
PyTorch-GAN's per-batch print), by the wall clock and by the process's CPU time. genzoo's windows end
where its trainer writes a metrics.jsonl line (log_every = --window; the clocks are read in that call,
the trainer runs unchanged), PyTorch-GAN's after each batch. A case's s/step is the median of its windows
over all rounds; "per round" is the median of the ratios of one round's medians (runs of one round saw
the same load). With one thread, CPU time is what a step costs whatever else runs on the machine: on a
shared CPU it is the steadier reading, wall time the one a user waits for. Peak RSS is each worker
process's (ru_maxrss).

The algorithm on each side. PyTorch-GAN, per batch: G update on fakes G(z), then D update on the same
batch's real images and those fakes, detached: one generator forward per step. genzoo with
step.fakes=reuse ((a), (d)): D update, then G update; the D update takes the previous G update's fakes,
detached (the first step draws fresh ones): also one generator forward per step, D trains on fakes one G
update old in both loops. genzoo with step.fakes=fresh, its default ((e), (f)): D update on fakes drawn for
it without a graph, then G update on new fakes: two generator forwards per step. Other differences, part
of what is timed: genzoo draws a data batch per update (PyTorch-GAN uses one batch for both), scores
logits with softplus where PyTorch-GAN applies Sigmoid and BCELoss, and its generator update skips D's
weight gradients (PyTorch-GAN computes them; both sides' D optimizer discards them).

The peer venv (default /work/bench-venv) holds torch and numpy only, set up once with:

    python3.11 -m venv /work/bench-venv && /work/bench-venv/bin/pip install torch==2.13.0 numpy
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from sides import anchor_env, genzoo_env, probe_venv, run_worker

HERE = Path(__file__).resolve().parent
WORKER = HERE / "pytorch_gan_dcgan_worker.py"
SETUP = "python3.11 -m venv /work/bench-venv && /work/bench-venv/bin/pip install torch==2.13.0 numpy"
ANCHOR_S_PER_STEP = 0.42  # the measurement of PyTorch-GAN's dcgan.py at batch 64 on this CPU
# case -> (side, architecture, genzoo's step.fakes, what it is)
CASES = {
    "a": ("genzoo", "radford", "reuse", "genzoo trainer, Radford DCGAN 28x28, reused fakes"),
    "b": ("pytorch-gan", "radford", None, "PyTorch-GAN loop, Radford DCGAN 28x28"),
    "c": ("pytorch-gan", "pytorch-gan", None, "PyTorch-GAN loop, its own DCGAN 32x32"),
    "d": ("genzoo", "pytorch-gan", "reuse", "genzoo trainer, PyTorch-GAN's DCGAN 32x32, reused fakes"),
    "e": ("genzoo", "radford", "fresh", "genzoo trainer, Radford DCGAN 28x28, fresh fakes"),
    "f": ("genzoo", "pytorch-gan", "fresh", "genzoo trainer, PyTorch-GAN's DCGAN 32x32, fresh fakes"),
}
PAIRS = (("b", "a"), ("c", "d"), ("b", "e"), ("c", "f"))  # (PyTorch-GAN, genzoo) on the same architecture
UNSTEADY = 1.25  # max / min of one case's per-round medians above which the table gets a warning


# ---- the genzoo side (run in a fresh process by --worker) ------------------------------------------------
def register_plugin(folder: Path) -> None:
    """Make pytorch_gan_dcgan_plugin an installed genzoo plugin for this process: an entry point in a
    dist-info on sys.path, which is all an installed family is."""
    dist = folder / "genzoo_bench_dcgan-0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: genzoo-bench-dcgan\nVersion: 0\n")
    (dist / "entry_points.txt").write_text("[genzoo]\nbench-dcgan = pytorch_gan_dcgan_plugin\n")
    sys.path.insert(0, str(folder))


def read_clocks_at_log_lines(stamps: dict[int, tuple[float, float]]) -> None:
    """Record `clocks()` whenever the trainer writes a metrics.jsonl line, under the line's step: the trainer
    itself is untouched, its log calls are where a window of steps ends."""
    from genzoo.training.logs import MetricsLog
    from pytorch_gan_dcgan_worker import clocks

    write = MetricsLog.append

    def append(log, record):
        if "step" in record:
            stamps.setdefault(record["step"], clocks())  # the first line of a step ends its window
        write(log, record)

    MetricsLog.append = append


def genzoo_worker(args: argparse.Namespace) -> dict:
    import genzoo
    import torch
    from genzoo.training import train
    from pytorch_gan_dcgan_worker import compared_layers, layer_table, peak_rss_mb, window_seconds

    torch.set_num_threads(args.threads)
    stamps: dict[int, tuple[float, float]] = {}
    read_clocks_at_log_lines(stamps)
    with tempfile.TemporaryDirectory() as scratch:
        if args.arch == "pytorch-gan":
            register_plugin(Path(scratch))
            from pytorch_gan_dcgan_plugin import ARCHITECTURE as architecture, DATASET as dataset
        else:
            architecture, dataset = "dcgan", "mnist"
        out = Path(scratch) / "run"
        train(architecture, data=dataset, out=out, progress=False, step={"fakes": args.fakes},
              train={"steps": args.steps, "batch_size": args.batch_size, "log_every": args.window,
                     "checkpoint_every": args.steps, "sample_every": None, "seed": args.seed, "device": "cpu"})
        model = genzoo.load(out)
    return {
        **{key: window_seconds(dict(zip(stamps, clock)), args.warmup_steps, args.window)
           for key, clock in zip(("seconds_per_step", "cpu_seconds_per_step"), zip(*stamps.values()))},
        "parameters": {name: sum(p.numel() for p in getattr(model, name).parameters())
                       for name in ("generator", "discriminator")},
        "layers": {name: layer_table(module, example) for name, (module, example)
                   in compared_layers(args.arch, model.generator, model.discriminator).items()},
        "peak_rss_mb": peak_rss_mb(), "torch": torch.__version__, "threads": torch.get_num_threads(),
        "version": f"genzoo {genzoo.__version__}",
    }


# ---- the driver ------------------------------------------------------------------------------------------
def run_case(case: str, args: argparse.Namespace, images: Path) -> dict:
    side, arch, fakes, _ = CASES[case]
    shape = ["--arch", arch, "--batch-size", args.batch_size, "--steps", args.steps,
             "--warmup-steps", args.warmup_steps, "--window", args.window, "--threads", args.threads,
             "--seed", args.seed]
    if side == "genzoo":
        env = genzoo_env() | {"GENZOO_CACHE": "off"}  # the scratch plugin stays out of the user's spec cache
        return run_worker(side, [sys.executable, __file__, "--worker", "--fakes", fakes, *shape], env, args.threads)
    return run_worker(side, [args.peer_python, WORKER, "--mnist", images, *shape], anchor_env(), args.threads)


def mnist_images_file() -> Path:
    """MNIST's training images as genzoo finds them, or exit with one line saying where to put them."""
    from genzoo.data.mnist_files import find_files, locate, missing

    problem = missing()
    if problem:
        sys.exit(f"this benchmark trains on MNIST: {problem}")
    return locate(find_files(), "train-images-idx3-ubyte")


def check_same_layers(results: dict[str, list[dict]]) -> str:
    """Exit when (a) and (b) do not run the same layers; else a side-by-side listing of them."""
    lines = []
    for network in ("generator", "discriminator"):
        ours, theirs = results["a"][0]["layers"][network], results["b"][0]["layers"][network]
        if ours != theirs:
            sys.exit(f"(a) and (b) do not run the same {network}:\n genzoo {ours}\n peer   {theirs}")
        lines.append(f"{network} (identical on (a) and (b): layer, parameters, output shape for a batch of 2):")
        lines += [f"  {layer:<80} {count:>8,}  {shape}" for layer, count, shape in ours]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="Rounds of the runs (a to f).")
    parser.add_argument("--steps", type=int, default=60, help="Steps per run, warm-up included.")
    parser.add_argument("--warmup-steps", type=int, default=10, help="Leading steps left out of the timing.")
    parser.add_argument("--window", type=int, default=10, help="Steps per timed window (genzoo's log_every).")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads and OMP_NUM_THREADS everywhere.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cases", default="".join(CASES), help="Which of the runs a to f to make (default all).")
    parser.add_argument("--peer-python", type=Path, default=Path("/work/bench-venv/bin/python"),
                        help="Python of the venv that runs PyTorch-GAN's loop (torch and numpy, not genzoo).")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--arch", choices=["radford", "pytorch-gan"], help=argparse.SUPPRESS)
    parser.add_argument("--fakes", choices=["fresh", "reuse"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(genzoo_worker(args)))
        return
    cases = [case for case in CASES if case in args.cases]
    if (args.warmup_steps % args.window or args.steps % args.window or args.steps <= args.warmup_steps
            or args.warmup_steps < args.window or not cases or set(args.cases) - set(CASES)):
        sys.exit("need --warmup-steps of at least one --window, --steps above it, both multiples of --window, and "
                 "--cases from a to f")
    images = mnist_images_file()
    peer_torch = probe_venv(args.peer_python, what="PyTorch-GAN peer", option="--peer-python", setup=SETUP,
                            code="import numpy, torch; print(torch.__version__)")

    results: dict[str, list[dict]] = {case: [] for case in cases}
    for round_ in range(args.repeats):
        for case in cases:
            result = run_case(case, args, images)
            results[case].append(result)
            print(f"round {round_ + 1}/{args.repeats}  ({case}) {CASES[case][3]:58} "
                  f"{statistics.median(result['seconds_per_step']):.4f} s/step", file=sys.stderr, flush=True)
    report(results, args, peer_torch)


def report(results: dict[str, list[dict]], args: argparse.Namespace, peer_torch: str) -> None:
    from genzoo.cli.table import format_table

    def medians_of(key: str) -> tuple[dict[str, float], dict[str, list[float]]]:
        """Per case: the median window over all rounds, and each round's median window."""
        pooled = {case: statistics.median(s for run in runs for s in run[key]) for case, runs in results.items()}
        rounds = {case: [statistics.median(run[key]) for run in runs] for case, runs in results.items()}
        return pooled, rounds

    wall, wall_rounds = medians_of("seconds_per_step")
    cpu, cpu_rounds = medians_of("cpu_seconds_per_step")

    def speed(ours: str, pooled: dict[str, float], rounds: dict[str, list[float]]) -> tuple[float, float] | None:
        """PyTorch-GAN's s/step over genzoo's on the same architecture: from the medians, and per round."""
        peer = next((p for p, g in PAIRS if g == ours), None)
        if peer not in results or ours not in results:
            return None
        return pooled[peer] / pooled[ours], statistics.median(p / g for p, g in zip(rounds[peer], rounds[ours]))

    def shown(ratio: tuple[float, float] | None) -> str:
        return f"{ratio[0]:.2f}x / {ratio[1]:.2f}x" if ratio else ""

    rows = [[f"({case}) {CASES[case][3]}", runs[0]["version"], f"{wall[case]:.4f}",
             " ".join(f"{value:.3f}" for value in wall_rounds[case]), f"{cpu[case]:.4f}",
             shown(speed(case, wall, wall_rounds)), shown(speed(case, cpu, cpu_rounds)),
             f"{wall[case] / ANCHOR_S_PER_STEP:.2f}",
             f"{runs[0]['parameters']['generator']:,} / {runs[0]['parameters']['discriminator']:,}",
             f"{max(run['peak_rss_mb'] for run in runs):.0f}"] for case, runs in results.items()]
    first = next(iter(results.values()))[0]
    timed = args.steps - args.warmup_steps
    print(f"DCGAN training, MNIST, batch {args.batch_size}, Adam 2e-4 (0.5, 0.999), one D + one G update per step "
          f"(reused fakes: D trains on the last G update's fakes, one generator forward per step, as PyTorch-GAN; "
          f"fresh fakes, genzoo's default: D and G draw their own, two generator forwards); "
          f"{timed} timed steps ({timed // args.window} windows of {args.window}) after {args.warmup_steps} warm-up "
          f"per run, {args.repeats} interleaved round(s); torch {first['torch']} (peer venv {peer_torch}), "
          f"{args.threads} thread(s) (OMP_NUM_THREADS={args.threads}), {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}")
    print(format_table(["run", "code", "wall s/step", "per round", "CPU s/step",
                        "genzoo speed, wall (medians / per round)", "genzoo speed, CPU",
                        f"wall / anchor {ANCHOR_S_PER_STEP}", "params G / D", "peak RSS MB"], rows))
    print("genzoo speed = PyTorch-GAN's s/step over genzoo's on the same architecture (above 1: genzoo faster); "
          "wall and CPU s/step are medians of windows")
    for ours, what in (("a", "target (issue 15: >= 1.0x, aim 1.5x): (b)/(a), Radford DCGAN 28x28, same algorithm"),
                       ("d", "on PyTorch-GAN's own DCGAN 32x32, same algorithm: (c)/(d)"),
                       ("e", "genzoo's default step.fakes=fresh (two generator forwards), Radford: (b)/(e)"),
                       ("f", "genzoo's default step.fakes=fresh, PyTorch-GAN's DCGAN: (c)/(f)")):
        by_wall, by_cpu = speed(ours, wall, wall_rounds), speed(ours, cpu, cpu_rounds)
        if by_wall:
            print(f"{what} = {by_wall[0]:.2f}x wall ({by_wall[1]:.2f}x per round), {by_cpu[0]:.2f}x CPU time "
                  f"({by_cpu[1]:.2f}x per round)")
    if "c" in wall:
        print(f"this run's anchor (c): {wall['c']:.3f} s/step wall, {cpu['c']:.3f} s/step CPU, against the issue's "
              f"{ANCHOR_S_PER_STEP} s/step")
    if "a" in results and "b" in results:
        print(check_same_layers(results))
    spread = max(max(values) / min(values) for values in wall_rounds.values())
    if spread > UNSTEADY:
        print(f"warning: rounds of one run differ by up to {spread:.2f}x in wall time (load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs): the CPU-time ratios are the steadier reading; "
              "rerun on a quiet machine for wall times")


if __name__ == "__main__":
    main()
