"""MidiNet: each loss by hand on stub networks, monophony, the conditions reaching the generator, the melody
sampler's feedback of each bar as the next previous bar, bad configs and a few training steps."""

import math
from types import SimpleNamespace

import pytest
import torch

import genzoo
from genzoo.plugin import Batch, ConfigError
from genzoo.training import train
from genzoo_adversarial.melody_sampler import MelodyOptions, MelodySampler
from genzoo_adversarial.midinet import MidiNetStep, mean_matching_loss, monophonic
from genzoo_adversarial.specs.melody import SAMPLERS, TINY_MIDINET


def softplus(v: float) -> float:
    return math.log1p(math.exp(v))


def test_mean_matching_loss_by_hand():
    """Batch means (2, 3) and (1, 1): difference (1, 2), half its squared norm 5 / 2 (TensorFlow's l2_loss)."""
    real, fake = torch.tensor([[1.0, 2.0], [3.0, 4.0]]), torch.tensor([[0.0, 0.0], [2.0, 2.0]])
    assert mean_matching_loss(real, fake).item() == pytest.approx(2.5)


def test_monophonic_takes_the_most_probable_pitch_or_rests_below_the_threshold():
    probabilities = torch.tensor([[0.2, 0.3], [0.7, 0.4], [0.1, 0.2]]).reshape(1, 1, 3, 2)  # 3 pitches x 2 steps
    assert monophonic(probabilities, 0.5)[0, 0].tolist() == [[0, 0], [1, 0], [0, 0]]  # step 1: 0.4 < 0.5, a rest
    assert monophonic(probabilities, 0.35)[0, 0].tolist() == [[0, 0], [1, 1], [0, 0]]
    assert monophonic(probabilities, 0.0).sum(dim=2).eq(1).all()  # threshold 0: never a rest


class StubModel:
    """Fixed outputs so each loss can be worked out by hand: every fake bar is 0.5 everywhere, a bar's logit is the
    sum of its values and its features are twice its values."""

    def sample_latent(self, n):
        return torch.zeros(n, 1)

    def fake(self, z, labels, previous):
        return torch.full((len(z), 1, 1, 2), 0.5)

    def discriminate(self, x, labels):
        return x.flatten(1).sum(dim=1), 2 * x.flatten(1)


def stub_batch() -> Batch:
    x = torch.tensor([[1.0, 0.0], [1.0, 1.0]]).reshape(2, 1, 1, 2)
    return Batch({"x": x, "label": torch.tensor([0, 3]), "previous": torch.zeros(2, 1, 1, 2)})


def test_discriminator_loss_by_hand():
    """Real logits 1 and 2, fake logits 1 and 1: J_D = mean(softplus(-1), softplus(-2)) + softplus(1)."""
    losses = MidiNetStep().discriminator_loss(StubModel(), stub_batch(), {})
    expected = (softplus(-1) + softplus(-2)) / 2 + softplus(1)
    assert losses["loss"].item() == pytest.approx(expected)


def test_generator_loss_by_hand():
    """Fake logits 1: adversarial softplus(-1). Bar means (1, 0.5) vs (0.5, 0.5): image term 0.125. Features 2x:
    means (2, 1) vs (1, 1): feature term 0.5. J_G = softplus(-1) + 0.01 * 0.125 + 0.1 * 0.5."""
    losses = MidiNetStep().generator_loss(StubModel(), stub_batch(), {})
    assert losses["adversarial"].item() == pytest.approx(softplus(-1))
    assert losses["image_matching"].item() == pytest.approx(0.125)
    assert losses["feature_matching"].item() == pytest.approx(0.5)
    assert losses["loss"].item() == pytest.approx(softplus(-1) + 0.01 * 0.125 + 0.1 * 0.5)
    weighted = MidiNetStep(image_matching_weight=2.0, feature_matching_weight=0.0)
    assert weighted.generator_loss(StubModel(), stub_batch(), {})["loss"].item() == pytest.approx(softplus(-1) + 0.25)


