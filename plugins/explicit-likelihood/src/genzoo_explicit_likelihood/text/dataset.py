"""Text as fixed-length sequences of character ids, split into train and test by contiguous blocks.

The text is cut into 100 equal blocks of characters; every tenth block (blocks 9, 19, ..., 99) is the
test split, the others the training split, so both splits sample the whole corpus (every genre of
play) while no test character sits inside a training sequence. Each split's blocks are cut into
non-overlapping sequences of `length` characters (a block's remainder is dropped), so a sequence never
spans two blocks. Scoring a test sequence from its first character (the model's start token) is how
the `nll` metric's bits/dim, here bits per character, is measured.
"""

from __future__ import annotations

import torch

from genzoo.plugin import ConfigError, DataSpec, TensorDataset

BLOCKS, TEST_EVERY = 100, 10
MAX_LENGTH = 4096


def text_spec(vocabulary: str, length: int) -> DataSpec:
    """Sequences of `length` token ids, one per character of `vocabulary`."""
    return DataSpec(shape=(length,), kind="discrete", dtype="int64", value_range=(0, len(vocabulary) - 1),
                    levels=len(vocabulary))


def encode(text: str, vocabulary: str) -> torch.Tensor:
    """Token ids (len(text),) int64: each character's index in `vocabulary`; a ConfigError for others."""
    index = {char: i for i, char in enumerate(vocabulary)}
    unknown = sorted(set(text) - set(index))
    if unknown:
        raise ConfigError(f"characters {''.join(unknown)!r} are not in the vocabulary {vocabulary!r}")
    return torch.tensor([index[char] for char in text], dtype=torch.long)


def split_blocks(text: str, split: str) -> list[str]:
    """The split's contiguous blocks of the text (see the module docstring)."""
    bounds = [len(text) * i // BLOCKS for i in range(BLOCKS + 1)]
    blocks = [text[bounds[i]:bounds[i + 1]] for i in range(BLOCKS)]
    test = split == "test"
    return [block for i, block in enumerate(blocks) if (i % TEST_EVERY == TEST_EVERY - 1) == test]


def text_dataset(text: str, vocabulary: str, *, name: str, split: str, length: int) -> TensorDataset:
    """The split's sequences of `length` token ids (n, length), unlabelled."""
    if not 1 <= length <= MAX_LENGTH:
        raise ConfigError(f"length must be in 1..{MAX_LENGTH}, got {length}")
    if split not in ("train", "test"):
        raise ConfigError(f"split must be train or test, got {split!r}")
    pieces = []
    for block in split_blocks(text, split):
        usable = len(block) - len(block) % length
        if usable:
            pieces.append(encode(block[:usable], vocabulary).view(-1, length))
    if not pieces:
        raise ConfigError(f"{name}: no {split} block holds {length} characters; choose a shorter length")
    return TensorDataset(torch.cat(pieces), None, text_spec(vocabulary, length), name=name, split=split)


def shakespeare(split: str = "train", length: int = 256) -> TensorDataset:
    """The `shakespeare` dataset: sequences of `length` characters of the 38 plays."""
    from genzoo_explicit_likelihood.text.shakespeare import VOCABULARY, corpus

    return text_dataset(corpus(), VOCABULARY, name="shakespeare", split=split, length=length)
