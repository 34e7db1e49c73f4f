"""Read a StackGAN run's exported weights and its raw training weights side by side: cond-acc and mean pixel.

A run folder holds the export (the EMA when train.ema_decay was set) and, under train/state/, the live weights of
its last checkpoint. This draws n class-balanced samples (seed 1) of stage I (upsampled bilinear) or stage II from
each and prints the share classifier-mnist reads as the asked-for label and the mean pixel value (real MNIST:
about 0.13), which is how the StackGAN README's two recipe notes (the KL weight, no EMA for stage II) were checked:

    GENZOO_DATA=... OMP_NUM_THREADS=1 python benchmarks/stackgan_checkpoint_check.py RUN --stage two --n 1000
"""

from __future__ import annotations

import json
from pathlib import Path

import click
import torch
from safetensors.torch import load_file

import genzoo


def _read(model, stage: str, n: int, classifier) -> dict[str, float]:
    labels = torch.arange(n) % 10
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        if stage == "one":
            x = model.upsample_stage_one(model.generate_stage_one(n, condition=labels, generator=generator))
        else:
            x = model.generate(n, condition=labels, generator=generator)
        read = classifier.classify(x).argmax(dim=1)
    return {"cond-acc": round((read == labels).float().mean().item(), 4), "mean-pixel": round(x.mean().item(), 4)}


@click.command()
@click.argument("run", type=click.Path(exists=True, file_okay=False))
@click.option("--stage", type=click.Choice(["one", "two"]), default="two", show_default=True)
@click.option("--n", type=click.IntRange(10, 10_000), default=1000, show_default=True)
def main(run: str, stage: str, n: int) -> None:
    state = Path(run) / "train" / "state"
    classifier = genzoo.load("classifier-mnist")
    exported = genzoo.load(run).eval()
    raw = genzoo.load(run)
    raw.load_state_dict(load_file(state / "model.safetensors"))
    raw.eval()
    step = json.loads((state / "state.json").read_text())["step"]
    print(json.dumps({"run": run, "stage": stage, "state-step": step, "n": n,
                      "exported": _read(exported, stage, n, classifier), "raw": _read(raw.eval(), stage, n, classifier)}))


if __name__ == "__main__":
    main()
