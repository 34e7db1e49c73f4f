"""The EM Gaussian mixture: a hand-run iteration, a log-likelihood that never falls, exact densities, seeded draws."""

import math

import pytest
import torch
from genzoo.distributions import GaussianMixture, kmeans_plus_plus
from genzoo.errors import ConfigError

COVARIANCES = ["full", "diagonal", "spherical"]


def _seeded(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _clusters(n: int = 400) -> torch.Tensor:
    generator = _seeded(0)
    a = torch.randn(n, 2, generator=generator) * 0.3 + torch.tensor([4.0, 0.0])
    b = torch.randn(n, 2, generator=generator) * 0.5 + torch.tensor([-4.0, 2.0])
    c = torch.randn(n // 2, 2, generator=generator) * torch.tensor([0.2, 1.0]) + torch.tensor([0.0, -4.0])
    return torch.cat([a, b, c])


def _normal_pdf(x: float, mean: float, var: float) -> float:
    return math.exp(-0.5 * (x - mean) ** 2 / var) / math.sqrt(2 * math.pi * var)


def test_two_em_iterations_in_one_dimension_match_a_hand_run():
    points = [-2.0, -1.5, -1.0, 0.2, 1.0, 1.6, 2.5]
    jitter = 1e-4
    seeds = kmeans_plus_plus(torch.tensor(points)[:, None], 2, _seeded(3))[:, 0].tolist()
    # iteration 1: every point belongs to its nearest seed; M-step on that hard split
    hard = [[1.0, 0.0] if abs(p - seeds[0]) <= abs(p - seeds[1]) else [0.0, 1.0] for p in points]

    def m_step(resp):
        counts = [sum(r[k] for r in resp) for k in range(2)]
        weights = [c / len(points) for c in counts]
        means = [sum(r[k] * p for r, p in zip(resp, points)) / counts[k] for k in range(2)]
        variances = [sum(r[k] * (p - means[k]) ** 2 for r, p in zip(resp, points)) / counts[k] + jitter for k in range(2)]
        return weights, means, variances

    weights, means, variances = m_step(hard)
    # iteration 2: E-step (soft responsibilities), then M-step
    soft = []
    for p in points:
        joint = [weights[k] * _normal_pdf(p, means[k], variances[k]) for k in range(2)]
        soft.append([j / sum(joint) for j in joint])
    weights, means, variances = m_step(soft)
    log_likelihood = sum(math.log(sum(weights[k] * _normal_pdf(p, means[k], variances[k]) for k in range(2)))
                         for p in points) / len(points)

    for covariance in COVARIANCES:
        mixture = GaussianMixture(2, 1, covariance).double()
        fit = mixture.fit(torch.tensor(points, dtype=torch.float64)[:, None], generator=_seeded(3), iterations=2)
        assert fit.iterations == 2 and fit.log_likelihood == pytest.approx(log_likelihood, rel=1e-10)
        assert mixture.weights.tolist() == pytest.approx(weights, rel=1e-10)
        assert mixture.means[:, 0].tolist() == pytest.approx(means, rel=1e-10)
        assert mixture.covariances[:, 0, 0].tolist() == pytest.approx(variances, rel=1e-10)


@pytest.mark.parametrize("covariance", COVARIANCES)
def test_log_likelihood_never_decreases_and_em_stops_when_it_levels_off(covariance):
    fit = GaussianMixture(3, 2, covariance).fit(_clusters(), generator=_seeded(1), iterations=200, tolerance=1e-6)
    steps = [b - a for a, b in zip(fit.history, fit.history[1:])]
    assert min(steps) > -1e-5
    assert fit.converged and fit.iterations < 200 and fit.log_likelihood == fit.history[-1]


@pytest.mark.parametrize("covariance", COVARIANCES)
def test_em_recovers_separated_clusters(covariance):
    mixture = GaussianMixture(3, 2, covariance)
    mixture.fit(_clusters(), generator=_seeded(0))
    means = sorted(mixture.means.tolist())
    assert torch.allclose(torch.tensor(means), torch.tensor([[-4.0, 2.0], [0.0, -4.0], [4.0, 0.0]]), atol=0.15)
    assert sorted(mixture.weights.tolist()) == pytest.approx([0.2, 0.4, 0.4], abs=0.02)


@pytest.mark.parametrize("covariance", COVARIANCES)
def test_log_prob_and_responsibilities_match_torch_mixture(covariance):
    mixture = GaussianMixture(3, 2, covariance)
    mixture.fit(_clusters(), generator=_seeded(0))
    reference = torch.distributions.MixtureSameFamily(
        torch.distributions.Categorical(logits=mixture.log_weights),
        torch.distributions.MultivariateNormal(mixture.means, covariance_matrix=mixture.covariances),
    )
    z = torch.randn(10, 2, generator=_seeded(2)) * 3
    assert torch.allclose(mixture.log_prob(z), reference.log_prob(z), atol=1e-4)
    per_component = reference.component_distribution.log_prob(z[:, None]) + mixture.log_weights
    assert torch.allclose(mixture.responsibilities(z), per_component.softmax(1), atol=1e-4)


@pytest.mark.parametrize("covariance", COVARIANCES)
def test_unfitted_mixture_is_the_standard_normal(covariance):
    mixture = GaussianMixture(4, 3, covariance)
    z = torch.randn(5, 3, generator=_seeded(0))
    assert torch.allclose(mixture.log_prob(z), torch.distributions.Normal(0, 1).log_prob(z).sum(1), atol=1e-5)


@pytest.mark.parametrize("covariance", COVARIANCES)
def test_samples_are_seeded_and_follow_the_fitted_mixture(covariance):
    mixture = GaussianMixture(3, 2, covariance).double()
    mixture.fit(_clusters(), generator=_seeded(0))
    draws = mixture.sample(40000, _seeded(5))
    assert draws.dtype == torch.float64 and torch.equal(draws, mixture.sample(40000, _seeded(5)))
    mean = mixture.weights @ mixture.means
    second_moment = sum(w * (c + m[:, None] * m[None]) for w, c, m in zip(mixture.weights, mixture.covariances, mixture.means))
    assert torch.allclose(draws.mean(0), mean, atol=0.05)
    assert torch.allclose(torch.cov(draws.T), second_moment - mean[:, None] * mean[None], atol=0.15)


def test_full_covariances_keep_the_checkpoint_buffer_names():
    assert set(GaussianMixture(2, 3).state_dict()) == {"log_weights", "means", "scale_tril"}
    assert set(GaussianMixture(2, 3, "diagonal").state_dict()) == {"log_weights", "means", "stds"}


def test_fits_are_reproducible_with_a_seeded_generator():
    first, second = GaussianMixture(3, 2), GaussianMixture(3, 2)
    first.fit(_clusters(), generator=_seeded(7))
    second.fit(_clusters(), generator=_seeded(7))
    assert torch.equal(first.means, second.means) and torch.equal(first.scale_tril, second.scale_tril)


def test_bad_settings_are_clear_errors():
    with pytest.raises(ConfigError, match="cannot fit 5 mixture components to 3 points"):
        GaussianMixture(5, 2).fit(torch.zeros(3, 2))
    with pytest.raises(ConfigError, match="unknown covariance 'tied'"):
        GaussianMixture(2, 2, "tied")


def test_kmeans_plus_plus_starts_uniformly_and_then_prefers_far_points():
    points = torch.tensor([[0.0], [0.1], [10.0], [10.1], [-7.0]])
    first = int(torch.randint(len(points), (1,), generator=_seeded(4))[0])  # the first seed is a uniform pick
    seeds = kmeans_plus_plus(points, 3, _seeded(4))
    assert seeds[0].item() == points[first].item()
    # each later seed is drawn with probability ~ squared distance to the nearest seed so far, so with
    # clusters this far apart (odds above 1000:1 at every draw) the three seeds land in three clusters
    assert sorted(round(s) for s in seeds[:, 0].tolist()) == [-7, 0, 10]
    everything = kmeans_plus_plus(points, 5, _seeded(4))  # k = n: every point once (a chosen point weighs 1e-12)
    assert sorted(everything[:, 0].tolist()) == sorted(points[:, 0].tolist())


def test_greedy_kmeans_plus_plus_keeps_the_best_of_its_candidates():
    """Each next seed is the candidate (drawn ~ squared distance) that leaves the least total squared distance."""
    x = torch.randn(200, 3, generator=_seeded(0))
    seeds = kmeans_plus_plus(x, 4, _seeded(6), trials=3)
    generator = _seeded(6)  # replay the draws by hand
    chosen = [x[int(torch.randint(len(x), (1,), generator=generator)[0])]]
    distance = (x - chosen[0]).pow(2).sum(1)
    for _ in range(3):
        candidates = torch.multinomial((distance + 1e-12) / (distance + 1e-12).sum(), 3, replacement=True,
                                       generator=generator)
        totals = [torch.minimum(distance, (x - x[c]).pow(2).sum(1)) for c in candidates]
        best = min(range(3), key=lambda i: float(totals[i].sum()))
        chosen.append(x[candidates[best]])
        distance = totals[best]
    assert torch.allclose(seeds, torch.stack(chosen))


def test_initial_means_replace_the_kmeans_plus_plus_seeds():
    x = _clusters()
    seeds = torch.tensor([[4.0, 0.0], [-4.0, 2.0], [0.0, -4.0]])
    first, second = GaussianMixture(3, 2), GaussianMixture(3, 2)
    first.fit(x, generator=_seeded(0), initial_means=seeds)
    second.fit(x, generator=_seeded(99), initial_means=seeds)  # the generator is not used
    assert torch.equal(first.means, second.means)
    assert torch.allclose(first.means, seeds, atol=0.15)


def test_a_singular_covariance_is_a_clear_error_and_the_mixture_is_unchanged():
    """Points on a line with a constant second coordinate: the covariance is singular in exact arithmetic and
    in float32 alike (a line such as (t, 2t) is not: its rounding leaves the matrix positive definite on some
    CPUs), and no jitter is added."""
    t = torch.linspace(-1, 1, 50)
    mixture = GaussianMixture(1, 2, jitter=0.0)
    with pytest.raises(ConfigError, match="covariance of mixture component 0 is singular.*raise jitter above 0"):
        mixture.fit(torch.stack([t, torch.full_like(t, 3.0)], dim=1))
    assert torch.equal(mixture.scale_tril, torch.eye(2)[None]) and torch.equal(mixture.means, torch.zeros(1, 2))


def _far_off_origin_clusters() -> torch.Tensor:
    """Two tight clusters (std 0.05) at 100 and 300 in 3-d, in float64: far from the origin and from their
    common mean next to their spread, where expanded quadratic forms cancel in float32."""
    generator = _seeded(3)
    near = torch.randn(150, 3, generator=generator, dtype=torch.float64) * 0.05 + 100
    far = torch.randn(150, 3, generator=generator, dtype=torch.float64) * 0.05 + 300
    return torch.cat([near, far])


@pytest.mark.parametrize("covariance", COVARIANCES)
def test_float32_density_far_from_the_origin_matches_float64(covariance):
    exact = GaussianMixture(2, 3, covariance).double()
    exact.means.copy_(torch.tensor([[100.0] * 3, [300.0] * 3]))
    if covariance == "full":
        exact.scale_tril.copy_(0.05 * torch.eye(3).repeat(2, 1, 1))
    else:
        exact.stds.fill_(0.05)
    x = _far_off_origin_clusters().float()  # the reference sees the same float32 points
    single = GaussianMixture(2, 3, covariance)
    single.load_state_dict(exact.state_dict())
    expected = exact.log_prob(x.double())  # about +8.8 nats per point
    torch.testing.assert_close(single.log_prob(x).double(), expected, rtol=0, atol=1e-3)


@pytest.mark.parametrize("covariance", COVARIANCES)
def test_float32_em_on_far_off_origin_clusters_matches_a_float64_fit(covariance):
    """The M-step's per-component spreads must survive a component mean far from the global mean (the full
    fit must not stop on a false singular covariance, the diagonal one not collapse to the jitter floor)."""
    x = _far_off_origin_clusters()
    seeds = x[[0, -1]]
    single, double = GaussianMixture(2, 3, covariance, jitter=1e-6), GaussianMixture(2, 3, covariance, jitter=1e-6).double()
    fit32 = single.fit(x.float(), initial_means=seeds.float(), iterations=20)
    fit64 = double.fit(x, initial_means=seeds, iterations=20)
    assert fit32.log_likelihood == pytest.approx(fit64.log_likelihood, abs=1e-3)
    torch.testing.assert_close(single.covariances.double(), double.covariances, rtol=1e-3, atol=1e-7)
    assert double.covariances.diagonal(dim1=1, dim2=2).sqrt().min() > 0.03  # the fit itself is sane
