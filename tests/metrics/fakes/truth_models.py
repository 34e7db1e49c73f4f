"""Models whose right answers are known, for checking the metrics (a test plugin, not a family).

- `toy-truth`: samples and scores with a toy dataset's own generating distribution, so NLL must
  equal the ideal and every mode is covered.
- `one-mode`: puts every sample near the first mode of a mixture: exactly one mode captured.
- `digits-replay`: replays real digits train images of the requested class: conditional accuracy
  near the classifier's own, FID near the real floor.
"""

from __future__ import annotations

import torch

from genzoo import ArchitectureSpec, Capability, DataSpec, GenerativeModel, ModelConfig, hookimpl
from genzoo.data import load_dataset

genzoo_hook_api = 2


def _seed(generator: torch.Generator | None) -> int:
    return int(torch.randint(2**31 - 1, (1,), generator=generator))


class ToyConfig(ModelConfig):
    data: DataSpec = DataSpec(shape=(2,), value_range=None)
    dataset: str = "8gaussians"


class ToyTruth(GenerativeModel):
    config_class = ToyConfig
    capabilities = frozenset({Capability.SAMPLE, Capability.LOG_PROB})

    def generate(self, n, *, condition=None, generator=None):
        return load_dataset(self.config.dataset, n=n, seed=_seed(generator)).tensors()[0]

    def log_prob(self, x, *, condition=None):
        return load_dataset(self.config.dataset, n=1).log_prob(x)


class OneMode(GenerativeModel):
    config_class = ToyConfig
    capabilities = frozenset({Capability.SAMPLE})

    def generate(self, n, *, condition=None, generator=None):
        reference = load_dataset(self.config.dataset, n=1)
        return reference.modes[0] + 0.3 * reference.mode_std * torch.randn(n, 2, generator=generator)


class DigitsConfig(ModelConfig):
    data: DataSpec = DataSpec(shape=(1, 8, 8), kind="continuous", levels=17, num_classes=10)
    ignore_condition: bool = False


class DigitsReplay(GenerativeModel):
    config_class = DigitsConfig
    capabilities = frozenset({Capability.SAMPLE, Capability.CONDITIONAL})

    def generate(self, n, *, condition=None, generator=None):
        x, y = load_dataset("digits", "train").tensors()
        if condition is None or self.config.ignore_condition:
            return x[torch.randint(len(x), (n,), generator=generator)]
        picks = [torch.nonzero(y == c).flatten() for c in condition.tolist()]
        return torch.stack([x[p[torch.randint(len(p), (1,), generator=generator)]][0] for p in picks])


@hookimpl
def genzoo_architectures():
    toy = (Capability.SAMPLE,)
    return [
        ArchitectureSpec(name="toy-truth", family="test-truth", model="truth_models:ToyTruth",
                         capabilities=(*toy, Capability.LOG_PROB), methods=("generate",)),
        ArchitectureSpec(name="one-mode", family="test-truth", model="truth_models:OneMode", capabilities=toy,
                         methods=("generate",)),
        ArchitectureSpec(name="digits-replay", family="test-truth", model="truth_models:DigitsReplay",
                         capabilities=(Capability.SAMPLE, Capability.CONDITIONAL), methods=("generate",)),
    ]
