"""A fake family for the training tests: a diagonal Gaussian with a gradient step, a closed-form
fit and a two-optimizer step, plus a small seeded 2D dataset. Tests steer the gradient step
through `TRIGGERS` (raise a signal or return NaN at a given call)."""

from __future__ import annotations

import math
import os
import signal

import torch
from torch import nn

from genzoo import ArchitectureSpec, Capability, DatasetSpec, DataSpec, GenerativeModel, ModelConfig, hookimpl
from genzoo.training import FitStep, TrainingStep

genzoo_hook_api = 2
TRIGGERS: dict[str, int] = {}


class DiagConfig(ModelConfig):
    data: DataSpec = DataSpec(shape=(2,), value_range=None)
    hidden: int = 8


class DiagGaussian(GenerativeModel):
    """A Gaussian whose mean comes through a tiny MLP of a learned input: real Linear layers to train."""

    config_class = DiagConfig
    capabilities = frozenset({Capability.SAMPLE, Capability.LOG_PROB})

    def __init__(self, config):
        super().__init__(config)
        dim = config.data.dim
        self.code = nn.Parameter(torch.randn(config.hidden))
        self.net = nn.Sequential(nn.Linear(config.hidden, config.hidden), nn.Tanh(), nn.Linear(config.hidden, dim))
        self.log_std = nn.Parameter(torch.zeros(dim))

    def mean(self):
        return self.net(self.code)

    def log_prob(self, x, *, condition=None):
        z = (x.flatten(1) - self.mean()) / self.log_std.exp()
        return (-0.5 * z**2 - self.log_std - 0.5 * math.log(2 * math.pi)).sum(1)

    def generate(self, n, *, condition=None, generator=None):
        noise = torch.randn(n, self.log_std.numel(), generator=generator, device=self.log_std.device)
        return (self.mean() + noise * self.log_std.exp()).reshape(n, *self.data_spec.shape)


class JitterNLL(TrainingStep):
    """NLL of the batch plus `jitter` noise drawn from the global RNG (so resume must restore it)."""

    jitter: float = 0.01

    def loss(self, model, batch, group, state):
        TRIGGERS["calls"] = TRIGGERS.get("calls", 0) + 1
        if TRIGGERS["calls"] == TRIGGERS.get("signal_at"):
            os.kill(os.getpid(), signal.SIGINT)
        x = batch.x + self.jitter * torch.randn_like(batch.x)
        nll = -model.log_prob(x).mean()
        if TRIGGERS["calls"] >= TRIGGERS.get("nan_at", math.inf):
            nll = nll * float("nan")
        return {"loss": nll, "std": model.log_std.exp().mean().detach()}


class PairNLL(TrainingStep):
    """NLL of both streams of an unpaired batch (fields `a` and `b`); a SIGINT like JitterNLL's."""

    def loss(self, model, batch, group, state):
        TRIGGERS["calls"] = TRIGGERS.get("calls", 0) + 1
        if TRIGGERS["calls"] == TRIGGERS.get("signal_at"):
            os.kill(os.getpid(), signal.SIGINT)
        noise = 0.01 * torch.randn_like(batch.a)  # from the global RNG: resume must restore it
        return {"loss": -(model.log_prob(batch.a + noise).mean() + model.log_prob(batch.b).mean())}


class MeanThenStd(TrainingStep):
    """Two optimizers in alternation, the shape an adversarial step takes: two `mean` updates, then one `std`."""

    groups = ("mean", "std")

    def parameters(self, model, group):
        return [model.log_std] if group == "std" else [model.code, *model.net.parameters()]

    def updates(self, step):
        return ("mean", "mean", "std")

    def loss(self, model, batch, group, state):
        TRIGGERS.setdefault("order", []).append(group)
        return {"loss": -model.log_prob(batch.x).mean()}


class ClosedForm(FitStep):
    """Sets log_std to the data's log standard deviation, logging once per pass over the data, and
    stops like an iterative fit: after `max_iterations` passes or once the NLL improves by less than
    `tolerance` (so the second pass, which changes nothing, is the last)."""

    def fit(self, model, data, log):
        previous = math.inf
        with torch.no_grad():
            for iteration in range(self.max_iterations):
                count = sum(len(batch.x) for batch in data.batches(iteration))
                everything = data.all().x
                model.log_std.copy_(everything.std(0).log())
                nll = -model.log_prob(everything).mean().item()
                log(iteration, {"examples": count, "nll": nll})
                if previous - nll < self.tolerance:
                    return
                previous = nll


class Blobs(torch.utils.data.Dataset):
    """`n` points around (3, -1) with std (0.5, 2); label = which side of x = 3."""

    data_spec = DataSpec(shape=(2,), value_range=None, num_classes=2)

    def __init__(self, split="train", n=96, seed=0):
        generator = torch.Generator().manual_seed(seed + (split == "test"))
        self.points = torch.randn(n, 2, generator=generator) * torch.tensor([0.5, 2.0]) + torch.tensor([3.0, -1.0])

    def __len__(self):
        return len(self.points)

    def __getitem__(self, index):
        return self.points[index], int(self.points[index, 0] > 3)


def blob_pair(split="train"):
    """Two unpaired collections of blobs (40 and 24 points) drawn with different seeds."""
    from genzoo.plugin import TensorDataset, UnpairedDataset

    spec = DataSpec(shape=(2,), value_range=None)
    streams = {name: TensorDataset(Blobs(split, n=n, seed=seed).points, None, spec, name=name, split=split)
               for name, n, seed in (("a", 40, 1), ("b", 24, 2))}
    return UnpairedDataset(streams, name="blob-pair", split=split)


def _arch(name, trainers):
    return ArchitectureSpec(name=name, family="toy-training", model="training_toys:DiagGaussian",
                            capabilities=(Capability.SAMPLE, Capability.LOG_PROB), methods=("generate",),
                            trainers=trainers)


@hookimpl
def genzoo_architectures():
    return [
        _arch("diag-gaussian", {"jitter": "training_toys:JitterNLL", "alternating": "training_toys:MeanThenStd",
                                "unpaired": "training_toys:PairNLL"}),
        _arch("diag-gaussian-alternating", {"alternating": "training_toys:MeanThenStd"}),
        _arch("diag-gaussian-fit", {"closed-form": "training_toys:ClosedForm"}),
        ArchitectureSpec(name="diag-gaussian-untrainable", family="toy-training", model="training_toys:DiagGaussian",
                         capabilities=(Capability.SAMPLE, Capability.LOG_PROB), methods=("generate",)),
    ]


@hookimpl
def genzoo_datasets():
    return [DatasetSpec(name="blobs", target="training_toys:Blobs"),
            DatasetSpec(name="blob-pair", target="training_toys:blob_pair")]
