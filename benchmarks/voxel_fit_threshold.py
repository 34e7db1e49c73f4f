"""Issue 16's shape-acc threshold, justified on real data: how well ideal solids fit real voxel shapes.

    python benchmarks/voxel_fit_threshold.py [--data voxel-shapes] [--n 500] [--seed 0]

Fits an ideal sphere, box and torus to each of the first n real test shapes exactly as `shape-acc` does
(shape_accuracy.fit_all, same seed) and prints, per true class: quantiles of the IoU of its own class's
fit (how well the search finds the right solid) and of the best other class's fit (how much a wrong
solid can look right), the share whose best class is the true one, and the share of all shapes whose
best IoU reaches each candidate threshold. A good threshold accepts nearly every real shape and sits
above what a wrong class reaches.
"""

from __future__ import annotations

import argparse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="voxel-shapes")
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import torch

    from genzoo.plugin import load_dataset
    from genzoo_adversarial.shape_accuracy import fit_all
    from genzoo_adversarial.voxel_shapes import CLASSES

    dataset = load_dataset(args.data, "test")
    volumes, labels = (part[: args.n] for part in dataset.tensors())
    fit = fit_all(volumes, dataset.data_spec.value_range, args.seed)
    quantiles = torch.tensor([0.01, 0.05, 0.5])
    print(f"{args.data} test, first {len(labels)} shapes, seed {args.seed}")
    print(f"{'class':8} {'n':>4}  own IoU q01 / q05 / median   best other q99 / max   best class right")
    for index, name in enumerate(CLASSES):
        rows = labels == index
        own = fit.iou[rows, index]
        other = fit.iou[rows].clone()
        other[:, index] = -1
        other = other.max(dim=1).values
        q01, q05, median = own.quantile(quantiles).tolist()
        right = (fit.kind[rows] == index).float().mean().item()
        print(f"{name:8} {int(rows.sum()):>4}  {q01:.3f} / {q05:.3f} / {median:.3f}          "
              f"{other.quantile(0.99).item():.3f} / {other.max().item():.3f}          {right:.1%}")
    print("best IoU q01 over all shapes:", f"{fit.best_iou.quantile(0.01).item():.3f}")
    for threshold in (0.7, 0.75, 0.8, 0.85, 0.9):
        print(f"share with best IoU >= {threshold}: {(fit.best_iou >= threshold).float().mean().item():.1%}")


if __name__ == "__main__":
    main()
