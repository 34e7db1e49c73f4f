"""Translators and two-domain datasets whose right answers are known, for the translation metrics (a test plugin).

- `digits-copy-pairs`: paired digits whose source is the digit itself ("x" = "source"); its classifier is
  digits'. `digits-two-streams`: unpaired streams a (even-indexed test digits) and b (odd-indexed).
- `copy-translator`: returns its input (mode "copy") or blank images (mode "blank"); `source_stream` and
  `target_stream` name the streams it translates between on unpaired data.
"""

from __future__ import annotations

from typing import Literal

import torch

from genzoo import ArchitectureSpec, Capability, DatasetSpec, DataSpec, GenerativeModel, ModelConfig, hookimpl
from genzoo.data import load_dataset
from genzoo.data.fields import FieldsDataset, UnpairedDataset

genzoo_hook_api = 2
DIGIT = DataSpec(shape=(1, 8, 8), value_range=(0.0, 1.0), levels=17, num_classes=10)


class TranslatorConfig(ModelConfig):
    data: DataSpec = DIGIT
    source: DataSpec = DIGIT
    mode: Literal["copy", "blank"] = "copy"
    source_stream: str = "b"
    target_stream: str = "a"


class CopyTranslator(GenerativeModel):
    config_class = TranslatorConfig
    capabilities = frozenset({Capability.TRANSLATE})
    default_sampler = None

    @property
    def source_stream(self) -> str:
        return self.config.source_stream

    @property
    def target_stream(self) -> str:
        return self.config.target_stream

    def translate(self, x, *, generator=None):
        return x.clone() if self.config.mode == "copy" else torch.zeros_like(x)


def digits_copy_pairs(split="train", *, view="continuous"):
    x, y = load_dataset("digits", split, view=view).tensors()
    spec = DataSpec(shape=(1, 8, 8), value_range=(0.0, 1.0), levels=17)
    pairs = FieldsDataset({"x": x, "source": x.clone(), "label": y},
                          {"x": spec, "source": spec, "label": DataSpec.for_labels(10)}, name="digits-copy-pairs",
                          split=split)
    pairs.feature_dataset = "digits"
    return pairs


def digits_two_streams(split="train", *, view="continuous"):
    digits = load_dataset("digits", split, view=view)
    streams = {name: load_dataset("digits", split, view=view) for name in ("a", "b")}
    for stream, part in zip(streams.values(), (slice(0, None, 2), slice(1, None, 2)), strict=True):
        stream.levels, stream.y = digits.levels[part], digits.y[part]
    unpaired = UnpairedDataset(streams, name="digits-two-streams", split=split)
    unpaired.feature_dataset = "digits"
    return unpaired


@hookimpl
def genzoo_architectures():
    return [ArchitectureSpec(name="copy-translator", family="test-truth", model="truth_translators:CopyTranslator",
                             capabilities=(Capability.TRANSLATE,), default_sampler=None)]


@hookimpl
def genzoo_datasets():
    return [DatasetSpec(name="digits-copy-pairs", target="truth_translators:digits_copy_pairs"),
            DatasetSpec(name="digits-two-streams", target="truth_translators:digits_two_streams")]
