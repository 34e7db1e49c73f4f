"""pytorch-generative's PixelCNN, Gated PixelCNN and ImageGPT sampling, timed, for
benchmarks/ar_sampling_speed.py (runs in its own venv, without genzoo).

Only the glue is ours: the models and their sampling loop are EugenHotaj/pytorch-generative's own modules,
imported from a checkout given by `--source DIR` (default: $PYTORCH_GENERATIVE_SRC). It is not on PyPI;
the benchmark was written against commit d1f0a5ce45195fed3e2787be86ad87c7c8229481 (a warning on stderr
says when the checkout is at another):

    git clone https://github.com/EugenHotaj/pytorch-generative && git -C pytorch-generative checkout d1f0a5c

Importing it without its package `__init__`s: `pytorch_generative/__init__.py` imports its datasets
(torchvision) and trainer, `pytorch_generative/models/__init__.py` every model, none of which the peer venv
(torch and numpy) has or needs. Those two packages are registered as bare modules whose `__path__` is the
checkout's folder, so that importing `pytorch_generative.models.autoregressive.pixel_cnn` (gated_pixel_cnn,
image_gpt) runs only that file and what it imports: `pytorch_generative.nn` (its own `__init__`, torch and
numpy only) and `pytorch_generative.models.base`. Nothing is stubbed.

The timing: the model is built with its defaults but our size (`--channels`, `--layers`, ...), from
`torch.manual_seed(--seed)` (untrained: a forward's cost does not depend on the weights), gets one untimed
forward (the warm-up, which also registers the `_c, _h, _w` shape buffers its `sample` reads), then for each
batch its own `AutoregressiveModel.sample(n_samples=batch)` runs: one full forward of the whole batch per
pixel, Bernoulli draws. `--positions N` stops that loop after its first N forwards (the glue replaces the
instance's `forward` with a counter that ends the loop at the N+1st call); every visit costs the same full
forward, so the whole image's time is N's x H*W / N, and the driver marks it `~`. Default: all positions.

Prints one JSON line last: per batch, process CPU seconds and wall seconds of one whole draw, the positions
timed, parameter count, versions.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import time
import types
from pathlib import Path

import torch

COMMIT = "d1f0a5ce45195fed3e2787be86ad87c7c8229481"
SOURCE_ENV = "PYTORCH_GENERATIVE_SRC"
CLONE = ("git clone https://github.com/EugenHotaj/pytorch-generative && "
         f"git -C pytorch-generative checkout {COMMIT[:7]}")
# --arch -> (module under pytorch_generative/models/autoregressive, class)
ARCHS = {"pixelcnn": ("pixel_cnn", "PixelCNN"), "gated-pixelcnn": ("gated_pixel_cnn", "GatedPixelCNN"),
         "image-gpt": ("image_gpt", "ImageGPT")}
# packages whose __init__ imports more than the models need (see the docstring)
BARE_PACKAGES = ("pytorch_generative", "pytorch_generative.models")


def checkout_package(source: str | None) -> Path:
    """The checkout's `pytorch_generative` folder, or exit with one line saying how to get one."""
    if not source:
        sys.exit(f"no pytorch-generative checkout: pass --source DIR or set {SOURCE_ENV}; get one with: {CLONE}")
    package = Path(source).expanduser().resolve() / "pytorch_generative"
    if not (package / "models" / "base.py").is_file():
        sys.exit(f"{source} is not a pytorch-generative checkout (no pytorch_generative/models/base.py); "
                 f"get one with: {CLONE}")
    return package


def checkout_commit(package: Path) -> str | None:
    """The checkout's HEAD commit, or None where it is not the top of a git work tree (an unpacked archive,
    which may lie inside another repository)."""
    done = subprocess.run(["git", "-C", str(package), "rev-parse", "--show-toplevel", "HEAD"], check=False,
                          capture_output=True, text=True)
    lines = done.stdout.split()
    if done.returncode != 0 or len(lines) != 2 or Path(lines[0]).resolve() != package.parent:
        return None
    return lines[1]


