"""`melody-rules`: how often generated melody bars keep the rules the `melodies` data were written by.

No trained network reads the bars; four shares are counted on each bar's melody line (per step, the
sounding pitch, the highest where several sound, or a rest), for samples and for the real test bars
(the `-real` results: what a model that learned the data should match):

- `melody-in-scale`: notes whose pitch class is in C major / notes (a note = a run of steps on one pitch);
- `melody-strong-beat-chord-tone`: strong beats (steps 0 and 8) sounding a tone of the bar's chord /
  strong beats sounding a note;
- `melody-stepwise`: consecutive notes of a bar (rests skipped) at most 2 semitones apart / such pairs;
- `melody-sounding-steps`: steps sounding a note / steps (so a generator of silence cannot score well);
- `melody-distinct-bars`: distinct bars / bars (so a generator that plays one rule-perfect bar per chord,
  ignoring its noise, shows as collapsed).

Samples are drawn for the chords of the first n test bars (whole test melodies, in order), so with the
`melody` sampler's 8 bars per melody each generated melody follows a real test melody's progression
from an empty previous bar, feeding each bar back as the next one's previous bar.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from genzoo.plugin import CapabilityError, EvalRequest, require_model

from genzoo_adversarial.melody_theory import CHORDS, SCALE, STRONG_STEPS, midi

REST = -1
STEPWISE_SEMITONES = 2


class RuleCounts(NamedTuple):
    """(hits, total) of each rule, summed over bars."""

    in_scale: tuple[int, int]
    strong_beat_chord_tone: tuple[int, int]
    stepwise: tuple[int, int]
    sounding_steps: tuple[int, int]


def melody_line(bars: torch.Tensor) -> torch.Tensor:
    """(n, steps) MIDI pitch per step of bars (n, 1, pitches, steps): the highest sounding row (row 0 is the
    highest pitch), REST where no value is above 0.5."""
    sounding = bars[:, 0] > 0.5
    first_row = sounding.float().argmax(dim=1)  # the first True row from the top, per step
    pitches = torch.tensor([midi(r) for r in range(bars.shape[2])])[first_row]
    return torch.where(sounding.any(dim=1), pitches, torch.full_like(pitches, REST))


def notes(line: list[int]) -> list[tuple[int, int]]:
    """(start step, MIDI pitch) of each note of one bar's melody line: a run of steps on one pitch."""
    found = []
    for step, pitch in enumerate(line):
        if pitch != REST and (step == 0 or line[step - 1] != pitch):
            found.append((step, pitch))
    return found


def rule_counts(bars: torch.Tensor, chords: torch.Tensor) -> RuleCounts:
    """Hits and totals of the four rules over bars (n, 1, pitches, steps) with chord indices (n,)."""
    totals = [[0, 0] for _ in RuleCounts._fields]
    for line, chord in zip(melody_line(bars).tolist(), chords.tolist(), strict=True):
        found = notes(line)
        pitches = [pitch for _, pitch in found]
        moves = [abs(b - a) for a, b in zip(pitches, pitches[1:])]
        strong = [line[step] for step in STRONG_STEPS if line[step] != REST]
        for counts, hits, total in (
                (totals[0], sum(p % 12 in SCALE for p in pitches), len(pitches)),
                (totals[1], sum(p % 12 in CHORDS[chord].tones for p in strong), len(strong)),
                (totals[2], sum(move <= STEPWISE_SEMITONES for move in moves), len(moves)),
                (totals[3], sum(pitch != REST for pitch in line), len(line))):
            counts[0] += hits
            counts[1] += total
    return RuleCounts(*(tuple(counts) for counts in totals))


def distinct_share(bars: torch.Tensor) -> float:
    """Distinct bars (as 0/1 piano-rolls, values above 0.5 sounding) / bars."""
    return len(torch.unique((bars > 0.5).flatten(1), dim=0)) / len(bars)


def shares(counts: RuleCounts) -> dict[str, float]:
    """Each rule's hits / total (0 where a total is 0), keyed by its result name."""
    return {f"melody-{field.replace('_', '-')}": hits / total if total else 0.0
            for field, (hits, total) in zip(RuleCounts._fields, counts, strict=True)}


@torch.no_grad()
def melody_rules_metric(model, request: EvalRequest):
    """The five shares for n samples (default: every test bar) and for the same real test bars."""
    model = require_model(model, "melody-rules")
    test = request.dataset("test")
    tensors = test.field_tensors() if hasattr(test, "field_tensors") else {}
    if "label" not in tensors or test.data_spec.shape != model.data_spec.shape:
        raise CapabilityError(f"melody-rules reads a melodies dataset's bars and chords; {request.data!r} has none")
    if not model.conditional or model.data_spec.num_classes != len(CHORDS):
        raise CapabilityError(f"melody-rules needs a model conditioned on the {len(CHORDS)} chords; {model.name!r} "
                              "is not")
    n = min(request.n or len(test), len(test))
    real, chords = tensors["x"][:n], tensors["label"][:n]
    samples = model.sample(n, condition=chords, generator=torch.Generator().manual_seed(request.seed),
                           sampler=request.sampler, **request.sampler_options).cpu()
    described = f"n={n} bars for the chords of the first {n} test bars"
    results = []
    for bars, suffix, about in ((samples, "", f"samples, {described}"), (real, "-real", f"real test bars, n={n}")):
        values = shares(rule_counts(bars, chords)) | {"melody-distinct-bars": distinct_share(bars)}
        results += [request.result(name + suffix, value, notes=about) for name, value in values.items()]
    return results
