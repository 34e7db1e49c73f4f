"""VAE training throughput of genzoo beside pythae (the anchor): same networks, same batches, same run.

    python benchmarks/vae_throughput.py [--repeats 3] [--batch-size 128] [--examples 12800] [--threads 2]

Both sides train the same VAE on dynamically binarized MNIST with Adam (lr 1e-3): an MLP encoder
784 -> 512 -> ReLU -> 512 -> ReLU -> 64 (mean and log-variance of a 32-d Gaussian posterior) and
decoder 32 -> 512 -> ReLU -> 512 -> ReLU -> 784 (Bernoulli; pythae adds the sigmoid its "bce" loss
needs). Each side runs in a fresh process per round, the sides alternate (genzoo, pythae, genzoo,
...), both with `torch.set_num_threads(--threads)`, and each trains floor(examples / batch) full
batches; the first --warmup-steps batches are left out of the timing. Reported: median, min and max
examples/s, the ratio of the medians and the median of the per-round ratios (each round's two runs
saw the same load on the machine, so that one is the steadier number on a busy machine), and a
warning when one side's runs differ by more than 25%: with 2 threads per process on cores that
other jobs keep busy, OpenMP threads wait on each other and single runs vary several-fold. The
default run is 100 batches of 128 (80 timed) per side and round; `--examples 60000` is one MNIST
epoch (468 batches, 448 timed), which is several times longer on a busy machine.

What each side's examples/s covers:
- genzoo: `genzoo.training.train("vae", data="mnist", ...)`, read from its own metrics.jsonl (log
  windows of --warmup-steps steps, the first one dropped): the trainer's whole step loop (DataLoader
  over the "binarized" view, forward, ELBO, backward, Adam, loss bookkeeping). Not covered:
  imports, reading MNIST, model set-up, the final checkpoint (no sample grid or mid-run checkpoint
  happens), and the writing of each metrics line itself (the trainer stops a window's clock just
  before it and restarts it just after: well under 1 ms per 20 steps).
- pythae: `pythae.trainers.BaseTrainer` for one epoch (benchmarks/pythae_vae_worker.py), timed by
  a callback from the end of step --warmup-steps to the end of the last step: DataLoader over a
  dataset that binarizes per example the same way, forward, loss, backward, Adam, `loss.item()`
  and its tqdm bar. Not covered: imports, reading MNIST, trainer set-up and its sanity-check
  forward, the end-of-epoch best-model deepcopy and the final model save.

The anchor runs in its own venv (default /work/bench-venv, never genzoo's), set up once with:

    python3.11 -m venv /work/bench-venv
    /work/bench-venv/bin/pip install torch==2.13.0        # first: the local CPU wheel
    /work/bench-venv/bin/pip install --no-deps pythae
    /work/bench-venv/bin/pip install -c <(echo torch==2.13.0) "cloudpickle>=2.1.0" imageio \\
        "numpy>=1.19" "pydantic>=2.0" scikit-learn "scipy>=1.7.1" tqdm typing-extensions

MNIST IDX files come from --data-dir (default $GENZOO_DATA, else ../shared/data beside the repo).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from sides import anchor_env, genzoo_env, probe_venv, run_worker

ROOT = Path(__file__).resolve().parents[1]
WORKER = Path(__file__).resolve().parent / "pythae_vae_worker.py"
SETUP = ("python3.11 -m venv /work/bench-venv && /work/bench-venv/bin/pip install torch==2.13.0 && "
         "/work/bench-venv/bin/pip install --no-deps pythae && /work/bench-venv/bin/pip install -c <(echo torch==2.13.0) "
         "'cloudpickle>=2.1.0' imageio 'numpy>=1.19' 'pydantic>=2.0' scikit-learn 'scipy>=1.7.1' tqdm typing-extensions")
HIDDEN, LATENT = [512, 512], 32
UNSTEADY = 1.25  # max / min examples/s of one side above which the table gets a warning


def genzoo_worker(args: argparse.Namespace) -> dict:
    """One genzoo training run in this process; examples/s from its metrics.jsonl past the first window."""
    import torch
    from genzoo.training import train

    torch.set_num_threads(args.threads)
    steps = args.examples // args.batch_size
    with tempfile.TemporaryDirectory() as out:
        train("vae", data="mnist", out=out, data_options={"view": "binarized", "data_dir": str(args.data_dir)},
              model={"hidden": HIDDEN, "latent_dim": LATENT, "mixture_components": 0},
              train={"steps": steps, "batch_size": args.batch_size, "lr": 1e-3, "log_every": args.warmup_steps,
                     "sample_every": None, "checkpoint_every": steps, "device": "cpu", "seed": args.seed},
              progress=False)
        records = [json.loads(line) for line in (Path(out) / "train" / "metrics.jsonl").read_text().splitlines()]
    windows = [r for r in records if "examples_per_s" in r]
    examples = seconds = 0.0
    for before, record in itertools.pairwise(windows):  # windows[0] is the warm-up
        n = (record["step"] - before["step"]) * args.batch_size
        examples, seconds = examples + n, seconds + n / record["examples_per_s"]
    # mean loss over all steps, warm-up included, as pythae's train_epoch_loss is
    loss = sum(r["loss"] * (r["step"] - b) for r, b in zip(windows, [0] + [w["step"] for w in windows])) / steps
    return {"examples_per_s": examples / seconds, "examples": int(examples), "seconds": seconds,
            "steps": int(examples) // args.batch_size, "loss": loss, "torch": torch.__version__,
            "threads": torch.get_num_threads()}


def run_side(side: str, args: argparse.Namespace) -> dict:
    common = ["--data-dir", str(args.data_dir), "--batch-size", str(args.batch_size), "--warmup-steps",
              str(args.warmup_steps), "--threads", str(args.threads), "--seed", str(args.seed)]
    if side == "genzoo":
        command, env = [sys.executable, __file__, "--worker", "--examples", str(args.examples), *common], genzoo_env()
    else:
        command = [str(args.pythae_python), str(WORKER), "--steps", str(args.examples // args.batch_size), *common]
        env = anchor_env()
    return run_worker(side, command, env, args.threads)


def check_anchor(python: Path) -> str:
    """torch's version in the pythae venv, or exit with one line saying how to set that venv up."""
    return probe_venv(python, what="pythae", option="--pythae-python", setup=SETUP,
                      code="import pythae.trainers, torch; print(torch.__version__)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="Rounds of (genzoo, pythae).")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--examples", type=int, default=12_800,
                        help="Examples per run, rounded down to full batches (60000: one MNIST epoch).")
    parser.add_argument("--warmup-steps", type=int, default=20, help="Leading steps left out of the timing.")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads in both processes.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", type=Path,
                        default=Path(os.environ.get("GENZOO_DATA") or ROOT.parent / "shared" / "data"))
    parser.add_argument("--pythae-python", type=Path, default=Path("/work/bench-venv/bin/python"),
                        help="Python of the venv that has pythae (and torch, not genzoo).")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(genzoo_worker(args)))
        return
    if args.examples // args.batch_size <= 2 * args.warmup_steps:
        sys.exit(f"--examples {args.examples} gives too few batches of {args.batch_size} beside "
                 f"--warmup-steps {args.warmup_steps}: need more than {2 * args.warmup_steps}")
    args.data_dir = args.data_dir.resolve()
    print(f"pythae venv: {args.pythae_python} (torch {check_anchor(args.pythae_python)})", file=sys.stderr)

    results: dict[str, list[dict]] = {"genzoo": [], "pythae": []}
    for round_ in range(args.repeats):
        for side in ("genzoo", "pythae"):
            result = run_side(side, args)
            results[side].append(result)
            print(f"round {round_ + 1}/{args.repeats}  {side:6}  {result['examples_per_s']:8,.0f} examples/s  "
                  f"({result['examples']:,} examples in {result['seconds']:.1f} s, loss {result['loss']:.1f})",
                  file=sys.stderr, flush=True)

    from genzoo.cli.table import format_table

    rates = {side: [r["examples_per_s"] for r in runs] for side, runs in results.items()}
    medians = {side: statistics.median(values) for side, values in rates.items()}
    paired = statistics.median(g / p for g, p in zip(rates["genzoo"], rates["pythae"]))
    rows = [[side, f"{medians[side]:,.0f}", f"{min(rates[side]):,.0f}", f"{max(rates[side]):,.0f}",
             f"{medians[side] / medians['pythae']:.2f}x",
             f"{statistics.median(r['loss'] for r in results[side]):.1f}"] for side in ("genzoo", "pythae")]
    versions = {side: runs[0]["torch"] for side, runs in results.items()}
    torch_text = versions["genzoo"] if len(set(versions.values())) == 1 else \
        f"{versions['genzoo']} (genzoo) / {versions['pythae']} (pythae)"
    print(f"VAE 784-512-512-32 on binarized MNIST, batch {args.batch_size}, "
          f"{results['genzoo'][0]['examples']:,} timed examples per run after {args.warmup_steps} warm-up steps, "
          f"Adam 1e-3, torch {torch_text}, {results['pythae'][0]['threads']} threads, {os.cpu_count()} CPUs; "
          f"{args.repeats} interleaved rounds")
    print(format_table(["side", "examples/s (median)", "min", "max", "ratio", "mean train loss (nats)"], rows))
    print(f"genzoo / pythae: {medians['genzoo'] / medians['pythae']:.2f}x (medians), "
          f"{paired:.2f}x (median of per-round ratios)")
    spread = max(max(values) / min(values) for values in rates.values())
    if spread > UNSTEADY:
        print(f"warning: runs of one side differ by up to {spread:.1f}x (load average {os.getloadavg()[0]:.1f} on "
              f"{os.cpu_count()} CPUs): the ratios above are noise; rerun on a quiet machine, or with --threads 1, "
              "which shared cores slow down far less")


if __name__ == "__main__":
    main()
