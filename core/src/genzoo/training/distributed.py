"""Running the same training command under `torchrun --nproc_per_node N`.

torchrun sets RANK, LOCAL_RANK and WORLD_SIZE; when WORLD_SIZE > 1 we join the process group
(nccl on CUDA, gloo on CPU), give each process its own GPU, and let only rank 0 write files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class Processes:
    rank: int = 0
    local_rank: int = 0
    world_size: int = 1

    @property
    def distributed(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def resolve_device(name: str, local_rank: int) -> torch.device:
    """The device `name` ('auto', 'cpu', 'cuda', 'cuda:N') means for this process; a one-line
    ConfigError when it is not a device name or this machine does not have it."""
    from genzoo.devices import default_device
    from genzoo.errors import ConfigError

    if name == "auto":
        name = default_device()
    try:
        device = torch.device(name)
    except RuntimeError:
        raise ConfigError(f"device {name!r} is not a device name; use cpu, cuda or cuda:N") from None
    if device.type not in ("cpu", "cuda"):
        raise ConfigError(f"device {name!r} is not supported for training; use cpu, cuda or cuda:N")
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError(f"device {name!r} is not available: this torch build sees no CUDA GPU; use --device cpu")
        if device.index is None:
            device = torch.device("cuda", local_rank)
        if device.index >= torch.cuda.device_count():
            raise ConfigError(f"device {str(device)!r} is not available: this machine has "
                              f"{torch.cuda.device_count()} CUDA GPU(s)")
    return device


def start(device_name: str) -> tuple[Processes, torch.device, bool]:
    """Join the torchrun process group when there is one; return who we are, our device and
    whether we created the group (and so must destroy it)."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    processes = Processes(int(os.environ.get("RANK", "0")), int(os.environ.get("LOCAL_RANK", "0")), world_size)
    device = resolve_device(device_name, processes.local_rank)
    if device.type == "cuda":
        torch.cuda.set_device(device)
    created = processes.distributed and not dist.is_initialized()
    if created:
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return processes, device, created


def any_rank(flag: bool, processes: Processes, device: torch.device) -> bool:
    """True when `flag` is true on any process (so all stop at the same step)."""
    if not processes.distributed:
        return flag
    value = torch.tensor([float(flag)], device=device)
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item())


def gather_rng(processes: Processes, device: torch.device) -> dict[str, torch.Tensor]:
    """Every process's global torch generator state (and its GPU's), keyed by rank, for rank 0 to save."""
    local = {"cpu": torch.get_rng_state()}
    if device.type == "cuda":
        local["cuda"] = torch.cuda.get_rng_state(device)
    if not processes.distributed:
        return {f"{kind}_rank0": state for kind, state in local.items()}
    states = {}
    for kind, state in local.items():
        moved = state.to(device)
        parts = [torch.empty_like(moved) for _ in range(processes.world_size)]
        dist.all_gather(parts, moved)
        states.update({f"{kind}_rank{r}": part.cpu() for r, part in enumerate(parts)})
    return states


def restore_rng(states: dict[str, torch.Tensor], processes: Processes, device: torch.device) -> None:
    from genzoo.errors import CheckpointError

    if f"cpu_rank{processes.rank}" not in states:
        raise CheckpointError(f"the training state has no generator state for process {processes.rank}")
    torch.set_rng_state(states[f"cpu_rank{processes.rank}"])
    if device.type == "cuda" and f"cuda_rank{processes.rank}" in states:
        torch.cuda.set_rng_state(states[f"cuda_rank{processes.rank}"], device)
