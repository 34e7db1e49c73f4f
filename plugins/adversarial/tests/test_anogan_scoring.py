"""AnoGAN's loss and latent search, and the exact AUROC, against hand computations."""

import pytest
import torch

from genzoo_adversarial.anomaly_score import anogan_loss, latent_search_scores
from genzoo_adversarial.auroc import auroc


def test_anogan_loss_by_hand():
    """Residual |(1, 2) - (0, 4)|_1 = 3, features |(1) - (5)|_1 = 4: 0.9 * 3 + 0.1 * 4 = 3.1 (weight 0.1)."""
    x, reconstruction = torch.tensor([[1.0, 2.0]]), torch.tensor([[0.0, 4.0]])
    value = anogan_loss(x, reconstruction, torch.tensor([[1.0]]), torch.tensor([[5.0]]), weight=0.1)
    assert value.tolist() == pytest.approx([3.1])
    # per example, images flattened
    images = torch.zeros(2, 1, 2, 2)
    images[1] += 0.5
    assert anogan_loss(images, torch.zeros_like(images), torch.zeros(2, 3), torch.ones(2, 3), 0.5).tolist() == \
        pytest.approx([1.5, 0.5 * 2 + 0.5 * 3])


def test_latent_search_finds_the_closest_point_on_the_generator_manifold():
    """G(z) = (z, 0) draws a line; with f = identity the best score of (1, 0) is 0 and of (1, 5) is
    0.9 * 5 + 0.1 * 5 = 5 (reached at z = 1)."""
    generate = lambda z: torch.cat([z, torch.zeros_like(z)], dim=1)  # noqa: E731
    x = torch.tensor([[1.0, 0.0], [1.0, 5.0]])
    scores = latent_search_scores(x, generate, lambda v: v, latent_dim=1, steps=300, lr=0.05, weight=0.1,
                                  generator=torch.Generator().manual_seed(0))
    assert scores.tolist() == pytest.approx([0.0, 5.0], abs=0.05)


def test_latent_search_leaves_the_networks_weights_alone():
    network = torch.nn.Linear(2, 3)
    before = [p.detach().clone() for p in network.parameters()]
    latent_search_scores(torch.randn(4, 3), network, lambda v: v, latent_dim=2, steps=5, lr=0.1, weight=0.1)
    assert all(p.grad is None for p in network.parameters())
    assert all(torch.equal(a, b) for a, b in zip(before, network.parameters()))


def test_batched_search_equals_searching_each_example_alone():
    """Alone, example i starts from the same code as in the batch: its search draws the code c from seed 9, and
    its generator is shifted by start_i - c (Adam's steps do not depend on where z starts, only on the gradients)."""
    generate = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh())
    x = torch.randn(3, 3, generator=torch.Generator().manual_seed(1))
    options = {"latent_dim": 2, "steps": 20, "lr": 0.1, "weight": 0.1}
    together = latent_search_scores(x, generate, lambda v: v, generator=torch.Generator().manual_seed(2), **options)
    starts = torch.randn(3, 2, generator=torch.Generator().manual_seed(2))
    c = torch.randn(1, 2, generator=torch.Generator().manual_seed(9))
    alone = [latent_search_scores(x[i:i + 1], lambda z, i=i: generate(z - c + starts[i]), lambda v: v,
                                  generator=torch.Generator().manual_seed(9), **options) for i in range(3)]
    assert torch.cat(alone).tolist() == pytest.approx(together.tolist(), abs=1e-5)


def test_auroc_by_hand_with_ties():
    """Normals 1, 2, 3; anomalies 2, 4. Pairs won by the anomaly: (2 vs 1) 1, (2 vs 2) 1/2, (2 vs 3) 0,
    (4 vs all) 3: 4.5 of 6 pairs."""
    scores = torch.tensor([1.0, 2.0, 3.0, 2.0, 4.0])
    labels = torch.tensor([False, False, False, True, True])
    assert auroc(scores, labels) == pytest.approx(0.75)


def test_auroc_extremes_and_all_ties():
    labels = torch.tensor([0, 0, 1, 1])
    assert auroc(torch.tensor([0.0, 1.0, 2.0, 3.0]), labels) == 1.0
    assert auroc(torch.tensor([3.0, 2.0, 1.0, 0.0]), labels) == 0.0
    assert auroc(torch.ones(4), labels) == 0.5


def test_auroc_agrees_with_counting_every_pair():
    g = torch.Generator().manual_seed(0)
    scores = torch.randint(0, 6, (60,), generator=g).double()  # many ties
    labels = torch.rand(60, generator=g) < 0.3
    anomalous, normal = scores[labels], scores[~labels]
    diff = anomalous[:, None] - normal[None, :]
    by_pairs = float(((diff > 0).double() + 0.5 * (diff == 0).double()).mean())
    assert auroc(scores, labels) == pytest.approx(by_pairs)


@pytest.mark.parametrize(("scores", "labels", "message"), [
    (torch.ones(3), torch.tensor([0, 0, 0]), "needs anomalies and normal"),
    (torch.ones(3), torch.tensor([0, 1]), "3 scores but 2 labels"),
    (torch.tensor([0.0, float("nan")]), torch.tensor([0, 1]), "NaN"),
])
def test_auroc_refuses_what_it_cannot_measure(scores, labels, message):
    with pytest.raises(ValueError, match=message):
        auroc(scores, labels)
