"""A character-level language model: the autoregressive transformer over token ids of characters.

Its config stores the vocabulary (token id i is the vocabulary's i-th character), so a checkpoint turns
its samples into text, and text prefixes into ids, with no dataset at hand: `genzoo sample` prints the
samples (`decode_text`) and `--prefix "TEXT"` is completed (`encode_text`). The default data are the
`shakespeare` dataset's sequences of 256 characters. Held-out bits per character is the `nll` metric's
bits/dim, since each element is one character.
"""

from __future__ import annotations

import torch
from pydantic import Field, model_validator

from genzoo.plugin import CapabilityError, DataSpec
from genzoo_explicit_likelihood.autoregressive.transformer import Transformer, TransformerConfig
from genzoo_explicit_likelihood.text.shakespeare import VOCABULARY

DEFAULT_LENGTH = 256


class CharLMConfig(TransformerConfig):
    data: DataSpec = DataSpec(shape=(DEFAULT_LENGTH,), kind="discrete", dtype="int64",
                              value_range=(0, len(VOCABULARY) - 1), levels=len(VOCABULARY))
    vocabulary: str = Field(VOCABULARY, min_length=2, description="The characters, in token-id order (the "
                            "dataset's; the default is the shakespeare dataset's 79).")

    @model_validator(mode="after")
    def _vocabulary_fits_the_data(self) -> CharLMConfig:
        data = self.data
        if data.dtype != "int64" or len(data.shape) != 1 or data.value_range[0] != 0:
            raise ValueError("a character LM's data are 1-D int64 token ids from 0 (e.g. the shakespeare dataset)")
        if len(set(self.vocabulary)) != len(self.vocabulary):
            raise ValueError("the vocabulary repeats a character")
        if len(self.vocabulary) != data.levels:
            raise ValueError(f"the vocabulary has {len(self.vocabulary)} characters but the data have "
                             f"{data.levels} token ids; set model.vocabulary to the dataset's")
        return self


class CharLM(Transformer):
    config_class = CharLMConfig

    def decode_text(self, samples: torch.Tensor) -> list[str]:
        """Each sample (n, L) of token ids as its text."""
        vocabulary = self.config.vocabulary
        return ["".join(vocabulary[i] for i in row) for row in samples.reshape(len(samples), -1).tolist()]

    def encode_text(self, text: str) -> torch.Tensor:
        """The token ids (len(text),) of a prefix; a one-line error for unknown characters or too long a text."""
        index = {char: i for i, char in enumerate(self.config.vocabulary)}
        unknown = sorted(set(text) - set(index))
        if unknown:
            raise CapabilityError(f"{self.name!r} has no token for {''.join(unknown)!r}; its vocabulary is "
                                  f"{self.config.vocabulary!r}")
        if len(text) > self.sequence_length:
            raise CapabilityError(f"the prefix has {len(text)} characters, more than {self.name!r}'s context of "
                                  f"{self.sequence_length}")
        return torch.tensor([index[char] for char in text], dtype=torch.long)
