"""RealNVP training throughput of genzoo beside normflows and zuko: same shape, same batches, one run.

    python benchmarks/realnvp_throughput.py [--repeats 5] [--features 64] [--couplings 8] [--hidden 64]
                                            [--batch-size 256] [--steps 120] [--threads 1]

Every side trains a RealNVP of --couplings affine couplings on --features-dimensional vectors, each
coupling net an MLP features/2 -> hidden -> ReLU -> hidden -> ReLU -> features (shift and log-scale of
the other half), with a fixed permutation or alternating masks between couplings and a standard normal
base, by Adam (lr 1e-3) on batches of --batch-size. The batches are the same correlated Gaussian
vectors on every side (same torch version and seed). Each side runs in a fresh process per round, the
sides alternate (genzoo, normflows, zuko, genzoo, ...), all with `torch.set_num_threads(--threads)`
and OMP_NUM_THREADS set alike; the first --warmup-steps steps are left out of the timing.

What a step covers, on every side: the loss of one batch, zero_grad, backward and Adam's update, in
the same loop (`train_and_time` in realnvp_peer_worker.py), on batches already in memory:
- genzoo: the real training step, `NLLStep.loss` (what `genzoo train realnvp` minimises:
  -model.log_prob(x).mean(), model = genzoo.create("realnvp", layout "vector", tanh-bounded scales)),
  alternating masks (SplitAffineCoupling: the net reads the kept half only).
- normflows: `NormalizingFlow.forward_kld` over `AffineCouplingBlock` (split, coupling, merge; exp
  scales) + `Permute(mode="swap")` per coupling, `DiagGaussian(trainable=False)` base.
- zuko: `-zuko.flows.RealNVP(features, transforms, hidden_features=(h, h))().log_prob(x).mean()`
  (alternating masks, soft-clipped scales; zuko rebuilds its transform objects on every call, which is
  part of its cost).
Not covered on any side: imports, model set-up, data generation, the trainer's data loading and
logging (genzoo's trainer adds those around the same step; benchmarks/trainer_overhead.py measures them).

The default width, 64, is the shape whose ordering the issue's anchors show (normflows 13.1 ms/step, zuko
18.1 on this CPU): there the per-layer work of each library shows. With --hidden 256 a step is bound by
the matrix products, which every side computes alike, and the three sides come out about even.

Reported: the median, min and max ms/step per side, and each side's ratio to the fastest peer
(peer ms / genzoo ms: above 1 means genzoo is faster), from the medians and as the median of the
per-round ratios (runs of one round saw the same load). The peers run in their own venv (default
/work/bench-venv), set up once with:

    python3.11 -m venv /work/bench-venv
    /work/bench-venv/bin/pip install torch==2.13.0          # first: the local CPU wheel
    /work/bench-venv/bin/pip install -c <(echo torch==2.13.0) normflows zuko
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

from sides import anchor_env, genzoo_env, probe_venv, run_worker

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORKER = HERE / "realnvp_peer_worker.py"
PEERS = ("normflows", "zuko")
SETUP = ("python3.11 -m venv /work/bench-venv && /work/bench-venv/bin/pip install torch==2.13.0 && "
         "/work/bench-venv/bin/pip install -c <(echo torch==2.13.0) normflows zuko")
UNSTEADY = 1.25  # max / min ms of one side above which the table gets a warning


def genzoo_worker(args: argparse.Namespace) -> dict:
    """One timed genzoo run in this process, through the peers' own loop."""
    import genzoo
    import torch
    from genzoo.plugin import Batch
    from genzoo_explicit_likelihood.training import NLLStep
    from realnvp_peer_worker import batches, train_and_time

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    data = batches(args)
    model = genzoo.create("realnvp", data={"shape": (args.features,), "value_range": None}, layout="vector",
                          couplings=args.couplings, hidden=args.hidden, hidden_layers=2, activation="relu")
    step = NLLStep()
    result = train_and_time(model.parameters(), lambda x: step.loss(model, Batch(x), "model", {})["loss"], data,
                            args.warmup_steps)
    return result | {"version": genzoo.__version__}


