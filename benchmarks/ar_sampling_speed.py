"""Naive against cached autoregressive sampling: seconds to draw whole samples at batch 1 and 16 (issue 14).

One row per model, built untrained at its pretrained recipe's size (sampling time does not depend on the
weights). Times are process CPU seconds (one thread: a dedicated core's wall time, meaningful on a
shared machine) and wall seconds. `naive` runs one full forward per element, `cached` one incremental step per element; both draw
the same samples (checked here with torch.equal on the elements both drew). The naive sampler costs the
same full forward for every element, so with `--naive-elements N` it draws only the last N elements (the
rest given as a prefix) and its whole-sequence time is N's time x L / N, marked `~` in the table; without
the option it draws whole sequences (hours for a 784-element transformer on 2 CPU cores).

    OMP_NUM_THREADS=1 python benchmarks/ar_sampling_speed.py --naive-elements 16 -o speed.json

Add a model by adding a row to MODELS (PixelCNN and WaveNet rows belong here too).
"""

from __future__ import annotations

import json
import time

import click
import torch

import genzoo

MNIST = {"shape": (1, 28, 28), "kind": "binary", "value_range": (0.0, 1.0), "levels": 2}
# name -> (architecture, config at the pretrained recipe's size)
MODELS = {
    "transformer-mnist": ("transformer", {"data": MNIST, "layers": 4, "width": 128, "heads": 4}),
}


def timed_sample(model, n: int, sampler: str, prefix: torch.Tensor | None) -> tuple[float, float, torch.Tensor]:
    """Wall and process CPU seconds of one draw, and the samples."""
    generator = torch.Generator().manual_seed(0)
    wall, cpu = time.perf_counter(), time.process_time()
    with torch.no_grad():
        samples = model.sample(n, sampler=sampler, generator=generator, prefix=prefix)
    return time.perf_counter() - wall, time.process_time() - cpu, samples


def measure(name: str, batch: int, naive_elements: int | None) -> dict:
    architecture, config = MODELS[name]
    torch.manual_seed(0)
    model = genzoo.create(architecture, **config).eval()
    length = model.sequence_length
    cached_s, cached_cpu, cached = timed_sample(model, batch, "cached", None)
    drawn = length if naive_elements is None else min(naive_elements, length)
    # the first L - drawn elements of the cached samples as the prefix: the naive sampler then redraws the rest
    prefix = None if drawn == length else model.to_sequence(cached)[:, :length - drawn]
    naive_s, naive_cpu, naive = timed_sample(model, batch, "naive", prefix)
    scale = length / drawn
    return {"model": name, "batch": batch, "elements": length, "naive_elements_timed": drawn,
            "naive_extrapolated": drawn < length, "naive_cpu_s": naive_cpu * scale, "cached_cpu_s": cached_cpu,
            "speedup_cpu": naive_cpu * scale / cached_cpu, "naive_wall_s": naive_s * scale, "cached_wall_s": cached_s,
            "speedup_wall": naive_s * scale / cached_s, "same_samples": bool(torch.equal(naive, cached)),
            "threads": torch.get_num_threads()}


@click.command()
@click.option("--models", default=",".join(MODELS), show_default=True, help="Comma-separated rows of MODELS.")
@click.option("--batches", default="1,16", show_default=True)
@click.option("--naive-elements", type=click.IntRange(1, 10**6), help="Time the naive sampler on this many "
              "elements and scale to the whole sequence (default: whole sequences).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Also write the rows as JSON.")
def main(models, batches, naive_elements, output):
    rows = [measure(name, int(batch), naive_elements) for name in models.split(",") for batch in batches.split(",")]
    click.echo("| model | batch | elements | naive CPU s | cached CPU s | speed-up (CPU) | speed-up (wall) | same samples |")
    click.echo("|---|---|---|---|---|---|---|---|")
    for row in rows:
        mark = "~" if row["naive_extrapolated"] else ""
        click.echo(f"| {row['model']} | {row['batch']} | {row['elements']} | {mark}{row['naive_cpu_s']:.1f} | "
                   f"{row['cached_cpu_s']:.2f} | {mark}{row['speedup_cpu']:.0f}x | {mark}{row['speedup_wall']:.0f}x | "
                   f"{row['same_samples']} |")
    if naive_elements:
        click.echo(f"~: the naive time of {naive_elements} elements x L / {naive_elements}")
    if output:
        with open(output, "w", encoding="utf-8") as file:
            json.dump(rows, file, indent=1)


if __name__ == "__main__":
    main()
