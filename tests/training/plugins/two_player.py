"""A fake adversarial family for the training tests: a tiny WGAN (weight clipping) on a 2D ring.

The step has two parameter groups (critic, generator) updated n_critic : 1, clips the critic in
`after_update`, keeps its latest fakes and an update count in the step state, and suggests per-group
optimizer defaults. `TRIGGERS` records the order of calls; the environment variable
`TWO_PLAYER_KILL_AT=N` makes the N-th loss call SIGKILL its own process (a crash, no checkpoint).
"""

from __future__ import annotations

import math
import os
import signal

import torch
from torch import nn

from genzoo import ArchitectureSpec, Capability, DatasetSpec, DataSpec, GenerativeModel, ModelConfig, hookimpl
from genzoo.training import TrainingStep

genzoo_hook_api = 2
TRIGGERS: dict[str, list] = {}
NOISE = 4


class GanConfig(ModelConfig):
    data: DataSpec = DataSpec(shape=(2,), value_range=None)
    hidden: int = 16


class ToyGAN(GenerativeModel):
    capabilities = frozenset({Capability.SAMPLE})
    config_class = GanConfig

    def __init__(self, config):
        super().__init__(config)
        self.generator = nn.Sequential(nn.Linear(NOISE, config.hidden), nn.ReLU(), nn.Linear(config.hidden, 2))
        self.critic = nn.Sequential(nn.Linear(2, config.hidden), nn.ReLU(), nn.Linear(config.hidden, 1))

    def generate(self, n, *, condition=None, generator=None):
        noise = torch.randn(n, NOISE, generator=generator, device=self.generator[0].weight.device)
        return self.generator(noise)


class ClippedWGAN(TrainingStep):
    """WGAN with weight clipping (Arjovsky et al. 2017): n_critic critic updates per generator update."""

    groups = ("critic", "generator")
    group_defaults = {"critic": {"optimizer": "sgd", "ema": False}, "generator": {"betas": (0.5, 0.9)}}

    n_critic: int = 5
    clip: float = 0.05

    def parameters(self, model, group):
        return getattr(model, group).parameters()

    def updates(self, step):
        return ("critic",) * self.n_critic + ("generator",)

    def init_state(self, model):
        return {"critic_updates": torch.zeros((), dtype=torch.long), "last_fake": torch.zeros(0, 2)}

    def loss(self, model, batch, group, state):
        TRIGGERS.setdefault("calls", []).append(("loss", group))
        if len(TRIGGERS["calls"]) == int(os.environ.get("TWO_PLAYER_KILL_AT", "0")):
            os.kill(os.getpid(), signal.SIGKILL)
        fake = model.generate(len(batch.x))  # noise from the global RNG: resume must restore it
        if group == "critic":
            return {"loss": model.critic(fake.detach()).mean() - model.critic(batch.x).mean()}
        state["last_fake"] = fake.detach()
        return {"loss": -model.critic(fake).mean()}

    def after_update(self, model, group, state):
        TRIGGERS.setdefault("calls", []).append(("after", group))
        if group == "critic":
            for weight in model.critic.parameters():
                weight.clamp_(-self.clip, self.clip)
            state["critic_updates"] += 1


class Ring(torch.utils.data.Dataset):
    """`n` points from 8 Gaussians (std 0.05) on the unit circle."""

    data_spec = DataSpec(shape=(2,), value_range=None)

    def __init__(self, split="train", n=64, seed=0):
        generator = torch.Generator().manual_seed(seed + (split == "test"))
        angle = torch.randint(8, (n,), generator=generator) * (2 * math.pi / 8)
        centres = torch.stack([angle.cos(), angle.sin()], 1)
        self.points = centres + 0.05 * torch.randn(n, 2, generator=generator)

    def __len__(self):
        return len(self.points)

    def __getitem__(self, index):
        return self.points[index], None


@hookimpl
def genzoo_architectures():
    return [ArchitectureSpec(name="toy-wgan", family="toy-adversarial", model="two_player:ToyGAN",
                             capabilities=(Capability.SAMPLE,), methods=("generate",),
                             trainers={"clipped": "two_player:ClippedWGAN"})]


@hookimpl
def genzoo_datasets():
    return [DatasetSpec(name="ring", target="two_player:Ring")]