def import_model_class(package: Path, arch: str) -> type:
    """The arch's model class from the checkout, without running the bare packages' `__init__`s."""
    for name in BARE_PACKAGES:
        bare = types.ModuleType(name)
        bare.__path__ = [str(package.joinpath(*name.split(".")[1:]))]
        sys.modules[name] = bare
    module, cls = ARCHS[arch]
    return getattr(importlib.import_module(f"pytorch_generative.models.autoregressive.{module}"), cls)


class _EnoughPositions(Exception):
    """Ends the model's sampling loop once --positions pixels are drawn."""


def draw(model: torch.nn.Module, n_samples: int, positions: int) -> None:
    """The model's own `sample(n_samples)`, stopped before its forward number positions + 1."""
    forward, calls = model.forward, 0

    def counted_forward(x):
        nonlocal calls
        if calls == positions:
            raise _EnoughPositions
        calls += 1
        return forward(x)

    model.forward = counted_forward  # `sample` calls self.forward: the instance attribute comes first
    try:
        model.sample(n_samples=n_samples)
    except _EnoughPositions:
        pass
    finally:
        del model.forward


def build(model_class: type, args: argparse.Namespace) -> torch.nn.Module:
    torch.manual_seed(args.seed)
    if args.arch == "pixelcnn":
        return model_class(n_residual=args.layers, residual_channels=args.channels, head_channels=args.head_channels)
    if args.arch == "gated-pixelcnn":
        return model_class(n_gated=args.layers, gated_channels=args.channels, head_channels=args.head_channels)
    return model_class(in_size=args.side, n_transformer_blocks=args.layers, n_attention_heads=args.heads,
                       n_embedding_channels=args.channels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", choices=list(ARCHS), required=True)
    parser.add_argument("--channels", type=int, required=True, help="PixelCNN: residual_channels (its blocks "
                        "carry twice as many); Gated PixelCNN: gated_channels; ImageGPT: n_embedding_channels.")
    parser.add_argument("--layers", type=int, required=True, help="n_residual / n_gated (after the 7x7 "
                        "input) / n_transformer_blocks.")
    parser.add_argument("--heads", type=int, default=4, help="ImageGPT's n_attention_heads.")
    parser.add_argument("--head-channels", type=int, default=32, help="(Gated) PixelCNN's head_channels.")
    parser.add_argument("--side", type=int, default=28, help="Images are 1 x side x side.")
    parser.add_argument("--batches", default="1,16")
    parser.add_argument("--positions", type=int, help="Time only the first N pixels and scale.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--source", default=os.environ.get(SOURCE_ENV), help="The pytorch-generative checkout "
                        f"(the folder holding pytorch_generative/; default: ${SOURCE_ENV}).")
    args = parser.parse_args()
    package = checkout_package(args.source)
    commit = checkout_commit(package)
    if commit != COMMIT:
        print(f"warning: {package.parent} is at {commit or 'an unknown commit (not a git work tree)'}, "
              f"the benchmark was written against {COMMIT[:7]}", file=sys.stderr)
    torch.set_num_threads(args.threads)
    shape = (1, args.side, args.side)
    pixels = args.side * args.side
    positions = pixels if args.positions is None else min(args.positions, pixels)
    model = build(import_model_class(package, args.arch), args).eval()
    with torch.no_grad():
        model(torch.zeros(1, *shape))  # warm-up (as genzoo's side gets one); registers the shape buffers
    rows = []
    for batch in map(int, args.batches.split(",")):
        torch.manual_seed(args.seed)
        wall, cpu = time.perf_counter(), time.process_time()
        draw(model, batch, positions)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        rows.append({"batch": batch, "positions_timed": positions, "pixels": pixels, "cpu_s": cpu * pixels / positions,
                     "wall_s": wall * pixels / positions, "extrapolated": positions < pixels})
    print(json.dumps({"rows": rows, "parameters": sum(p.numel() for p in model.parameters()),
                      "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "code": f"pytorch-generative {commit[:7] if commit else 'checkout of unknown commit'}"}))


if __name__ == "__main__":
    main()
