"""Optimizers and the learning-rate schedule.

The schedule is a pure function of the step, applied before every update, so resuming needs no
scheduler object: the step count is the whole scheduler state.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch

from genzoo.training.config import TrainConfig


def build_optimizer(parameters: Iterable[torch.nn.Parameter], config: TrainConfig) -> torch.optim.Optimizer:
    params = [p for p in parameters if p.requires_grad]
    if config.optimizer == "sgd":
        return torch.optim.SGD(params, lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay)
    cls = torch.optim.AdamW if config.optimizer == "adamw" else torch.optim.Adam
    return cls(params, lr=config.lr, betas=config.betas, weight_decay=config.weight_decay)


def lr_at(config: TrainConfig, step: int) -> float:
    """Learning rate for the update at `step` (0-based): linear warmup, then constant/cosine/linear."""
    if step < config.warmup_steps:
        return config.lr * (step + 1) / config.warmup_steps
    if config.schedule == "constant":
        return config.lr
    progress = (step - config.warmup_steps) / max(1, config.steps - config.warmup_steps)
    if config.schedule == "cosine":
        return config.lr * 0.5 * (1 + math.cos(math.pi * progress))
    return config.lr * (1 - progress)


def set_lr(optimizer: torch.optim.Optimizer, lr: float) -> None:
    for group in optimizer.param_groups:
        group["lr"] = lr
