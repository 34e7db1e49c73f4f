"""UniPC (Zhao et al. 2023): DPM-Solver++(2M)'s predictor plus the UniC corrector, at no extra network call.

After the predictor has stepped from s to t, the network's x_0 prediction m_t at the new point is what the next
predictor step needs anyway; UniC first uses it to redo the step from s to t with a higher-order quadrature
(data-prediction form, B(h) = e^{-h} - 1, the "bh2" variant of diffusers' UniPCMultistepScheduler), and the next
predictor starts from the corrected point with m_t unchanged. With equal log-SNR steps the corrector's weights
tend to Adams-Moulton's (5/12, 8/12, -1/12) on (m_t, m_s, m_prev) as h -> 0.
"""

from __future__ import annotations

import math

import torch
from genzoo.plugin import Sampler

from genzoo_diffusion.diffusion import DiffusionModel
from genzoo_diffusion.samplers import DPMSolverSampler, denoising_loop, log_snr_scales, multistep_update


def corrector_weights(h: float, rk: float) -> tuple[float, float]:
    """UniC-2's weights (rho_prev, rho_t) on D1 = (m_prev - m_s) / rk and D1_t = m_t - m_s, for a step of log-SNR
    length h whose previous point lies rk * h away (rk < 0): the solution of [[1, 1], [rk, 1]] rho = b, b_k =
    (k - 1)! phi_{k+1}(-h) (-h)^k / B(h) as in the paper's Algorithm, written out for order 2."""
    hh = -h
    b_h = math.expm1(hh)
    phi = b_h / hh - 1
    b1 = phi / b_h
    phi = phi / hh - 0.5
    b2 = 2 * phi / b_h
    rho_prev = (b1 - b2) / (1 - rk)
    return rho_prev, b1 - rho_prev


class UniPCSampler(Sampler):
    """UniPC-2 (bh2), data prediction, on DPM-Solver's log-SNR-uniform timesteps; the final x_0 is the sample."""

    Options = DPMSolverSampler.Options

    @torch.no_grad()
    def run(self, model: DiffusionModel, n, *, condition, generator, options):
        alpha, sigma, lam = log_snr_scales(model)
        x = model.initial_noise(n, generator)
        clipped = options.clipped_steps(model)
        start = None  # (x_s, m_s, s, m_prev, h_prev) of the last predictor step, for the corrector
        for t, t_next in denoising_loop(options.log_snr_chain(lam), options.progress, "unipc"):
            with options.denoising(model, x.device):
                _, x0 = model.predict(x, t, condition, options.guidance_scale, clipped[t])
            if t_next is None:
                x = x0
                break
            if start is not None:
                x = _corrected(start, x0, t, alpha, sigma, lam)
            previous_x0, previous_h = (start[1], lam[t] - lam[start[2]]) if start else (None, None)
            h = lam[t_next] - lam[t]
            start = (x, x0, t, previous_x0, previous_h)
            x = multistep_update(x, x0, previous_x0, h, previous_h, alpha[t_next], sigma[t_next] / sigma[t])
        return model.from_diffusion_space(x)


def _corrected(start, m_t, t, alpha, sigma, lam):
    """The step from s to t redone with UniC: order 2 when the predictor had a previous point, else order 1."""
    x_s, m_s, s, m_prev, h_prev = start
    h = float(lam[t] - lam[s])
    b_h = math.expm1(-h)
    correction = 0.5 * (m_t - m_s)
    if m_prev is not None:
        rk = -float(h_prev) / h
        rho_prev, rho_t = corrector_weights(h, rk)
        correction = rho_prev * (m_prev - m_s) / rk + rho_t * (m_t - m_s)
    return (sigma[t] / sigma[s]) * x_s - alpha[t] * b_h * (m_s + correction)
