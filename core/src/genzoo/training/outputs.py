"""Files a run writes besides the training state: the loadable checkpoint with its card, and samples."""

from __future__ import annotations

import copy
import platform
from pathlib import Path

import torch

from genzoo.capabilities import Capability
from genzoo.card import ModelCard, Recipe
from genzoo.outputs import save_samples


def hardware(device: torch.device, world_size: int) -> str:
    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)
    else:
        name = f"CPU ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads)"
    return f"{world_size} x {name}" if world_size > 1 else name


def with_weights(model: torch.nn.Module, weights: dict[str, torch.Tensor] | None) -> torch.nn.Module:
    """`model` itself, or a copy holding `weights` (the EMA), leaving the training model untouched."""
    if weights is None:
        return model
    clone = copy.deepcopy(model)
    clone.load_state_dict(weights)
    return clone


def export_checkpoint(model, out: Path, *, architecture: str, family: str, dataset: str, command: str,
                      summary: str, elapsed_s: float, hardware_name: str) -> None:
    """Write the loadable checkpoint (config, weights, card with the recipe) into `out`; `summary`
    says how far it got ("trained for 1000 steps", "fitted by EM in 12 iterations")."""
    from genzoo.checkpoint import save_pretrained

    card = ModelCard(
        name=out.name,
        description=f"`{architecture}` on `{dataset}`, {summary} with `genzoo train`.",
        datasets=[dataset],
        tags=[family],
        recipe=Recipe(command=command, duration=f"{elapsed_s:.0f} s", hardware=hardware_name),
    )
    save_pretrained(model, out, card=card)


def write_samples(model, path: Path, n: int, seed: int) -> Path | None:
    """A sample grid (or .npy for data that cannot be drawn) from a private seeded generator."""
    if Capability.SAMPLE not in model.capabilities:
        return None
    spec = model.data_spec
    condition = model.balanced_condition(n)
    generator = torch.Generator(device=model.device).manual_seed(seed)
    samples = model.sample(n, condition=condition, generator=generator)
    if not spec.is_drawable:
        path = path.with_suffix(".npy")
    return save_samples(samples.cpu(), spec, path)
