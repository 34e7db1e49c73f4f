"""`genzoo anogan-score NAME --input ...`: AnoGAN anomaly scores of chosen inputs.

Inputs are image files or DATASET:INDEX (an example of that dataset's test split, e.g. mnist:7).
One line per input, `score<TAB>input`, and with -o a JSON file of the same, written whole or not at all.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import click

MAX_STEPS = 10_000  # a search step costs a generator and a discriminator pass per input


@click.command("anogan-score")
@click.argument("name")
@click.option("--input", "inputs", multiple=True, required=True,
              help="Image file or DATASET:INDEX, e.g. mnist:7 (repeatable).")
@click.option("--steps", type=click.IntRange(1, MAX_STEPS), help="Adam steps on z (default: the model's search_steps).")
@click.option("--seed", type=click.IntRange(0, 2**64 - 1), default=0, show_default=True,
              help="Seed of the latent search's starting codes.")
@click.option("--data-dir", type=click.Path(file_okay=False), help="Folder with dataset files (default $GENZOO_DATA).")
@click.option("--device", help="torch device (default: cpu).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Also write the scores to this JSON file.")
def anogan_score_command(name, inputs, steps, seed, data_dir, device, output) -> None:
    """Score the --input examples with the AnoGAN NAME: higher means more anomalous."""
    import torch

    import genzoo
    from genzoo.plugin import CapabilityError, GenzooError, read_example

    if output and not Path(output).parent.resolve().is_dir():
        raise GenzooError(f"{output}: its folder does not exist")
    model = genzoo.load(name, device=device)
    if not callable(getattr(model, "anomaly_scores", None)):
        raise CapabilityError(f"{model.name!r} cannot score anomalies: it is not an AnoGAN (genzoo train anogan ...)")
    x = torch.stack([read_example(model.data_spec, source, data_dir=data_dir, name=repr(model.name))[0]
                     for source in inputs])
    generator = torch.Generator(device=model.device).manual_seed(seed)
    scores = model.anomaly_scores(x.to(model.device), generator=generator, steps=steps).cpu().tolist()
    for source, score in zip(inputs, scores):
        click.echo(f"{score:.6g}\t{source}")
    if output:
        _write_json(Path(output), {"model": name, "steps": steps or model.config.search_steps, "seed": seed,
                                   "scores": [{"input": s, "score": v} for s, v in zip(inputs, scores)]})


def _write_json(path: Path, report: dict) -> None:
    """Write through a temporary file in the same folder, renamed into place: never a torn file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(json.dumps(report, indent=2) + "\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
