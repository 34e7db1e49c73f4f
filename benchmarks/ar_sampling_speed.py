"""Naive against cached autoregressive sampling: seconds to draw whole samples at batch 1 and 16 (issue 14),
beside pytorch-generative's sampling of the comparable model where it has one.

One row per model and batch, built untrained at its architecture's default size (sampling time does not
depend on the weights). Times are process CPU seconds (one thread: a dedicated core's wall time, the
meaningful reading on a shared machine) and wall seconds. `naive` runs one full forward per element,
`cached` one incremental step per element; both draw the same samples, checked here with torch.equal on
the whole samples (a class-conditional model draws for the balanced labels 0, 1, ..., 9, 0, ...).

The naive sampler costs the same full forward for every element, so a row may time only the last N
elements (the first L - N of the cached samples given as a prefix, which the naive sampler keeps) and
scale: whole-sequence time = N's time x L / N, marked `~`. Each row has a default N (None: the whole
sequence, for the models whose naive draw takes at most a few minutes); `--naive-elements N` sets it for
every row, 0 = whole sequences everywhere (hours for a 784-element transformer on one core).

The peer: EugenHotaj/pytorch-generative's PixelCNN, Gated PixelCNN and ImageGPT, imported from a checkout
of it (it is not on PyPI, and none of its code is in this repository) by pytorch_generative_pixelcnn_worker.py
in its own venv (torch and numpy only, without genzoo), built at our model's size (the row's `peer`
arguments; what differs is in PEER_NOTES) and drawing with its own loop: `AutoregressiveModel.sample`, one
full forward of the whole batch per pixel (it has no cached path). Its loop visits every pixel, so it too
may time the first N pixels and scale (`~`; `--peer-positions`). The table's "cached vs peer" = the peer's
CPU seconds over our cached sampler's. `--no-peer` leaves it out (no checkout or venv needed).

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/ar_sampling_speed.py --peer-source pytorch-generative -o speed.json
    python benchmarks/ar_sampling_speed.py --models pixelcnn-mnist --naive-elements 0 --peer-positions 0

The peer's checkout (`--peer-source`, default $PYTORCH_GENERATIVE_SRC), at the commit the worker was
written against, and its venv (default /work/bench-venv), set up once with:

    git clone https://github.com/EugenHotaj/pytorch-generative && git -C pytorch-generative checkout d1f0a5c
    python3.11 -m venv /work/bench-venv && /work/bench-venv/bin/pip install torch==2.13.0 numpy
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import click
import torch

import genzoo
from sides import anchor_env, probe_venv, run_worker

PEER_WORKER = Path(__file__).resolve().parent / "pytorch_generative_pixelcnn_worker.py"
SETUP = "python3.11 -m venv /work/bench-venv && /work/bench-venv/bin/pip install torch==2.13.0 numpy"
PEER_SOURCE_ENV = "PYTORCH_GENERATIVE_SRC"
CLONE = "git clone https://github.com/EugenHotaj/pytorch-generative && git -C pytorch-generative checkout d1f0a5c"
MNIST = {"shape": (1, 28, 28), "kind": "binary", "value_range": (0.0, 1.0), "levels": 2}
CONDITIONAL_MNIST = {**MNIST, "num_classes": 10}


@dataclass(frozen=True)
class Row:
    """A model at its recipe's size, how much of its naive draw to time, and pytorch-generative's peer."""

    architecture: str
    config: dict
    naive_elements: int | None = None  # None: time the whole naive draw
    peer: tuple[str, ...] = ()  # pytorch_generative_pixelcnn_worker.py arguments for the comparable model
    peer_positions: int | None = None  # None: the peer's whole draw


# name -> Row at the architecture's default size (some published checkpoints are smaller)
MODELS = {
    "transformer-mnist": Row("transformer", {"data": MNIST, "layers": 4, "width": 128, "heads": 4},
                             naive_elements=16,
                             peer=("--arch", "image-gpt", "--channels", "128", "--layers", "4", "--heads", "4"),
                             peer_positions=16),
    "pixelcnn-mnist": Row("pixelcnn", {"data": MNIST, "channels": 64, "layers": 7, "first_kernel": 7, "kernel": 3,
                                       "head_channels": 64},
                          peer=("--arch", "pixelcnn", "--channels", "64", "--layers", "7", "--head-channels", "64")),
    "gated-pixelcnn-mnist": Row("gated-pixelcnn", {"data": CONDITIONAL_MNIST, "num_classes": 10, "channels": 64,
                                                   "layers": 12, "first_kernel": 7, "kernel": 3, "head_channels": 64},
                                naive_elements=196,
                                peer=("--arch", "gated-pixelcnn", "--channels", "64", "--layers", "12",
                                      "--head-channels", "64"),
                                peer_positions=196),
    "wavenet-tones": Row("wavenet", {"residual_channels": 32, "gate_channels": 32, "skip_channels": 64, "cycle": 10,
                                     "stacks": 2}),
}
PEER_NOTES = {
    "image-gpt": "pytorch-generative's ImageGPT at the transformer's width, blocks and heads (4x MLP, pre-LN like "
                 "ours); it reads the image through a 3x3 type-A convolution plus a learned position map instead "
                 "of token + position embeddings after a start token, adds each block's output to the stream "
                 "twice (x + block(x), the block residual itself) and attends through an explicit masked softmax "
                 "instead of SDPA.",
    "pixelcnn": "pytorch-generative's PixelCNN is the same network as ours (a 7x7 mask-A convolution to 2h channels, "
                "residual blocks ReLU-1x1 to h-ReLU-3x3 mask B-ReLU-1x1 to 2h, a ReLU-1x1-ReLU-1x1 head) at the "
                "same h, blocks, kernels and head width; it outputs one Bernoulli logit per pixel where ours "
                "outputs a 2-way softmax, adds each block's output twice (x + block(x), the block residual "
                "itself), and re-multiplies its masks into the weights on every forward; its parameter count "
                "includes the kernel weights its masks zero, ours stores only the unmasked taps.",
    "gated-pixelcnn": "pytorch-generative's Gated PixelCNN at our channels, layer count (a 7x7 first layer + the "
                      "same number of 3x3 layers), kernels and head width, unconditional (ours adds a class bias per "
                      "layer); its vertical stack is a 1xN then an (N/2+1)x1 convolution plus a 1x1 from the input "
                      "where ours is one convolution over the rows above, and it sums per-layer 1x1 skip outputs "
                      "into the head where ours reads the last horizontal stack.",
}


def timed_sample(model, n: int, sampler: str, prefix: torch.Tensor | None) -> tuple[float, float, torch.Tensor]:
    """Wall and process CPU seconds of one draw, and the samples."""
    generator = torch.Generator().manual_seed(0)
    condition = model.balanced_condition(n)
    wall, cpu = time.perf_counter(), time.process_time()
    with torch.no_grad():
        samples = model.sample(n, sampler=sampler, generator=generator, prefix=prefix, condition=condition)
    return time.perf_counter() - wall, time.process_time() - cpu, samples


def build(row: Row):
    """Our model at the row's size, untrained, after one untimed forward (as the peer gets one)."""
    torch.manual_seed(0)
    model = genzoo.create(row.architecture, **row.config).eval()
    with torch.no_grad():
        sequence = torch.zeros(1, model.sequence_length, dtype=torch.long)
        model.element_log_probs(sequence, model.balanced_condition(1))
    return model


