"""Issue 15's README figure: GAN samples on the 2-D toys at several points of training, one row per variant.

    python benchmarks/gan_toy_snapshots.py [--out plugins/adversarial/docs/toy_training.png]
        [--ring-steps 250 500 ...] [--grid-steps 500 1000 ...] [--rows gan-ring ...] [--threads 1]

Every row is one `genzoo.training.train` run (the code behind `genzoo train`, seed 0) stopped at each
column's step and continued with `resume=True`: the lr schedule is constant, so the stops change
nothing about the run (resume is exact). At each stop the exported checkpoint is loaded with
`genzoo.load` and draws 1,000 samples (seed 0), drawn over the real modes with their 3-sigma circles
(samples outside the frame are drawn on its edge); each panel's title gives the step and the VEEGAN
counts of those 1,000 samples (modes captured, share within 3 sigma; the table of
benchmarks/gan_mode_coverage.py uses 2,500).

Rows:
- the ring (8gaussians) with the networks and optimizer of Metz et al. 2017's Figure 1 (generator 2x128
  ReLU without batch norm from a 256-d latent, discriminator 1x128 (LeakyReLU here), Adam 1e-4 / beta1
  0.5, batch 512; their ring has radius 2 and std 0.02, genzoo's radius 2.83 and std 0.354): the plain GAN
  collapses onto one or two modes and hops between them (and, with
  `--rows ... unrolled-ring`, the unrolled GAN, 5 unrolled steps);
- the grid (25gaussians) with the shared recipe of gan_mode_coverage.py (MLPs 3x128, 2-d latent, batch
  100, Adam 2e-4 / 0.5) at a constant lr: the plain GAN beside InfoGAN with a 25-way categorical code.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "plugins" / "adversarial" / "docs" / "toy_training.png"
SAMPLES = 1000
METZ_RING = {"latent_dim": 256, "generator_hidden": (128, 128), "generator_batch_norm": False,
             "discriminator_hidden": (128,)}
METZ_TRAIN = {"batch_size": 512, "groups": {"generator": {"lr": 1e-4}, "discriminator": {"lr": 1e-4}}}
GRID = {"latent_dim": 2, "generator_hidden": (128, 128, 128), "discriminator_hidden": (128, 128, 128)}
# row -> (title, data, architecture, trainer, model options, step options, train options)
ROWS = {
    "gan-ring": ("GAN, ring (Metz et al. setting)", "8gaussians", "gan", "gan", METZ_RING, {}, METZ_TRAIN),
    "unrolled-ring": ("unrolled GAN (k=5), ring", "8gaussians", "unrolled-gan", "unrolled", METZ_RING,
                      {"unroll_steps": 5}, METZ_TRAIN),
    "gan-grid": ("GAN, grid", "25gaussians", "gan", "gan", GRID, {}, {"batch_size": 100}),
    "infogan-grid": ("InfoGAN (25-way code), grid", "25gaussians", "infogan", "infogan",
                     GRID | {"network": "mlp", "latent_dim": 27, "categories": 25, "continuous": 0}, {},
                     {"batch_size": 100}),
}
# The README figure; unrolled-ring adds 5 unrolled discriminator steps to every generator update.
DEFAULT_ROWS = ["gan-ring", "gan-grid", "infogan-grid"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--rows", nargs="+", default=DEFAULT_ROWS, choices=list(ROWS))
    parser.add_argument("--ring-steps", type=int, nargs="+", default=[100, 250, 500, 1000, 2000])
    parser.add_argument("--grid-steps", type=int, nargs="+", default=[250, 500, 1000, 2000, 4000])
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    panels = {}
    with tempfile.TemporaryDirectory() as scratch:
        for row in args.rows:
            steps = args.ring_steps if ROWS[row][1] == "8gaussians" else args.grid_steps
            panels[row] = _snapshots(row, sorted(steps), Path(scratch) / row)
            print(row, [(step, modes, f"{quality:.1%}") for step, _, modes, quality in panels[row]], flush=True)
    _figure(panels, args.out)
    print(f"wrote {args.out}")


def _snapshots(row: str, steps: list[int], out: Path) -> list[tuple]:
    """(step, samples, modes captured, high-quality share) at each step of one seeded run."""
    import torch

    import genzoo
    from genzoo.data import load_dataset
    from genzoo.metrics.modes import mode_coverage
    from genzoo.training import train

    _, data, architecture, trainer, model, step, settings = ROWS[row]
    reference = load_dataset(data, "test")
    snapshots = []
    for index, stop in enumerate(steps):
        config = {"steps": stop, "seed": 0, "schedule": "constant", "log_every": 50, "checkpoint_every": stop,
                  "sample_every": None, "device": "cpu"} | settings
        train(architecture, data=data, out=out, model=model, trainer=trainer, step=step, train=config,
              resume=index > 0, progress=False)
        samples = genzoo.load(out).sample(SAMPLES, generator=torch.Generator().manual_seed(0)).reshape(SAMPLES, 2)
        modes, quality = mode_coverage(samples, reference.modes, reference.mode_std)
        snapshots.append((stop, samples, modes, quality))
    return snapshots


def _figure(panels: dict[str, list[tuple]], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import torch

    from genzoo.data import load_dataset

    columns = max(len(snapshots) for snapshots in panels.values())
    figure, axes = plt.subplots(len(panels), columns, figsize=(2.2 * columns, 2.4 * len(panels)), squeeze=False)
    for axes_row, (row, snapshots) in zip(axes, panels.items(), strict=True):
        title, data = ROWS[row][:2]
        reference = load_dataset(data, "test")
        modes, radius = reference.modes, 3 * reference.mode_std
        reach = float(modes.abs().max()) + 2 * radius
        for axis in axes_row:
            axis.set_axis_off()
        for axis, (step, samples, captured, quality) in zip(axes_row, snapshots):
            axis.set_axis_on()
            for centre in modes.tolist():
                axis.add_patch(plt.Circle(centre, radius, fill=False, color="tab:red", linewidth=0.6))
            points = torch.as_tensor(samples).clamp(-reach, reach)
            axis.scatter(points[:, 0], points[:, 1], s=1.5, color="tab:blue", alpha=0.5, linewidths=0)
            axis.set(xlim=(-reach, reach), ylim=(-reach, reach), aspect="equal", xticks=[], yticks=[])
            axis.set_title(f"step {step}: {captured}/{len(modes)}, {quality:.0%}", fontsize=8)
        axes_row[0].set_ylabel(title, fontsize=8)
    figure.suptitle("1,000 samples (blue) over the real modes (red: 3 sigma circles); "
                    "titles: step, modes captured, share within 3 sigma", fontsize=9)
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".partial.png")
    figure.savefig(partial, dpi=110)
    partial.replace(out)  # atomic: a reader never sees half a figure


if __name__ == "__main__":
    main()
