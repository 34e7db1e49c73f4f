"""Whether this machine can run models on a torch device, checked before anything is loaded.

torch accepts `torch.device("cuda:7")` or `"meta"` and fails only when a tensor moves there, with an
AssertionError ("Torch not compiled with CUDA enabled") or a RuntimeError deep inside Module.to.
`genzoo.load` and the CLI check first, so a user reads one line that names the device.
"""

from __future__ import annotations

import torch

from genzoo.errors import ConfigError


def default_device() -> str:
    """Where models run when the user names no device: the first CUDA GPU when there is one, else the CPU."""
    return "cuda" if torch.cuda.is_available() else "cpu"


def usable_device(device: str | torch.device) -> torch.device:
    """`device` as a torch.device, or a ConfigError when it is not a device name or this machine cannot
    run models on it (no CUDA build or no such GPU, no MPS, meta and other devices that hold no data here)."""
    try:
        parsed = torch.device(device)
    except (RuntimeError, TypeError):
        raise ConfigError(f"not a torch device: {str(device)!r}") from None
    if parsed.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if (parsed.index or 0) >= count:
            raise ConfigError(f"device {str(device)!r} is not available: this machine has {count} CUDA GPU(s); "
                              "use cpu")
    elif parsed.type == "mps":
        if not torch.backends.mps.is_available():
            raise ConfigError(f"device {str(device)!r} is not available on this machine; use cpu")
    elif parsed.type != "cpu":
        raise ConfigError(f"device {str(device)!r}: models run on cpu, cuda, cuda:N or mps")
    return parsed
