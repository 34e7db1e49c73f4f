"""The small music theory shared by the `melodies` data, MidiNet's chord condition and the `melody-rules` metric.

One key (C major) over two octaves, one bar of 4/4 in sixteenth notes, six diatonic triads and six
four-chord pop progressions. A bar is a piano-roll of 1 x PITCHES x STEPS: row 0 is the highest
pitch (B5), so that a drawn roll has high notes on top, and column t is the t-th sixteenth.
"""

from __future__ import annotations

from typing import NamedTuple

PITCHES = 24  # rows of a bar: MIDI 60 (C4) .. 83 (B5)
LOWEST_MIDI = 60
STEPS = 16  # sixteenth notes of one 4/4 bar
STRONG_STEPS = (0, 8)  # beats 1 and 3
SCALE = frozenset({0, 2, 4, 5, 7, 9, 11})  # pitch classes of C major
MELODY_BARS = 8  # a melody of the dataset: its 4-chord progression played twice
CHORD_VECTOR_SIZE = 13  # MidiNet's 1-D condition: one-hot root pitch class (12) + a minor flag


class Chord(NamedTuple):
    name: str
    root: int  # pitch class
    minor: bool

    @property
    def tones(self) -> frozenset[int]:
        """Pitch classes of the triad: root, third (minor 3 or major 4 semitones up), fifth."""
        return frozenset({self.root, (self.root + (3 if self.minor else 4)) % 12, (self.root + 7) % 12})

    @property
    def vector(self) -> tuple[float, ...]:
        """MidiNet's 13-d chord condition (Yang et al. 2017, sec. 4.1): the root one-hot, then 1 for minor."""
        return tuple(float(pc == self.root) for pc in range(12)) + (float(self.minor),)


# The diatonic triads I ii iii IV V vi of C major; a bar's class label is its chord's index here.
CHORDS = (Chord("C", 0, False), Chord("Dm", 2, True), Chord("Em", 4, True), Chord("F", 5, False),
          Chord("G", 7, False), Chord("Am", 9, True))
CHORD_NAMES = tuple(chord.name for chord in CHORDS)
# I-V-vi-IV, I-vi-IV-V, vi-IV-I-V, I-IV-V-I, ii-V-I-vi, I-iii-IV-V, as chord indices.
PROGRESSIONS = ((0, 4, 5, 3), (0, 5, 3, 4), (5, 3, 0, 4), (0, 3, 4, 0), (1, 4, 0, 5), (0, 2, 3, 4))


def midi(row: int) -> int:
    """The MIDI pitch of a piano-roll row (row 0 is the highest)."""
    return LOWEST_MIDI + PITCHES - 1 - row


def row(pitch: int) -> int:
    """The piano-roll row of a MIDI pitch inside the range."""
    return LOWEST_MIDI + PITCHES - 1 - pitch


def progression_chords(progression: int, bars: int) -> list[int]:
    """The chord index of each of `bars` bars that follow progression number `progression`, repeating it."""
    chords = PROGRESSIONS[progression % len(PROGRESSIONS)]
    return [chords[bar % len(chords)] for bar in range(bars)]