def test_two_generator_updates_per_discriminator_update_and_the_conditioner_trains_with_the_generator():
    model = genzoo.create("midinet", **TINY_MIDINET)
    step = MidiNetStep()
    assert tuple(step.updates(0)) == ("discriminator", "generator", "generator")
    generator_side = {id(p) for p in step.parameters(model, "generator")}
    assert {id(p) for p in model.conditioner.parameters()} <= generator_side
    assert not generator_side & {id(p) for p in step.parameters(model, "discriminator")}


def test_chord_and_previous_bar_both_reach_the_generator():
    model = genzoo.create("midinet", **TINY_MIDINET).eval()
    z = model.sample_latent(2, torch.Generator().manual_seed(0))
    silent, busy = torch.zeros(2, 1, 24, 16), torch.ones(2, 1, 24, 16)
    base = model.fake(z, torch.tensor([0, 0]), silent)
    assert not torch.allclose(base, model.fake(z, torch.tensor([5, 5]), silent))
    assert not torch.allclose(base, model.fake(z, torch.tensor([0, 0]), busy))
    assert model.chord(torch.tensor([5]))[0].tolist() == [0.0] * 9 + [1.0, 0.0, 0.0, 1.0]  # A root, minor


class SpyModel:
    """Records each generate_bar call; bar k of the run sounds row k at step 0, so bars can be told apart."""

    data_spec = SimpleNamespace(shape=(1, 24, 16))
    device = torch.device("cpu")

    def __init__(self):
        self.calls = []

    def balanced_condition(self, n):
        return torch.arange(n) % 6

    def generate_bar(self, labels, previous, *, generator, rest_threshold):
        self.calls.append((labels.clone(), previous.clone()))
        bars = torch.zeros(len(labels), 1, 24, 16)
        bars[:, 0, len(self.calls), 0] = 1
        return bars


def test_melody_sampler_feeds_each_bar_back_as_the_next_previous_bar():
    spy = SpyModel()
    bars = MelodySampler(SAMPLERS[0]).run(spy, 7, condition=None, generator=None, options=MelodyOptions(bars=3))
    # melodies [0, 1, 2], [3, 4, 5], [6]: position 0 of all three, position 1 of two, position 2 of two
    assert [labels.tolist() for labels, _ in spy.calls] == [[0, 3, 0], [1, 4], [2, 5]]
    assert not spy.calls[0][1].any()  # a melody's first bar follows a silent bar
    assert torch.equal(spy.calls[1][1], bars[[0, 3]]) and torch.equal(spy.calls[2][1], bars[[1, 4]])


def test_balanced_condition_plays_every_progression_twice_in_turn():
    model = genzoo.create("midinet", **TINY_MIDINET)
    assert model.balanced_condition(10).tolist() == [0, 4, 5, 3, 0, 4, 5, 3, 0, 5]


def test_samples_are_monophonic_bars_following_the_given_chords():
    model = genzoo.create("midinet", **TINY_MIDINET)
    samples = model.sample(10, condition=[0, 4, 5, 3] * 2 + [1, 2], generator=torch.Generator().manual_seed(0),
                           rest_threshold=0.0, bars=4)
    assert samples.shape == (10, 1, 24, 16)
    assert samples.sum(dim=2).eq(1).all()


@pytest.mark.parametrize("data", [
    {"shape": (1, 24, 12), "kind": "binary", "value_range": (0, 1), "num_classes": 6},
    {"shape": (1, 24, 16), "kind": "binary", "value_range": (0, 1), "num_classes": 10},
    {"shape": (1, 24, 16), "value_range": (0, 1), "num_classes": 6},
])
def test_bad_bar_specs_are_refused_in_one_line(data):
    with pytest.raises(ConfigError):
        genzoo.create("midinet", data=data)


def test_a_few_training_steps_on_tiny_melodies(tmp_path):
    train("midinet", data="melodies-tiny", model=TINY_MIDINET, out=tmp_path / "run", progress=False,
          train={"steps": 3, "batch_size": 8, "log_every": 1})
    model = genzoo.load(tmp_path / "run")
    assert model.sample(8, generator=torch.Generator().manual_seed(0)).shape == (8, 1, 24, 16)