def measure(name: str, model, batch: int, naive_elements: int | None) -> dict:
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
            "parameters": sum(p.numel() for p in model.parameters()), "threads": torch.get_num_threads()}


def check_peer_source(source: Path | None) -> None:
    """Exit with one line saying how to get pytorch-generative's checkout unless `source` is one."""
    if source is None:
        sys.exit(f"no pytorch-generative checkout: pass --peer-source DIR or set {PEER_SOURCE_ENV} (or --no-peer); "
                 f"get one with: {CLONE}")
    if not (source / "pytorch_generative" / "models" / "base.py").is_file():
        sys.exit(f"--peer-source {source} is not a pytorch-generative checkout (no pytorch_generative/models/base.py);"
                 f" get one with: {CLONE}")


def run_peer(row: Row, batches: list[int], positions: int | None, python: Path, source: Path, threads: int) -> dict:
    """The peer worker's result for the row's comparable model at every batch, in a fresh process."""
    command = [python, PEER_WORKER, *row.peer, "--batches", ",".join(map(str, batches)), "--threads", threads,
               "--source", source]
    if positions is not None:
        command += ["--positions", positions]
    return run_worker("pytorch-generative", command, anchor_env(), threads)


def per_row(option: int | None, default: int | None) -> int | None:
    """A CLI override (0 = whole sequences) or the row's default."""
    if option is None:
        return default
    return option or None


def mark(extrapolated: bool) -> str:
    return "~" if extrapolated else ""


COLUMNS = ("model", "batch", "elements", "naive CPU s", "cached CPU s", "speed-up (CPU)", "speed-up (wall)",
           "same samples", "params ours / peer", "peer", "peer CPU s", "cached vs peer (CPU)")


