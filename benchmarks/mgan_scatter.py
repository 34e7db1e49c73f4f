"""Issue 16's MGAN picture: samples of a trained MGAN coloured by the generator that made them.

    python benchmarks/mgan_scatter.py RUN [--out mgan.png] [--data 25gaussians] [--n 2500] [--seed 0]
        [--json counts.json]

Draws n samples with `model.sample_latent(n, seeded generator)` (each sample's generator chosen
uniformly) and `generate_from_latent`, as the `ancestral` sampler does, keeping each sample's
generator index. The panel shows them over the real modes (grey 3-sigma circles); the title gives the
VEEGAN counts of these samples (core `mode_coverage`, the metric behind `genzoo eval --metric modes`).
Printed (and written to --json): per generator, its share of the samples, its high-quality share and
the modes its high-quality samples fall on, i.e. how the mixture splits the data between generators.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", help="an MGAN pretrained name, run folder or exported checkpoint")
    parser.add_argument("--out", type=Path, default=Path("mgan.png"))
    parser.add_argument("--data", default="25gaussians", help="the mixture the run was trained on")
    parser.add_argument("--n", type=int, default=2500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="write the per-generator counts here")
    args = parser.parse_args()

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import torch

    import genzoo
    from genzoo.data import load_dataset
    from genzoo.metrics.modes import SIGMAS, mode_coverage

    model = genzoo.load(args.run).eval()
    reference = load_dataset(args.data, "test")
    with torch.no_grad():
        z = model.sample_latent(args.n, torch.Generator().manual_seed(args.seed))
        samples, index = model.generate_from_latent(z).reshape(args.n, 2), model.generator_index(z)
    modes, std = reference.modes, reference.mode_std
    captured, quality = mode_coverage(samples, modes, std)
    nearest_distance, nearest = torch.cdist(samples.double(), modes.double()).min(dim=1)
    good = nearest_distance <= SIGMAS * std
    generators = model.config.generators
    per_generator = []
    for k in range(generators):
        mine = index == k
        per_generator.append({"generator": k, "share": round(float(mine.double().mean()), 4),
                              "high_quality": round(float(good[mine].double().mean()), 4) if mine.any() else None,
                              "modes": sorted(nearest[mine & good].unique().tolist())})
    summary = {"run": str(args.run), "n": args.n, "seed": args.seed, "modes": captured, "high_quality": quality,
               "generators": per_generator}
    for row in per_generator:
        print(row)
    print(f"{captured}/{len(modes)} modes, {quality:.1%} high quality")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1), encoding="utf-8")

    figure, axis = plt.subplots(figsize=(6, 6))
    radius = SIGMAS * std
    for centre in modes.tolist():
        axis.add_patch(plt.Circle(centre, radius, fill=False, color="grey", linewidth=0.8))
    colours = plt.get_cmap("tab20" if generators <= 20 else "hsv", generators)
    reach = float(modes.abs().max()) + 4 * radius
    points = samples.clamp(-reach, reach)
    axis.scatter(points[:, 0], points[:, 1], s=3, c=[colours(k) for k in index.tolist()], alpha=0.7)
    axis.set_xlim(-reach, reach)
    axis.set_ylim(-reach, reach)
    axis.set_aspect("equal")
    axis.set_title(f"MGAN, K={generators}: {args.n:,} samples coloured by generator\n"
                   f"{captured}/{len(modes)} modes, {quality:.1%} within 3 sigma (grey circles)", fontsize=9)
    figure.tight_layout()
    figure.savefig(args.out, dpi=120)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
