"""Where a DCGAN training step spends its CPU time: genzoo's trainer beside PyTorch-GAN's loop, by cProfile.

    python benchmarks/dcgan_step_profile.py [--arch radford|pytorch-gan] [--fakes reuse|fresh] [--steps 60]
                                            [--threads 1]

Companion to dcgan_throughput.py, for the question "where does the slower side lose time". Both loops
run in this process (genzoo's venv; PyTorch-GAN's loop is imported from pytorch_gan_dcgan_worker.py,
which needs only torch and numpy) after a warm-up run each, under cProfile with the process's CPU time as
its clock, so the split hardly moves with the machine's load. Reported per training step (one D and one
G update): the whole loop, then the CPU time inside the generator's forward calls, the discriminator's
forward calls, autograd's backward, Adam's steps and the data loader, and the rest (losses, logging, the
trainer's bookkeeping, PyTorch-GAN's print). genzoo's final checkpoint is left out of its loop. genzoo's
GANStep runs with --fakes as its step.fakes: reuse (the default here) is PyTorch-GAN's algorithm, one
generator forward per step; fresh, genzoo's own default, draws new fakes for the discriminator (two).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import pstats
import tempfile
import time
from pathlib import Path

import torch

import pytorch_gan_dcgan_worker as peer


def code_of(function) -> tuple[str, int, str]:
    """cProfile's key of a Python function."""
    code = function.__code__
    return code.co_filename, code.co_firstlineno, code.co_name


def cumulative(stats: pstats.Stats, *functions, builtin: str = "") -> float:
    """CPU seconds inside calls of `functions` (or of the built-in whose name contains `builtin`)."""
    keys = {code_of(function) for function in functions}
    return sum(entry[3] for key, entry in stats.stats.items()
               if key in keys or (builtin and key[0] == "~" and builtin in key[2]))


def profile(run) -> pstats.Stats:
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    run()
    profiler.disable()
    return pstats.Stats(profiler)


def genzoo_run(arch: str, fakes: str, steps: int, folder: Path) -> None:
    from genzoo.training import train

    if arch == "pytorch-gan":
        from dcgan_throughput import register_plugin
        from pytorch_gan_dcgan_plugin import ARCHITECTURE as architecture, DATASET as dataset

        if not any(folder.joinpath("plugin").iterdir()):
            register_plugin(folder / "plugin")
    else:
        architecture, dataset = "dcgan", "mnist"
    train(architecture, data=dataset, out=folder / f"run{steps}", progress=False, step={"fakes": fakes},
          train={"steps": steps, "batch_size": 64, "log_every": 10, "checkpoint_every": steps, "sample_every": None,
                 "device": "cpu"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", choices=sorted(peer.ARCHITECTURES), default="radford")
    parser.add_argument("--fakes", choices=["reuse", "fresh"], default="reuse", help="genzoo's step.fakes.")
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    from dcgan_throughput import mnist_images_file
    from genzoo.training.data import BatchStream
    from genzoo.training.trainer import Trainer
    from genzoo_adversarial.networks import ConvDiscriminator, ConvGenerator
    from torch.utils.data.dataloader import _BaseDataLoaderIter

    images = peer.mnist_images(mnist_images_file(), peer.ARCHITECTURES[args.arch])
    with tempfile.TemporaryDirectory() as scratch, open(os.devnull, "w") as null:
        folder = Path(scratch)
        (folder / "plugin").mkdir()
        genzoo_run(args.arch, args.fakes, 10, folder)  # warm-up: imports, allocator, the plugin
        ours = profile(lambda: genzoo_run(args.arch, args.fakes, args.steps, folder))
        with contextlib.redirect_stdout(null):  # the peer's per-batch print
            peer.train(args.arch, images, 64, 10)
            theirs = profile(lambda: peer.train(args.arch, images, 64, args.steps))
    if args.arch == "radford":
        networks = {"genzoo": (ConvGenerator, ConvDiscriminator),
                    "peer": (peer.RadfordGenerator, peer.RadfordDiscriminator)}
    else:
        networks = dict.fromkeys(("genzoo", "peer"), (peer.Generator, peer.Discriminator))
    loops = {"genzoo": (ours, Trainer._train, BatchStream.__iter__),
             "peer": (theirs, peer.train, _BaseDataLoaderIter.__next__)}
    columns = {}
    for side, (stats, loop, data) in loops.items():
        generator, discriminator = networks[side]
        whole = cumulative(stats, loop) - cumulative(stats, Trainer._checkpoint)
        parts = {"generator forward": cumulative(stats, generator.forward),
                 "discriminator forward": cumulative(stats, discriminator.forward),
                 "backward": cumulative(stats, builtin="run_backward"),
                 "Adam step": cumulative(stats, torch.optim.Adam.step),
                 "data": cumulative(stats, data)}
        columns[side] = {"whole step": whole, **parts, "rest": whole - sum(parts.values())}
    print(f"DCGAN step, {args.arch} architecture, genzoo step.fakes={args.fakes}, batch 64, {args.steps} steps after a "
          f"10-step warm-up run, "
          f"{args.threads} thread(s), torch {torch.__version__}; CPU ms per step by cProfile (process time)")
    print(f"{'part':24} {'genzoo trainer':>15} {'PyTorch-GAN loop':>17} {'difference':>11}")
    for part in columns["genzoo"]:
        ms = {side: 1000 * columns[side][part] / args.steps for side in columns}
        print(f"{part:24} {ms['genzoo']:15.1f} {ms['peer']:17.1f} {ms['genzoo'] - ms['peer']:+11.1f}")


if __name__ == "__main__":
    main()
