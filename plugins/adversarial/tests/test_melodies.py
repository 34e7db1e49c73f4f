"""The rule-made `melodies` data and the `melody-rules` metric (hand-counted on a hand-written bar)."""

import numpy as np
import pytest
import torch

import genzoo
from genzoo.metrics import evaluate
from genzoo.metrics.base import EvalRequest
from genzoo.plugin import CapabilityError, load_dataset
from genzoo_adversarial.melodies import melody
from genzoo_adversarial.melody_rules import REST, distinct_share, melody_line, rule_counts, shares
from genzoo_adversarial.melody_theory import CHORDS, MELODY_BARS, PROGRESSIONS, midi, row
from genzoo_adversarial.specs.melody import TINY_MIDINET


def test_rows_run_from_b5_at_the_top_to_c4_at_the_bottom():
    assert (midi(0), midi(23)) == (83, 60)
    assert row(72) == 11
    assert CHORDS[1].tones == {2, 5, 9} and CHORDS[4].tones == {7, 11, 2}  # Dm = D F A, G = G B D


def test_a_melody_is_the_same_from_the_same_seed_and_index():
    first, chords = melody(np.random.default_rng([0, 0, 5]))
    again, _ = melody(np.random.default_rng([0, 0, 5]))
    other, _ = melody(np.random.default_rng([1, 0, 5]))
    assert np.array_equal(first, again) and not np.array_equal(first, other)
    assert tuple(chords[:4]) in PROGRESSIONS and chords[4:] == chords[:4]


def test_tiny_melodies_keep_the_rules_and_chain_previous_bars():
    data = load_dataset("melodies-tiny", "train").field_tensors()
    x, previous, chords = data["x"], data["previous"], data["label"]
    assert x.shape == (64, 1, 24, 16) and x.sum(dim=2).le(1).all()  # monophonic
    assert not previous[::MELODY_BARS].any()  # a melody's first bar follows silence
    assert torch.equal(previous[1:MELODY_BARS], x[:MELODY_BARS - 1])
    found = shares(rule_counts(x, chords))
    assert found["melody-in-scale"] == 1.0 and found["melody-strong-beat-chord-tone"] == 1.0
    assert 0.7 < found["melody-stepwise"] < 1.0 and 0.8 < found["melody-sounding-steps"] < 1.0
    assert not torch.equal(x[:16], load_dataset("melodies-tiny", "test").field_tensors()["x"])  # splits differ


def hand_written_bar() -> torch.Tensor:
    """C5 for steps 0-3, D5 4-5, rest 6-7, F#5 8-11, A5 12-15, with E4 also sounding at step 12."""
    bar = torch.zeros(1, 1, 24, 16)
    for pitch, start, end in ((72, 0, 4), (74, 4, 6), (78, 8, 12), (81, 12, 16), (64, 12, 13)):
        bar[0, 0, row(pitch), start:end] = 1
    return bar


def test_melody_line_takes_the_highest_sounding_pitch_or_a_rest():
    assert melody_line(hand_written_bar())[0].tolist() == [72] * 4 + [74] * 2 + [REST] * 2 + [78] * 4 + [81] * 4


def test_rule_counts_by_hand_on_a_hand_written_bar():
    """Chord C (C E G). Notes 72, 74, 78, 81: F# is out of the scale -> 3 / 4. Strong beats: C5 (a chord tone),
    F#5 (not) -> 1 / 2. Moves 2, 4, 3 -> 1 / 3 of at most 2 semitones. Sounding steps 14 / 16."""
    counts = rule_counts(hand_written_bar(), torch.tensor([0]))
    assert counts == ((3, 4), (1, 2), (1, 3), (14, 16))
    assert shares(counts)["melody-stepwise"] == pytest.approx(1 / 3)
    # Under A minor (A C E) the strong-beat C5 is still a chord tone, F#5 still not.
    assert rule_counts(hand_written_bar(), torch.tensor([5])).strong_beat_chord_tone == (1, 2)
    assert shares(rule_counts(torch.zeros(1, 1, 24, 16), torch.tensor([0])))["melody-in-scale"] == 0.0  # no notes


def test_distinct_share_by_hand():
    bars = torch.stack([hand_written_bar()[0], hand_written_bar()[0], torch.zeros(1, 24, 16)])
    assert distinct_share(bars) == pytest.approx(2 / 3)
    assert distinct_share(bars * 0.9) == pytest.approx(2 / 3)  # values above 0.5 sound


def test_the_metric_scores_samples_and_the_real_test_bars():
    model = genzoo.create("midinet", **TINY_MIDINET)
    results = {r.name: r.value for r in evaluate(model, "melody-rules", EvalRequest(data="melodies-tiny", n=16))}
    test = load_dataset("melodies-tiny", "test").field_tensors()
    real = shares(rule_counts(test["x"], test["label"])) | {"melody-distinct-bars": distinct_share(test["x"])}
    assert {name: results[f"{name}-real"] for name in real} == real
    assert set(results) == set(real) | {f"{name}-real" for name in real}
    with pytest.raises(CapabilityError):
        evaluate(genzoo.create("gan"), "melody-rules", EvalRequest(data="melodies-tiny"))


@pytest.mark.parametrize("name", ["melodies", "melodies-tiny"])
def test_declared_fields_and_split_sizes_match_the_built_data(name):
    from genzoo.data.declared import declaration_problems

    assert declaration_problems(genzoo.get_registry().dataset(name)) == []
