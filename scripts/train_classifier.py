"""Train and publish the FID/KID feature classifiers (`classifier-digits`, `classifier-mnist`).

    python scripts/train_classifier.py digits --epochs 40 --batch-size 64
    python scripts/train_classifier.py mnist --epochs 3 --data-dir ../shared/data

It trains on the train split, measures test accuracy with the `accuracy` metric (the code behind
`genzoo eval classifier-DATASET --metric accuracy`), writes registry/classifier-DATASET with that
number in its card, and prints the sha256 pins for its entry in core/src/genzoo/pretrained.json.

Each batch is shown through a random view (continuous, dequantized or dynamically binarized), so
the features mean the same thing whichever view a generative model was trained on.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import click
import torch
from torch.nn import functional as F
from tqdm import tqdm

import genzoo
from genzoo.atomic import sha256_file
from genzoo.cli.eval import eval_command_line
from genzoo.data import load_dataset
from genzoo.data.base import apply_view
from genzoo.metrics import evaluate
from genzoo.metrics.base import EvalRequest

REGISTRY = Path(__file__).resolve().parents[1] / "registry"
VIEWS = ("continuous", "dequantized", "binarized")


@click.command()
@click.argument("dataset", type=click.Choice(["digits", "mnist"]))
@click.option("--epochs", type=int, default=4)
@click.option("--batch-size", type=int, default=128)
@click.option("--lr", type=float, default=3e-3)
@click.option("--seed", type=int, default=0)
@click.option("--data-dir", default=None)
def main(dataset: str, epochs: int, batch_size: int, lr: float, seed: int, data_dir: str | None) -> None:
    """Train, measure and publish registry/classifier-DATASET."""
    torch.manual_seed(seed)
    random.seed(seed)
    data = load_dataset(dataset, "train", optional={"data_dir": data_dir} if data_dir else None)
    model = genzoo.create("classifier", data=data.data_spec)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    steps = epochs * ((len(data) + batch_size - 1) // batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=steps)
    start = time.time()
    model.train()
    for epoch in range(epochs):
        order = torch.randperm(len(data))
        bar = tqdm(order.split(batch_size), desc=f"epoch {epoch + 1}/{epochs}", mininterval=10)
        for index in bar:
            x = apply_view(data.levels[index], data.num_levels, random.choice(VIEWS))
            loss = F.cross_entropy(model.classify(x), data.y[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            bar.set_postfix(loss=f"{loss.item():.4f}", refresh=False)
    model.eval()
    minutes = (time.time() - start) / 60
    name = f"classifier-{dataset}"
    command_line = eval_command_line([name], "accuracy", dataset, None, 0, None, (), None)
    request = EvalRequest(data=dataset, data_dir=data_dir, command=command_line)
    metrics = evaluate(model, "accuracy", request)
    command = f"python scripts/train_classifier.py {dataset} --epochs {epochs} --batch-size {batch_size} --lr {lr} --seed {seed}"
    card = genzoo.ModelCard(
        name=name, datasets=[dataset], metrics=metrics, tags=["evaluation", "fid-features"],
        description=f"Feature classifier for {dataset}: `model.classify(x)` gives logits, `model.features(x)` the "
                    "penultimate activations used by `genzoo eval --metric fid|kid|cond-acc`. Trained on random "
                    "continuous, dequantized and binarized views of the train split.",
        recipe=genzoo.Recipe(command=command + (" --data-dir DIR" if data_dir else ""), duration=f"{minutes:.1f} min",
                             hardware="2 CPU cores"),
    )
    folder = genzoo.save_pretrained(model, REGISTRY / name, card=card)
    for result in metrics:
        click.echo(f"{result.name} = {result.value:.4f}  ({result.command})")
    files = {p.name: sha256_file(p) for p in sorted(folder.iterdir())}
    click.echo(f"trained in {minutes:.1f} min; saved to {folder}; pin these files:\n{files}")


if __name__ == "__main__":
    main()
