"""`melodies`: one-bar piano-rolls of rule-made C-major melodies, MidiNet's small stand-in for TheoryTab.

MidiNet (Yang et al. 2017) learned pop lead sheets bar by bar: a monophonic melody bar, the chord
under it and the bar before it. No such corpus ships here, so melodies are written by simple rules,
deterministically from (generation_seed, split, melody index), with no file:

- A melody has MELODY_BARS = 8 bars: one of six 4-chord progressions (drawn uniformly) played twice.
- Rhythm: each half bar (8 sixteenths) takes one of RHYTHMS (durations in sixteenths, with their
  probabilities), so an event always starts on the strong beats (steps 0 and 8).
- Pitch, in C major within C4..B5: an event on a strong beat is a note on the chord tone nearest to the
  melody's current pitch (a tie goes either way, evenly); any other event is silent with probability
  REST_PROBABILITY, else a note moved from the current pitch by MOTIONS (scale degrees: mostly a step),
  turned back where it would leave the range. The first current pitch is a scale degree drawn from the
  middle of the range.

So every note is in the scale, every strong beat sounds a chord tone, and most moves are at most 2
semitones (a scale step; the nearest chord tone is always within 2): what `melody-rules` measures.
A held note is a run of ones in its row; two notes of the same pitch in a row read as one held note.

Fields of example i (bar i % 8 of melody i // 8): "x" the bar (1 x 24 x 16, binary), "label" its
chord (index into CHORDS), "previous" the bar before it in its melody (all zeros for a first bar).
`melodies-tiny` is the same with 8 / 2 melodies, for tests.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import torch
from pydantic import validate_call

from genzoo.plugin import DataSpec, FieldsDataset

from genzoo_adversarial.melody_theory import (CHORD_NAMES, CHORDS, LOWEST_MIDI, MELODY_BARS, PITCHES, PROGRESSIONS,
                                              SCALE, STEPS, progression_chords, row)

Split = Literal["train", "test"]
SPLIT_CODES = {"train": 0, "test": 1}
MELODIES = {"train": 2_500, "test": 250}  # 20,000 / 2,000 bars
TINY_MELODIES = {"train": 8, "test": 2}
RHYTHMS = (((8,), 0.10), ((4, 4), 0.35), ((4, 2, 2), 0.15), ((2, 2, 4), 0.15), ((2, 2, 2, 2), 0.15),
           ((6, 2), 0.10))
REST_PROBABILITY = 0.1  # of an event off the strong beats
MOTIONS = ((-1, 0.4), (1, 0.4), (0, 0.1), (-2, 0.05), (2, 0.05))  # scale degrees moved by an off-beat note
SCALE_PITCHES = tuple(p for p in range(LOWEST_MIDI, LOWEST_MIDI + PITCHES) if p % 12 in SCALE)
BAR_SPEC = DataSpec(shape=(1, PITCHES, STEPS), kind="binary", value_range=(0.0, 1.0), num_classes=len(CHORDS),
                    class_names=CHORD_NAMES)
PREVIOUS_SPEC = DataSpec(shape=(1, PITCHES, STEPS), kind="binary", value_range=(0.0, 1.0))
LABEL_SPEC = DataSpec.for_labels(len(CHORDS), CHORD_NAMES)


def _choice(rng: np.random.Generator, table: tuple) -> object:
    """One value of a ((value, probability), ...) table."""
    return table[rng.choice(len(table), p=[p for _, p in table])][0]


def _nearest_chord_tone(rng: np.random.Generator, degree: int, chord: int) -> int:
    """The scale degree (index into SCALE_PITCHES) of the chord tone nearest to `degree`'s pitch."""
    tones = CHORDS[chord].tones
    pitch = SCALE_PITCHES[degree]
    candidates = [d for d, p in enumerate(SCALE_PITCHES) if p % 12 in tones]
    distance = min(abs(SCALE_PITCHES[d] - pitch) for d in candidates)
    nearest = [d for d in candidates if abs(SCALE_PITCHES[d] - pitch) == distance]
    return nearest[rng.integers(len(nearest))]


def _moved(degree: int, move: int) -> int:
    """`degree` moved by `move` scale degrees, turned back where it would leave the range."""
    target = degree + move
    return target if 0 <= target < len(SCALE_PITCHES) else degree - move


def melody(rng: np.random.Generator, bars: int = MELODY_BARS) -> tuple[np.ndarray, list[int]]:
    """(`bars` piano-rolls (bars, 1, PITCHES, STEPS) of 0/1, their chord indices) by the module's rules."""
    chords = progression_chords(int(rng.integers(len(PROGRESSIONS))), bars)
    rolls = np.zeros((bars, 1, PITCHES, STEPS), dtype=np.float32)
    degree = int(rng.integers(3, len(SCALE_PITCHES) - 3))
    for bar, chord in enumerate(chords):
        for half in (0, STEPS // 2):
            start = half
            for index, duration in enumerate(_choice(rng, RHYTHMS)):
                if index == 0:
                    degree = _nearest_chord_tone(rng, degree, chord)
                elif rng.random() < REST_PROBABILITY:
                    start += duration
                    continue
                else:
                    degree = _moved(degree, int(_choice(rng, MOTIONS)))
                rolls[bar, 0, row(SCALE_PITCHES[degree]), start:start + duration] = 1.0
                start += duration
    return rolls, chords


def melody_bars(melodies: int, split: Split, generation_seed: int) -> dict[str, torch.Tensor]:
    """The fields of `melodies` melodies of `split`, bar after bar: x, label, previous."""
    rolls, chords, previous = [], [], []
    for index in range(melodies):
        bars, labels = melody(np.random.default_rng([generation_seed, SPLIT_CODES[split], index]))
        rolls.append(bars)
        chords += labels
        previous.append(np.concatenate([np.zeros_like(bars[:1]), bars[:-1]]))
    return {"x": torch.from_numpy(np.concatenate(rolls)), "label": torch.tensor(chords, dtype=torch.long),
            "previous": torch.from_numpy(np.concatenate(previous))}


def _dataset(name: str, melodies: int, split: Split, generation_seed: int) -> FieldsDataset:
    fields = {"x": BAR_SPEC, "label": LABEL_SPEC, "previous": PREVIOUS_SPEC}
    return FieldsDataset(melody_bars(melodies, split, generation_seed), fields, name=name, split=split)


@validate_call
def melodies(split: Split = "train", *, generation_seed: int = 0) -> FieldsDataset:
    """2,500 / 250 rule-made melodies of 8 bars: 20,000 / 2,000 bars with their chords and previous bars."""
    return _dataset("melodies", MELODIES[split], split, generation_seed)


@validate_call
def melodies_tiny(split: Split = "train", *, generation_seed: int = 0) -> FieldsDataset:
    """8 / 2 melodies (64 / 16 bars) by the same rules, for tests."""
    return _dataset("melodies-tiny", TINY_MELODIES[split], split, generation_seed)
