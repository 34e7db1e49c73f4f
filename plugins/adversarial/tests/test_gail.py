"""GAIL on CartPole: every loss by hand, the scripted expert, the expert dataset, the sampler, the
episode-return metric and a few training steps of both trainers through genzoo's loop (with resume)."""

import math

import pytest
import torch

import genzoo
from genzoo.plugin import Batch, ConfigError, EvalRequest, load_dataset
from genzoo.training import train

from genzoo_adversarial.cartpole import MAX_RETURN, expert_actions, play_at_least, play_seeds
from genzoo_adversarial.episode_return import episode_return_metric
from genzoo_adversarial.gail import split_pairs
from genzoo_adversarial.gail_losses import (generalized_advantages, gail_discriminator_loss, ppo_clipped_loss,
                                            surrogate_reward)
from genzoo_adversarial.gail_training import GAILStep

TINY = {"policy_hidden": (4,), "value_hidden": (4,), "discriminator_hidden": (4,)}
TINY_GAIL_STEP = {"rollout_steps": 40, "parallel_environments": 2, "ppo_epochs": 2, "minibatches": 2}
SHORT = {"steps": 2, "batch_size": 32, "log_every": 1, "sample_every": None, "checkpoint_every": 1}


def _model():
    torch.manual_seed(0)
    return genzoo.create("gail", **TINY)


# -- losses, by hand -----------------------------------------------------------------------------------
def test_discriminator_loss_by_hand():
    # expert logit 0: -log sigmoid(0) = ln 2; policy logit ln 3: D = 3/4, -log(1 - 3/4) = ln 4
    loss = gail_discriminator_loss(torch.tensor([0.0]), torch.tensor([math.log(3)]))
    assert loss.item() == pytest.approx(math.log(2) + math.log(4))


def test_surrogate_reward_is_minus_log_one_minus_d():
    logits = torch.tensor([0.0, math.log(3), -200.0, 200.0])
    reward = surrogate_reward(logits)
    assert reward[:2].tolist() == pytest.approx([math.log(2), math.log(4)])  # D = 1/2, 3/4
    assert reward[2].item() == pytest.approx(0.0, abs=1e-30) and reward[3].item() == pytest.approx(200.0)


def test_ppo_clipped_loss_by_hand():
    # ratios 1.5, 0.5, 0.5, 1.5 with advantages 2, 1, -1, -2 and eps 0.2:
    # min(3, 2.4) = 2.4; min(0.5, 0.8) = 0.5; min(-0.5, -0.8) = -0.8; min(-3, -2.4) = -3; loss = -mean = 0.225
    old = torch.zeros(4)
    log_probs = torch.log(torch.tensor([1.5, 0.5, 0.5, 1.5])).requires_grad_()
    advantages = torch.tensor([2.0, 1.0, -1.0, -2.0])
    loss = ppo_clipped_loss(log_probs, old, advantages, 0.2)
    assert loss.item() == pytest.approx(0.225)
    loss.backward()
    # clipped terms (1st, 3rd) pass no gradient; d(-ratio A / 4)/d log_prob = -ratio A / 4 for the others
    assert log_probs.grad.tolist() == pytest.approx([0.0, -0.125, 0.0, 0.75])


def test_gae_on_a_three_step_trajectory_by_hand():
    rewards, values = torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0.5, 1.0, 1.5])
    next_values = torch.tensor([1.0, 1.5, 2.0])
    # gamma 0.9, lambda 0.8: deltas 1 + 0.9 - 0.5 = 1.4, 2 + 1.35 - 1 = 2.35, and at the end
    # 3 - 1.5 = 1.5 when the pole fell (V(s_3) counts 0), 3 + 1.8 - 1.5 = 3.3 when the time limit cut it
    fell = generalized_advantages(rewards, values, next_values, torch.tensor([0, 0, 1]), torch.tensor([0, 0, 1]),
                                  0.9, 0.8)
    assert fell[0].tolist() == pytest.approx([1.4 + 0.72 * (2.35 + 0.72 * 1.5), 2.35 + 0.72 * 1.5, 1.5])
    assert fell[1].tolist() == pytest.approx([3.8696 + 0.5, 3.43 + 1.0, 1.5 + 1.5])
    cut = generalized_advantages(rewards, values, next_values, torch.tensor([0, 0, 0]), torch.tensor([0, 0, 1]),
                                 0.9, 0.8)
    assert cut[0].tolist() == pytest.approx([1.4 + 0.72 * 4.726, 2.35 + 0.72 * 3.3, 3.3])
    # two episodes end to end (the first cut after one step): no advantage flows across the boundary
    two = generalized_advantages(rewards, values, next_values, torch.tensor([0, 0, 1]), torch.tensor([1, 0, 1]),
                                 0.9, 0.8)
    assert two[0].tolist() == pytest.approx([1.4, 3.43, 1.5])


# -- the expert and its data ----------------------------------------------------------------------------
def test_scripted_expert_scores_500():
    episodes = play_seeds(expert_actions, [0, 1, 12345])
    assert [episode.seed for episode in episodes] == [0, 1, 12345]
    assert all(episode.total_reward == MAX_RETURN and not episode.terminated for episode in episodes)


