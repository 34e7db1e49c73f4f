"""An exponential moving average of the weights, the usual trick for sharper samples.

Kept as a state dict of floating tensors beside the model (not a second module), so it costs one
fused lerp per step and saves to safetensors like any other state. Tensors named in `live` (the
parameters of groups with `ema: False`, such as a GAN's discriminator) are copied instead of
averaged, so the exported checkpoint holds the average of the averaged part only.
"""

from __future__ import annotations

import torch
from torch import nn


class EMA:
    def __init__(self, model: nn.Module, decay: float, live: frozenset[str] = frozenset()):
        self.decay = decay
        self.state = {name: t.detach().clone() for name, t in model.state_dict().items()}
        tensors = model.state_dict()  # tensors that alias the model's parameters and buffers
        averaged = {n for n, t in tensors.items() if t.is_floating_point() and n not in live}
        self._averaged = [(self.state[n], t) for n, t in tensors.items() if n in averaged]
        self._copied = [(self.state[n], t) for n, t in tensors.items() if n not in averaged]

    @torch.no_grad()
    def update(self) -> None:
        if self._averaged:
            ema, live = zip(*self._averaged)
            torch._foreach_lerp_(list(ema), list(live), 1.0 - self.decay)
        for ema_tensor, tensor in self._copied:
            ema_tensor.copy_(tensor)

    def load(self, state: dict[str, torch.Tensor]) -> None:
        for name, tensor in state.items():
            self.state[name].copy_(tensor)
