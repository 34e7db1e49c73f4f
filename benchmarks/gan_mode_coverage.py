"""Issue 15's 2-D toy table: modes captured and % high-quality samples of each GAN variant, mean and spread over seeds.

    python benchmarks/gan_mode_coverage.py [--variants gan pacgan ...] [--data 8gaussians 25gaussians]
        [--seeds 0 1 2 3 4] [--steps 5000] [--snapshots 5] [--runs DIR] [--json results.json] [--threads 1]

The VEEGAN protocol (Srivastava et al. 2017), measured by the core `modes` metric exactly as
`genzoo eval RUN --metric modes --data 8gaussians` does: 2,500 samples; a sample is high quality
when it lies within 3 standard deviations of its nearest mode; a mode is captured when it is the
nearest mode of at least one high-quality sample. 8gaussians is the ring (8 modes, std 0.354),
25gaussians the 5x5 grid (std 0.0177, modes 0.707 apart).

Every run is `genzoo.training.train` (the code behind `genzoo train`) with the recipe in RECIPES and
`train.seed` = the seed; the evaluation samples with seed 0. All variants share the networks (MLPs,
2-d latent, generator 3x128 ReLU with batch norm, discriminator 3x128 LeakyReLU), batch 100 and a
learning rate decaying linearly to 0 (on the grid, 2,000 steps of the plain GAN gave 25 modes / 12%
high quality with the decay against 22 / 6% without: the tight modes need the small late steps), so
the rows differ by the game only; step counts are far below the papers' (PacGAN: 400 epochs of
100,000 points), which this CPU cannot afford: the table says how many steps each row had. Results
are appended to --json as each run ends, so an interrupted run keeps what it measured, and the table
printed at the end covers every run in that file (several invocations build one table).

Anchors from the issue: PacGAN4 24.8 modes / 93.6% on the grid, 7.8 / 95.9% on the ring (Lin et al.
2018, Table 3); WGAN-GP 24.2 / 28.7% on the grid (GDPP, Elfeki et al. 2019). Target: some variant at
25/25 and >= 95% on the grid, 8/8 and >= 97% on the ring.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

NETWORKS = {"latent_dim": 2, "generator_hidden": (128, 128, 128), "discriminator_hidden": (128, 128, 128)}
BATCH = 100
# the train settings a row's recipe line shows (groups: per-player optimizer options, as train.groups.generator.lr=...)
RECIPE_SETTINGS = ("steps", "batch_size", "seed", "schedule", "groups")
# variant -> (architecture, trainer, model options, step options, train options): everything a run varies.
RECIPES = {
    "gan": ("gan", "gan", {}, {}, {}),
    "gan-minimax": ("gan", "gan", {}, {"generator_objective": "minimax"}, {}),
    "unrolled-gan": ("unrolled-gan", "unrolled", {}, {"unroll_steps": 5, "unroll_lr": 0.01}, {}),
    "pacgan4": ("pacgan", "gan", {"pack": 4}, {}, {}),  # 25 packs per discriminator update
    "pacgan4-100packs": ("pacgan", "gan", {"pack": 4}, {}, {"batch_size": 4 * BATCH}),  # the paper's 100 packs
    "wgan": ("wgan", "clip", {}, {"clip": 0.01, "n_critic": 5}, {}),
    "wgan-gp": ("wgan-gp", "gp", {}, {"gp_weight": 10.0, "n_critic": 5}, {}),
    "sngan": ("gan", "gan", {"spectral_norm": True}, {}, {}),
    # InfoGAN with one categorical code of 25 values and no continuous code: the generator's input is
    # [one-hot c | 2-d noise], so the grid's 25 separate modes need no continuous path between them.
    # It is told the number of modes (the code's size), which the other variants are not.
    "infogan25": ("infogan", "infogan", {"network": "mlp", "latent_dim": 27, "categories": 25, "continuous": 0},
                  {}, {}),
    # MGAN (Hoang et al. 2018): K generators sharing all but their first layer, a classifier on the discriminator's
    # body naming the generator (diversity weight beta = 1). mgan10 is not told the number of modes; mgan25 is.
    "mgan10": ("mgan", "mgan", {"generators": 10}, {"beta": 1.0}, {}),
    "mgan25": ("mgan", "mgan", {"generators": 25}, {"beta": 1.0}, {}),
    # ... with InfoGAN's generator learning rate (1e-3, discriminator 2e-4), the rate infogan25 trains with.
    "mgan10-glr1e-3": ("mgan", "mgan", {"generators": 10}, {"beta": 1.0}, {"groups": {"generator": {"lr": 1e-3}}}),
    "mgan25-glr1e-3": ("mgan", "mgan", {"generators": 25}, {"beta": 1.0}, {"groups": {"generator": {"lr": 1e-3}}}),
    # ablation: the same without the diversity term (beta = 0): 25 first layers, nothing pushing them apart.
    "mgan25-glr1e-3-beta0": ("mgan", "mgan", {"generators": 25}, {"beta": 0.0},
                             {"groups": {"generator": {"lr": 1e-3}}}),
}
ANCHORS = {
    ("pacgan4", "25gaussians"): "PacGAN4 24.8 / 93.6%",
    ("pacgan4", "8gaussians"): "PacGAN4 7.8 / 95.9%",
    ("pacgan4-100packs", "25gaussians"): "PacGAN4 24.8 / 93.6%",
    ("pacgan4-100packs", "8gaussians"): "PacGAN4 7.8 / 95.9%",
    ("wgan-gp", "25gaussians"): "WGAN-GP 24.2 / 28.7%",
}
TARGETS = {"25gaussians": (25, 0.95), "8gaussians": (8, 0.97)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", default=list(RECIPES), choices=list(RECIPES))
    parser.add_argument("--data", nargs="+", default=["8gaussians", "25gaussians"], choices=list(TARGETS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4], help="train seeds")
    parser.add_argument("--steps", type=int, default=5000, help="training steps of every run")
    parser.add_argument("--snapshots", type=int, default=0,
                        help="scatter plots of 1,000 samples this many times during each run (train/samples/)")
    parser.add_argument("--runs", type=Path, help="keep the run folders here (default: a temporary folder)")
    parser.add_argument("--json", type=Path, help="append one JSON line per run to this file; the table then covers "
                                                  "every run in it")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        runs = args.runs or Path(scratch)
        for data in args.data:
            for variant in args.variants:
                for seed in args.seeds:
                    row = _run(variant, data, seed, args.steps, args.snapshots, runs / f"{variant}-{data}-seed{seed}")
                    rows.append(row)
                    print(json.dumps(row), flush=True)
                    if args.json:
                        with args.json.open("a", encoding="utf-8") as out:
                            out.write(json.dumps(row) + "\n")
    if args.json:  # the table covers every run the file holds, this invocation's and earlier ones'
        rows = [json.loads(line) for line in args.json.read_text(encoding="utf-8").splitlines() if line.strip()]
    print()
    print(_table(rows, torch.__version__))


def _run(variant: str, data: str, seed: int, steps: int, snapshots: int, out: Path) -> dict:
    """Train one variant with one seed; measure it with the registered `modes` metric."""
    import genzoo
    from genzoo.metrics import evaluate
    from genzoo.metrics.base import EvalRequest
    from genzoo.training import train

    architecture, trainer, model, step, settings = RECIPES[variant]
    settings = {"steps": steps, "batch_size": BATCH, "seed": seed, "log_every": max(steps // 10, 1),
                "sample_every": max(steps // snapshots, 1) if snapshots else None, "num_samples": 1000,
                "schedule": "linear", "checkpoint_every": steps, "device": "cpu"} | settings
    start = time.perf_counter()
    result = train(architecture, data=data, out=out, model=NETWORKS | model, trainer=trainer, step=step,
                   train=settings, progress=False)
    seconds = time.perf_counter() - start
    command = f"genzoo eval {out} --metric modes --data {data}"
    measured = {r.name: r.value for r in evaluate(genzoo.load(result.path), "modes",
                                                  EvalRequest(data=data, command=command))}
    return {"variant": variant, "data": data, "seed": seed, "steps": steps, "modes": measured["modes"],
            "high_quality": measured["high-quality"], "train_seconds": round(seconds, 1),
            "recipe": _recipe(architecture, trainer, data, model, step, settings)}


def _recipe(architecture: str, trainer: str, data: str, model: dict, step: dict, settings: dict) -> str:
    words = [f"genzoo train {architecture} --trainer {trainer} --data {data}"]
    words += [f"--set model.{k}={_value(v)}" for k, v in (NETWORKS | model).items()]
    words += [f"--set step.{k}={_value(v)}" for k, v in step.items()]
    words += [f"--set train.{k}={_value(v)}" for k, v in _dotted(settings) if k.split(".")[0] in RECIPE_SETTINGS]
    return " ".join(words)


def _dotted(settings: dict, prefix: str = ""):
    """(dotted key, value) of every leaf of nested settings: {"groups": {"generator": {"lr": 1e-3}}} gives
    ("groups.generator.lr", 1e-3), the form --set takes."""
    for key, value in settings.items():
        if isinstance(value, dict):
            yield from _dotted(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _value(value) -> str:
    return json.dumps(list(value) if isinstance(value, tuple) else value).replace(" ", "")


def _table(rows: list[dict], torch_version: str) -> str:
    """One line per (data, variant, steps): mean +- standard deviation over its seeds, beside the anchor."""
    lines = [f"VEEGAN protocol (2,500 samples, 3 sigma); torch {torch_version}; mean +- std over seeds",
             f"{'data':12} {'variant':16} {'seeds':>5} {'steps':>6} {'modes':>13} {'high quality':>15}  anchor"]
    groups: dict[tuple[str, str, int], list[dict]] = {}
    for row in rows:
        groups.setdefault((row["data"], row["variant"], row["steps"]), []).append(row)
    for (data, variant, steps), runs in sorted(groups.items()):
        modes = [r["modes"] for r in runs]
        quality = [100 * r["high_quality"] for r in runs]
        lines.append(f"{data:12} {variant:16} {len(runs):>5} {steps:>6} {_spread(modes, 1):>13} "
                     f"{_spread(quality, 1) + '%':>15}  {ANCHORS.get((variant, data), '')}")
    for data, (modes, quality) in TARGETS.items():
        lines.append(f"target on {data}: {modes}/{modes} modes and >= {quality:.0%} high quality")
    return "\n".join(lines)


def _spread(values: list[float], digits: int) -> str:
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.{digits}f} +- {spread:.{digits}f}"


if __name__ == "__main__":
    main()