def test_dataset_is_deterministic_subsampled_and_labelled_by_the_expert():
    first, again = load_dataset("cartpole-expert", "train"), load_dataset("cartpole-expert", "train")
    pairs = first.tensors()[0]
    assert pairs.shape == (25, 5) and torch.equal(pairs, again.tensors()[0])  # 1 episode, every 20th of 500 pairs
    states, actions = split_pairs(pairs)
    assert torch.equal(expert_actions(states), actions)
    assert not torch.equal(pairs, load_dataset("cartpole-expert", "test").tensors()[0])
    assert not torch.equal(pairs, load_dataset("cartpole-expert", "train", seed=1).tensors()[0])
    assert len(load_dataset("cartpole-expert", "train", episodes=4, every=50)) == 40


def test_dataset_keeps_every_kth_pair_of_an_episode():
    one = load_dataset("cartpole-expert", "train", episodes=1, every=100).tensors()[0]
    whole = load_dataset("cartpole-expert", "train", episodes=1, every=1).tensors()[0]
    assert len(whole) == 500
    start = int((whole == one[0]).all(dim=1).nonzero())
    assert start < 100 and torch.equal(whole[start::100], one)


def test_bad_dataset_options_are_one_line_errors():
    with pytest.raises(ConfigError, match="episodes"):
        load_dataset("cartpole-expert", "train", episodes=0)


def test_model_refuses_other_data():
    with pytest.raises(ConfigError, match="cartpole-expert"):
        genzoo.create("gail", data={"shape": (2,), "value_range": None})


# -- sampling and the metric -----------------------------------------------------------------------------
def test_samples_are_pairs_the_policy_visited_and_chose():
    model = _model()
    pairs = model.sample(30, generator=torch.Generator().manual_seed(0), action="greedy")
    states, actions = split_pairs(pairs)
    assert torch.equal(model.act(states, greedy=True), actions)
    assert set(pairs[:, 4].tolist()) <= {0.0, 1.0}


def test_play_at_least_plays_whole_episodes():
    episodes = play_at_least(expert_actions, 600, torch.Generator().manual_seed(0), parallel=2)
    assert [len(episode) for episode in episodes] == [500, 500]  # both started before 600 pairs were reached


def test_episode_return_metric_reports_policy_and_expert_on_the_same_seeds():
    model = _model()
    request = EvalRequest(data="cartpole-expert", n=3, seed=0, sampler_options={"action": "greedy"})
    results = {result.name: result.value for result in episode_return_metric(model, request)}
    assert results["expert-episode-return"] == MAX_RETURN and results["expert-episode-return-std"] == 0
    assert 8 <= results["episode-return"] < MAX_RETURN  # an untrained policy drops the pole early
    again = {result.name: result.value for result in episode_return_metric(model, request)}
    assert again == results


def test_episode_return_metric_refuses_bad_options():
    model = _model()
    with pytest.raises(ConfigError, match="action"):
        episode_return_metric(model, EvalRequest(data="cartpole-expert", n=1, sampler_options={"action": "max"}))
    with pytest.raises(ConfigError, match="drop --sampler"):
        episode_return_metric(model, EvalRequest(data="cartpole-expert", n=1, sampler="ancestral"))


# -- training --------------------------------------------------------------------------------------------
def test_one_rollout_per_step_and_labels_once():
    model, step = _model(), GAILStep(**TINY_GAIL_STEP)
    state = step.init_state(model)
    expert = Batch(load_dataset("cartpole-expert", "train").tensors()[0][:16], step=0)
    assert list(step.updates(0)) == ["discriminator"] + ["policy"] * 4
    first = step.loss(model, expert, "discriminator", state)
    rollout = state["states"]
    assert len(rollout) >= 40 and "episode_return" in first
    second = step.loss(model, expert, "discriminator", state)
    assert state["states"] is rollout and "episode_return" not in second
    labelled = step.loss(model, expert, "policy", state)
    assert "reward" in labelled and int(state["policy_update"]) == 1
    assert "reward" not in step.loss(model, expert, "policy", state)


@pytest.mark.parametrize("trainer", ["gail", "bc"])
def test_both_trainers_run_and_load_the_same_way(tmp_path, trainer):
    step = TINY_GAIL_STEP if trainer == "gail" else {}
    train("gail", data="cartpole-expert", trainer=trainer, model=TINY, train=SHORT, step=step,
          out=tmp_path / trainer, progress=False)
    model = genzoo.load(tmp_path / trainer)
    assert model.sample(5, generator=torch.Generator().manual_seed(0)).shape == (5, 5)


def test_gail_resume_continues_exactly(tmp_path):
    options = dict(data="cartpole-expert", model=TINY, step=TINY_GAIL_STEP, progress=False)
    train("gail", train=SHORT, out=tmp_path / "whole", **options)
    train("gail", train=SHORT | {"steps": 1}, out=tmp_path / "part", **options)
    train("gail", train=SHORT, out=tmp_path / "part", resume=True, **options)
    whole, part = genzoo.load(tmp_path / "whole"), genzoo.load(tmp_path / "part")
    for (name, left), right in zip(whole.state_dict().items(), part.state_dict().values()):
        assert torch.equal(left, right), name
