"""The pythae side of benchmarks/vae_throughput.py: one epoch of pythae's VAE under pythae's BaseTrainer.

Runs in its own venv with pythae installed (see vae_throughput.py), never genzoo's, and imports no
genzoo. It reads MNIST from the IDX files itself and binarizes dynamically in `__getitem__`, the
same per-example `torch.bernoulli(grey / 255)` that genzoo's "binarized" view does, so both sides
have the same data pipeline: a map-style dataset, a shuffling DataLoader with no workers, and
per-example binarization.

The networks are genzoo's VAE MLPs layer for layer: 784 -> 512 -> ReLU -> 512 -> ReLU -> 64 (mean
and log-variance of a 32-d Gaussian) and 32 -> 512 -> ReLU -> 512 -> ReLU -> 784, plus the sigmoid
that pythae's "bce" loss needs (it takes probabilities; genzoo's takes logits).

Timing: a callback stamps the clock at the end of every training step (after backward, Adam and
pythae's `loss.item()`); examples/s is measured from the end of step `--warmup-steps` to the end
of the last step of the epoch. So it covers pythae's whole per-step loop: DataLoader, forward,
loss, backward, optimizer step, progress-bar callback. Left out: imports, data loading, the
trainer's set-up and sanity-check forward, and the end-of-epoch work (best-model deepcopy, final
model save), which happen outside that window.

Prints one JSON line: {"examples_per_s", "examples", "seconds", "steps", "loss", "torch", "threads"}.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import logging
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from pythae.data.datasets import BaseDataset, DatasetOutput
from pythae.models import VAE, VAEConfig
from pythae.models.base.base_utils import ModelOutput
from pythae.models.nn import BaseDecoder, BaseEncoder
from pythae.trainers import BaseTrainer, BaseTrainerConfig
from pythae.trainers.training_callbacks import TrainingCallback
from torch import nn

IMAGES = "train-images-idx3-ubyte"


def read_images(data_dir: Path) -> torch.Tensor:
    """The 60,000 training images as uint8 (n, 1, 28, 28), from data_dir/mnist or data_dir, .gz or raw."""
    for folder in (data_dir / "mnist", data_dir):
        for path in (folder / f"{IMAGES}.gz", folder / IMAGES):
            if path.is_file():
                data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
                ndim = data[3]
                shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
                images = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)
                return torch.from_numpy(images.copy()).reshape(-1, 1, 28, 28)
    raise SystemExit(f"pythae worker: {IMAGES}[.gz] not found in {data_dir}/mnist or {data_dir}")


class BinarizedMNIST(BaseDataset):
    """Grey levels kept as uint8; each access draws a fresh binarization (as genzoo's view does)."""

    def __init__(self, grey: torch.Tensor):
        self.grey = grey
        self.labels = torch.zeros(len(grey))

    def __len__(self) -> int:
        return len(self.grey)

    def __getitem__(self, index: int) -> DatasetOutput:
        x = torch.bernoulli(self.grey[index : index + 1].float() / 255)[0]
        return DatasetOutput(data=x, labels=self.labels[index])


def mlp(sizes: list[int]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for index, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Linear(fan_in, fan_out))
        if index < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class Encoder(BaseEncoder):
    def __init__(self, hidden: tuple[int, ...], latent_dim: int):
        super().__init__()
        self.net = mlp([784, *hidden, 2 * latent_dim])

    def forward(self, x: torch.Tensor) -> ModelOutput:
        mean, log_var = self.net(x.flatten(1)).chunk(2, dim=1)
        return ModelOutput(embedding=mean, log_covariance=log_var)


class Decoder(BaseDecoder):
    def __init__(self, hidden: tuple[int, ...], latent_dim: int):
        super().__init__()
        self.net = mlp([latent_dim, *hidden[::-1], 784])

    def forward(self, z: torch.Tensor) -> ModelOutput:
        return ModelOutput(reconstruction=torch.sigmoid(self.net(z)).reshape(-1, 1, 28, 28))


class StepClock(TrainingCallback):
    """perf_counter at the end of every training step, and the epoch's mean loss."""

    def __init__(self):
        self.ends: list[float] = []
        self.loss = float("nan")

    def on_train_step_end(self, training_config, **kwargs):
        self.ends.append(time.perf_counter())

    def on_log(self, training_config, logs, **kwargs):
        self.loss = float(logs.get("train_epoch_loss", self.loss))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--steps", type=int, required=True, help="Full batches in the epoch (the dataset is cut to steps * batch).")
    parser.add_argument("--warmup-steps", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.steps <= args.warmup_steps:
        raise SystemExit("pythae worker: --steps must exceed --warmup-steps")

    torch.set_num_threads(args.threads)
    logging.getLogger(BaseTrainer.__module__).setLevel(logging.WARNING)  # banners; the tqdm bar stays (stderr)
    torch.manual_seed(args.seed)
    grey = read_images(args.data_dir)
    dataset = BinarizedMNIST(grey[torch.randperm(len(grey))[: args.steps * args.batch_size]])

    hidden, latent_dim = (512, 512), 32
    model = VAE(VAEConfig(input_dim=(1, 28, 28), latent_dim=latent_dim, reconstruction_loss="bce"),
                encoder=Encoder(hidden, latent_dim), decoder=Decoder(hidden, latent_dim))
    clock = StepClock()
    with tempfile.TemporaryDirectory() as out:
        config = BaseTrainerConfig(output_dir=out, per_device_train_batch_size=args.batch_size,
                                   per_device_eval_batch_size=args.batch_size, num_epochs=1, learning_rate=1e-3,
                                   optimizer_cls="Adam", steps_saving=None, steps_predict=None, seed=args.seed,
                                   no_cuda=True)
        trainer = BaseTrainer(model=model, train_dataset=dataset, eval_dataset=None, training_config=config,
                              callbacks=[clock])
        trainer.train()
    if len(clock.ends) != args.steps:
        raise SystemExit(f"pythae worker: expected {args.steps} steps, the trainer ran {len(clock.ends)}")
    measured = args.steps - args.warmup_steps
    seconds = clock.ends[-1] - clock.ends[args.warmup_steps - 1]
    examples = measured * args.batch_size
    print(json.dumps({"examples_per_s": examples / seconds, "examples": examples, "seconds": seconds,
                      "steps": measured, "loss": clock.loss, "torch": torch.__version__,
                      "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
