"""The like-for-like reconstruction baseline for anogan-mnist: ae-mnist's recipe, trained without the anomaly class.

    OMP_NUM_THREADS=1 GENZOO_DATA=DIR python benchmarks/anomaly_baseline_without_class.py --work runs/ae-without-0

`genzoo eval ae-mnist --metric anomaly-auroc` scores an autoencoder that saw every digit in training,
so it is the easier-to-fool baseline. AnoGAN never sees its anomaly class; this script gives the
autoencoder the same handicap: it writes MNIST without that class (train) and the whole MNIST test
split into an npz file, trains `ae` on it with ae-mnist's recipe (`genzoo train`), scores the same
seeded test subset as `genzoo eval anogan-mnist --metric anomaly-auroc --n N` with
`genzoo eval --metric anomaly-auroc` (squared reconstruction error), and prints that class's AUROC.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import click
import numpy as np

from genzoo.plugin import load_dataset

AE_MNIST_RECIPE = ["--set", "train.steps=9380", "--set", "train.schedule=cosine", "--set", "train.log_every=200",
                   "--set", "train.checkpoint_every=2000", "--set", "train.sample_every=100000",
                   "--set", "model.hidden=[512, 512]", "--set", "model.latent_dim=16", "--set", "data.view=binarized"]


def write_npz(path: Path, anomaly_class: int) -> int:
    """MNIST train without `anomaly_class` as x/y, the whole test split as x_test/y_test (uint8 images)."""
    arrays = {}
    for split, suffix in (("train", ""), ("test", "_test")):
        images, labels = load_dataset("mnist", split, view="levels").tensors()
        keep = labels != anomaly_class if split == "train" else slice(None)
        arrays["x" + suffix] = images[keep].numpy().astype(np.uint8)
        arrays["y" + suffix] = labels[keep].numpy()
    np.savez(path, **arrays)
    return len(arrays["x"])


@click.command()
@click.option("--work", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the npz file, the trained autoencoder and its eval results.")
@click.option("--anomaly-class", type=click.IntRange(0, 9), default=0, show_default=True)
@click.option("--n", type=click.IntRange(10, 10_000), default=2000, show_default=True,
              help="Test examples scored (the seeded subset anogan-mnist's card was scored on).")
def main(work: Path, anomaly_class: int, n: int) -> None:
    work.mkdir(parents=True, exist_ok=True)
    data, run, results = work / f"mnist-without-{anomaly_class}.npz", work / "ae", work / "auroc.json"
    kept = write_npz(data, anomaly_class)
    click.echo(f"wrote {data}: {kept:,} training images without class {anomaly_class}, the 10,000 test images")
    if not (run / "model.safetensors").exists():
        subprocess.run(["genzoo", "train", "ae", "--data", f"npz:{data}", *AE_MNIST_RECIPE, "--out", str(run),
                        "--no-progress"], check=True)
    subprocess.run(["genzoo", "eval", str(run), "--metric", "anomaly-auroc", "--data", f"npz:{data}", "--n", str(n),
                    "--seed", "0", "-o", str(results)], check=True, stdout=subprocess.DEVNULL)
    scores = {r["name"]: r["value"] for r in json.loads(results.read_text())["results"]}
    value = scores[f"anomaly-auroc-class-{anomaly_class}"]
    click.echo(f"ae (ae-mnist's recipe) trained without class {anomaly_class}: AUROC {value:.4f} with class "
               f"{anomaly_class} as the anomaly, n={n} test examples (seed 0), squared reconstruction error")


if __name__ == "__main__":
    main()