def table_cells(row: dict) -> list[str]:
    naive = mark(row["naive_extrapolated"])
    cells = [row["model"], str(row["batch"]), str(row["elements"]), f"{naive}{row['naive_cpu_s']:.1f}",
             f"{row['cached_cpu_s']:.2f}", f"{naive}{row['speedup_cpu']:.1f}x", f"{naive}{row['speedup_wall']:.1f}x",
             str(row["same_samples"])]
    peer = row.get("peer")
    if peer is None:
        return cells + [f"{row['parameters']:,} / -", "-", "-", "-"]
    scaled = mark(peer["extrapolated"])
    return cells + [f"{row['parameters']:,} / {peer['parameters']:,}", peer["arch"], f"{scaled}{peer['cpu_s']:.1f}",
                    f"{scaled}{peer['cpu_s'] / row['cached_cpu_s']:.0f}x"]


def print_table(rows: list[dict]) -> None:
    click.echo("| " + " | ".join(COLUMNS) + " |")
    click.echo("|" + "---|" * len(COLUMNS))
    for row in rows:
        click.echo("| " + " | ".join(table_cells(row)) + " |")


@click.command()
@click.option("--models", default=",".join(MODELS), show_default=True, help="Comma-separated rows of MODELS.")
@click.option("--batches", default="1,16", show_default=True)
@click.option("--naive-elements", type=click.IntRange(0, 10**6), help="Time the naive sampler on this many "
              "elements and scale to the whole sequence, for every row (0: whole sequences; default: each row's).")
@click.option("--peer-positions", type=click.IntRange(0, 10**6), help="Time the peer's loop on its first N "
              "pixels and scale, for every row (0: whole images; default: each row's).")
@click.option("--peer-python", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("/work/bench-venv/bin/python"), show_default=True,
              help="Python of the venv that runs pytorch-generative's models (torch and numpy, not genzoo).")
@click.option("--peer-source", type=click.Path(file_okay=False, path_type=Path),
              default=lambda: os.environ.get(PEER_SOURCE_ENV), show_default=f"${PEER_SOURCE_ENV}",
              help="pytorch-generative's checkout (the folder holding pytorch_generative/).")
@click.option("--no-peer", is_flag=True, help="Leave pytorch-generative out.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Also write the rows as JSON.")
def main(models, batches, naive_elements, peer_positions, peer_python, peer_source, no_peer, output):
    names = models.split(",")
    unknown = sorted(set(names) - set(MODELS))
    if unknown:
        raise click.UsageError(f"unknown model(s) {', '.join(unknown)}; known: {', '.join(MODELS)}")
    batch_sizes = [int(batch) for batch in batches.split(",")]
    if not no_peer and any(MODELS[name].peer for name in names):
        check_peer_source(peer_source)
        probe_venv(peer_python, what="pytorch-generative peer", option="--peer-python", setup=SETUP,
                   code="import numpy, torch; print(torch.__version__)")
    threads = torch.get_num_threads()
    rows = []
    for name in names:
        row = MODELS[name]
        model = build(row)
        measured = [measure(name, model, batch, per_row(naive_elements, row.naive_elements)) for batch in batch_sizes]
        if row.peer and not no_peer:
            peer = run_peer(row, batch_sizes, per_row(peer_positions, row.peer_positions), peer_python, peer_source,
                            threads)
            for result, timing in zip(measured, peer["rows"]):
                result["peer"] = {**timing, "arch": row.peer[1], "parameters": peer["parameters"],
                                  "code": peer["code"], "torch": peer["torch"]}
        rows += measured
        for result in measured:
            print(f"{name} batch {result['batch']}: cached {result['cached_cpu_s']:.2f} CPU s", file=sys.stderr,
                  flush=True)
    print_table(rows)
    naive_scaled = sorted({f"{row['model']} ({row['naive_elements_timed']} of {row['elements']})"
                           for row in rows if row["naive_extrapolated"]})
    peer_scaled = sorted({f"{row['model']} ({row['peer']['positions_timed']} of {row['peer']['pixels']})"
                          for row in rows if row.get("peer", {}).get("extrapolated")})
    if naive_scaled:
        click.echo(f"~ naive extrapolated (elements timed x L / elements): {', '.join(naive_scaled)}")
    if peer_scaled:
        click.echo(f"~ peer extrapolated (pixels timed x H*W / pixels): {', '.join(peer_scaled)}")
    if no_peer and any(MODELS[name].peer for name in names):
        click.echo("peer columns skipped (--no-peer): pytorch-generative was not run")
    for arch in sorted({row["peer"]["arch"] for row in rows if "peer" in row}):
        click.echo(f"peer {arch}: {PEER_NOTES[arch]}")
    click.echo(f"torch {torch.__version__}, {threads} thread(s); peer: "
               f"{next((row['peer']['code'] for row in rows if 'peer' in row), '-')}")
    if output:
        with open(output, "w", encoding="utf-8") as file:
            json.dump(rows, file, indent=1)


if __name__ == "__main__":
    main()