def run_side(side: str, args: argparse.Namespace) -> dict:
    shape = ["--features", args.features, "--couplings", args.couplings, "--hidden", args.hidden,
             "--batch-size", args.batch_size, "--steps", args.steps, "--warmup-steps", args.warmup_steps,
             "--threads", args.threads, "--seed", args.seed]
    if side == "genzoo":
        return run_worker(side, [sys.executable, __file__, "--worker", *shape], genzoo_env(), args.threads)
    return run_worker(side, [args.peer_python, WORKER, side, *shape], anchor_env(), args.threads)


def check_peers(python: Path) -> None:
    """Exit with one line saying how to set up the bench venv when it cannot import the peers."""
    probe_venv(python, what="normflows and zuko", option="--peer-python", setup=SETUP,
               code="import normflows, zuko, torch")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="Rounds of (genzoo, normflows, zuko).")
    parser.add_argument("--features", type=int, default=64)
    parser.add_argument("--couplings", type=int, default=8)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--steps", type=int, default=120, help="Steps per run, warm-up included.")
    parser.add_argument("--warmup-steps", type=int, default=20, help="Leading steps left out of the timing.")
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads in every process.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--peer-python", type=Path, default=Path("/work/bench-venv/bin/python"),
                        help="Python of the venv that has normflows and zuko (and torch, not genzoo).")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(genzoo_worker(args)))
        return
    if args.steps <= args.warmup_steps or args.features < 2:
        sys.exit("need --steps above --warmup-steps and --features of at least 2")
    check_peers(args.peer_python)

    sides = ("genzoo", *PEERS)
    results: dict[str, list[dict]] = {side: [] for side in sides}
    for round_ in range(args.repeats):
        for side in sides:
            result = run_side(side, args)
            results[side].append(result)
            print(f"round {round_ + 1}/{args.repeats}  {side:9}  {result['ms_per_step']:7.2f} ms/step  "
                  f"(loss {result['loss']:.2f})", file=sys.stderr, flush=True)

    from genzoo.cli.table import format_table

    ms = {side: [r["ms_per_step"] for r in runs] for side, runs in results.items()}
    medians = {side: statistics.median(values) for side, values in ms.items()}
    fastest = min(PEERS, key=medians.get)
    paired = statistics.median(p / g for g, p in zip(ms["genzoo"], ms[fastest]))
    rows = [[f"{side} {results[side][0]['version']}", f"{medians[side]:.2f}", f"{min(ms[side]):.2f}",
             f"{max(ms[side]):.2f}", f"{medians[fastest] / medians[side]:.2f}x",
             f"{statistics.median(r['loss'] for r in results[side]):.2f}"] for side in sides]
    print(f"RealNVP, {args.features} dims, {args.couplings} affine couplings, MLP nets {args.features // 2}-"
          f"{args.hidden}-{args.hidden}-{args.features}, batch {args.batch_size}, Adam 1e-3, "
          f"{args.steps - args.warmup_steps} timed steps after {args.warmup_steps} warm-up per run, torch "
          f"{results['genzoo'][0]['torch']}, {args.threads} thread(s), {os.cpu_count()} CPUs; {args.repeats} "
          f"interleaved rounds")
    print(format_table(["side", "ms/step (median)", "min", "max", f"speed vs {fastest}", "mean loss (nats)"], rows))
    print(f"genzoo vs the fastest peer ({fastest}): {medians[fastest] / medians['genzoo']:.2f}x (medians), "
          f"{paired:.2f}x (median of per-round ratios)")
    spread = max(max(values) / min(values) for values in ms.values())
    if spread > UNSTEADY:
        print(f"warning: runs of one side differ by up to {spread:.1f}x (load average {os.getloadavg()[0]:.1f} on "
              f"{os.cpu_count()} CPUs): trust the per-round ratio over the medians, or rerun on a quiet machine")


if __name__ == "__main__":
    main()
