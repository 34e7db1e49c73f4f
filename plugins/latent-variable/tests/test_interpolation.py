"""Latent paths: both ends exact, slerp stays on the sphere, linear is a straight line."""

import torch

from genzoo_latent_variable.interpolation import latent_path


def test_paths_start_and_end_at_the_codes():
    a, b = torch.randn(8), torch.randn(8)
    for method in ("linear", "slerp"):
        path = latent_path(a, b, 5, method)
        assert path.shape == (5, 8)
        assert torch.allclose(path[0], a, atol=1e-5) and torch.allclose(path[-1], b, atol=1e-5)


def test_slerp_keeps_the_norm_and_linear_cuts_through():
    a = torch.tensor([3.0, 0.0])
    b = torch.tensor([0.0, 3.0])
    assert torch.allclose(latent_path(a, b, 7, "slerp").norm(dim=1), torch.full((7,), 3.0), atol=1e-5)
    assert torch.allclose(latent_path(a, b, 3, "linear")[1], torch.tensor([1.5, 1.5]))


def test_slerp_of_parallel_codes_falls_back_to_linear():
    a = torch.tensor([1.0, 1.0])
    assert torch.allclose(latent_path(a, 2 * a, 3, "slerp"), latent_path(a, 2 * a, 3, "linear"))
