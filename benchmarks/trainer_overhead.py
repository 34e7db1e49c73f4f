"""How much the genzoo trainer costs over a bare PyTorch loop, and what 2 DDP processes give.

    python benchmarks/trainer_overhead.py [--steps 300] [--repeats 5]

Both loops train the same MLP denoiser (64 -> 512 -> 512 -> 64, digits-sized 8x8 inputs) with Adam
on batches of 128 drawn by a DataLoader from the same dataset; runs are interleaved and the median
of the repeats is reported. The trainer's throughput is its own logged examples/s over the whole
run (one log window, no checkpoint or sample grid inside it). DDP rows run the same trainer under
`torchrun --nproc_per_node N` with the same global batch.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import EntryPoint
from pathlib import Path

import torch
from torch import nn

from genzoo import ArchitectureSpec, DatasetSpec, DataSpec, GenerativeModel, ModelConfig, hookimpl
from genzoo.training import TrainingStep

genzoo_hook_api = 2
SPEC = DataSpec(shape=(1, 8, 8), value_range=(0.0, 1.0))
BATCH = 128


class DenoiserConfig(ModelConfig):
    data: DataSpec = SPEC
    hidden: int = 512


class Denoiser(GenerativeModel):
    config_class = DenoiserConfig

    def __init__(self, config):
        super().__init__(config)
        dim, hidden = config.data.dim, config.hidden
        self.net = nn.Sequential(nn.Linear(dim, hidden), nn.SiLU(), nn.Linear(hidden, hidden), nn.SiLU(),
                                 nn.Linear(hidden, dim))

    def forward(self, x):
        return self.net(x.flatten(1)).view_as(x)


def denoising_loss(model, x):
    return (model(x + 0.1 * torch.randn_like(x)) - x).pow(2).mean()


class DenoiseStep(TrainingStep):
    def loss(self, model, batch, group, state):
        return {"loss": denoising_loss(model, batch.x)}


class Digits8x8(torch.utils.data.Dataset):
    """1,797 random 8x8 images with 17 grey levels: the size and shape of sklearn's digits."""

    data_spec = SPEC

    def __init__(self, split="train"):
        self.x = torch.randint(0, 17, (1797, 1, 8, 8), generator=torch.Generator().manual_seed(0)).float() / 16

    def __len__(self):
        return len(self.x)

    def __getitem__(self, index):
        return self.x[index], 0


@hookimpl
def genzoo_architectures():
    return [ArchitectureSpec(name="bench-denoiser", family="benchmark", model="trainer_overhead:Denoiser",
                             capabilities=(), trainers={"denoise": "trainer_overhead:DenoiseStep"})]


@hookimpl
def genzoo_datasets():
    return [DatasetSpec(name="bench-digits", target="trainer_overhead:Digits8x8")]


def register() -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from genzoo import plugins, reset_registry

    installed = plugins._entry_points
    plugins._entry_points = lambda: [*installed(), EntryPoint(name="bench", value="trainer_overhead", group="genzoo")]
    reset_registry()


def trainer_run(steps: int, out: Path) -> float:
    """Examples/s of genzoo's trainer (rank 0's log when under torchrun)."""
    from genzoo.training import RunConfig, TrainConfig, run

    settings = TrainConfig(steps=steps, batch_size=BATCH, lr=1e-3, log_every=steps, checkpoint_every=steps,
                           sample_every=None, device="cpu")
    run(RunConfig(architecture="bench-denoiser", dataset="bench-digits", train=settings), out, progress=False)
    return json.loads((out / "train" / "metrics.jsonl").read_text().splitlines()[-1])["examples_per_s"]


def bare_run(steps: int) -> float:
    """Examples/s of the loop people write by hand: DataLoader, forward, backward, step."""
    torch.manual_seed(0)
    model = Denoiser(DenoiserConfig())
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loader = torch.utils.data.DataLoader(Digits8x8(), batch_size=BATCH, shuffle=True,
                                         generator=torch.Generator().manual_seed(0))
    done, began = 0, time.perf_counter()
    while done < steps:
        for x, _ in loader:
            optimizer.zero_grad(set_to_none=True)
            denoising_loss(model, x).backward()
            optimizer.step()
            done += 1
            if done == steps:
                break
    return steps * BATCH / (time.perf_counter() - began)


def ddp_run(processes: int, steps: int, out: Path) -> float:
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}",
               __file__, "--worker", "--steps", str(steps), "--out", str(out)]
    env = {**os.environ, "OMP_NUM_THREADS": str(max(1, (os.cpu_count() or 1) // processes))}
    subprocess.run(command, check=True, capture_output=True, env=env)
    return json.loads((out / "train" / "metrics.jsonl").read_text().splitlines()[-1])["examples_per_s"]


def table(rows: list[tuple[str, float, str, float]]) -> str:
    lines = ["| run | examples/s (median) | baseline | ratio |", "|---|---:|---|---:|"]
    lines += [f"| {name} | {value:,.0f} | {base} | {value / reference:.3f} |" for name, value, base, reference in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--ddp-repeats", type=int, default=3)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    register()
    if args.worker:
        trainer_run(args.steps, args.out)
        return
    torch.set_num_threads(os.cpu_count() or 1)
    trainer, bare, ddp = [], [], {1: [], 2: []}
    with tempfile.TemporaryDirectory() as scratch:
        bare_run(20), trainer_run(20, Path(scratch) / "warmup")  # imports, allocator, thread pools
        for repeat in range(args.repeats):
            bare.append(bare_run(args.steps))
            trainer.append(trainer_run(args.steps, Path(scratch) / f"t{repeat}"))
        for repeat in range(args.ddp_repeats):
            for processes in (1, 2):
                ddp[processes].append(ddp_run(processes, args.steps, Path(scratch) / f"d{processes}-{repeat}"))
    medians = {"bare": statistics.median(bare), "trainer": statistics.median(trainer),
               1: statistics.median(ddp[1]), 2: statistics.median(ddp[2])}
    print(f"MLP denoiser 64-512-512-64, batch {BATCH}, {args.steps} steps, Adam, {os.cpu_count()} CPU cores, "
          f"torch {torch.__version__}; medians of {args.repeats} (DDP: {args.ddp_repeats}) interleaved repeats")
    print(table([
        ("bare PyTorch loop", medians["bare"], "bare", medians["bare"]),
        ("genzoo trainer", medians["trainer"], "bare", medians["bare"]),
        ("trainer, torchrun 1 process", medians[1], "torchrun 1", medians[1]),
        ("trainer, torchrun 2 processes (DDP, gloo)", medians[2], "torchrun 1", medians[1]),
    ]))
    overhead = 1 - medians["trainer"] / medians["bare"]
    print(f"trainer overhead: {overhead:.1%} (target <= 5%)")


if __name__ == "__main__":
    main()
