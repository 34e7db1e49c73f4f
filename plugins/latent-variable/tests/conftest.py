"""Small checkpoints trained once per session on the bundled 8x8 digits (no MNIST needed)."""

from __future__ import annotations

import pytest

from genzoo.training import train

TINY = {"hidden": [32], "latent_dim": 4, "mixture_components": 3}
FAST = {"steps": 60, "batch_size": 64, "lr": 3e-3, "log_every": 20, "sample_every": None}


def train_tiny(architecture: str, out, *, data_options=None, step=None, model=None, steps: int = 60):
    return train(architecture, data="digits", out=out, model=TINY | (model or {}),
                 data_options={"view": "binarized"} | (data_options or {}), train=FAST | {"steps": steps},
                 step=step or {}, progress=False).path


@pytest.fixture(name="train_tiny")
def train_tiny_fixture():
    """`train_tiny(architecture, out, ...)`: a short run on binarized digits; returns the checkpoint folder."""
    return train_tiny


@pytest.fixture(scope="session")
def vae_digits(tmp_path_factory):
    """A VAE on binarized digits: a checkpoint folder with a fitted latent mixture."""
    return train_tiny("vae", tmp_path_factory.mktemp("vae-digits"), steps=150)


@pytest.fixture(scope="session")
def cvae_digits(tmp_path_factory):
    return train_tiny("cvae", tmp_path_factory.mktemp("cvae-digits"), steps=150)
