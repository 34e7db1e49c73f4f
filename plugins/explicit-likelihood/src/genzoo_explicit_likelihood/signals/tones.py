"""`tones`: seeded multi-tone signals, a synthetic stand-in for audio that is generated, never downloaded.

Each example is 1-3 sinusoids at 8 kHz, each with its own frequency (log-uniform over 110-880 Hz, three
octaves: periods of 9-73 samples), phase, weight, attack (1-20 ms) and exponential decay (50-500 ms),
summed to a peak amplitude of 0.3-0.9, plus Gaussian noise (std 0.003), mu-law encoded to 256 levels.

Why it is a fair test of WaveNet: every example draws new frequencies, so nothing about the pitch can be
memorised; a model must infer each example's periods and phases from its own past, over tens of samples
(one period) to hundreds (the beats between two components), which is what the stack of dilated causal
convolutions is for, and then extrapolate them through the mu-law's non-linear levels. A model of one
sample at a time cannot: the per-level marginal and an order-1 Markov chain over levels score far worse
(`benchmarks/wavenet_baselines.py` measures both on the test split, in nats and bits per sample). The
noise keeps the task from being deterministic: near zero crossings it spans many of mu-law's fine levels.

The splits are drawn from fixed seeds (train 0, test 1), so the same call gives the same data everywhere
NumPy's PCG64 generator does, and the splits share no example (their continuous parameters differ).
This module imports no torch.
"""

from __future__ import annotations

import numpy as np

from genzoo_explicit_likelihood.signals.mu_law import mu_law_encode

SAMPLE_RATE = 8000
MAX_COMPONENTS = 3
FREQUENCIES_HZ = (110.0, 880.0)
ATTACK_S, DECAY_S = (0.001, 0.02), (0.05, 0.5)
PEAK, NOISE_STD = (0.3, 0.9), 0.003
SEEDS = {"train": 0, "test": 1}
SIZES = {"train": 2048, "test": 256}
DEFAULT_LENGTH = 1024
CHUNK = 256  # examples generated at once (bounds memory: CHUNK x components x length float64)


def tone_signals(count: int, length: int, seed: int) -> np.ndarray:
    """(count, length) float64 amplitudes in [-1, 1]: `count` examples drawn from `seed` (see the docstring).
    Example i depends only on the seed, i and the length, and chunks are drawn in order from one generator."""
    rng = np.random.default_rng(seed)
    return np.concatenate([_chunk(rng, min(CHUNK, count - start), length) for start in range(0, count, CHUNK)])


def tone_levels(count: int, length: int, seed: int) -> np.ndarray:
    """(count, length) int64 mu-law levels 0..255 of `tone_signals`."""
    return mu_law_encode(tone_signals(count, length, seed))


def _chunk(rng: np.random.Generator, count: int, length: int) -> np.ndarray:
    time = np.arange(length) / SAMPLE_RATE
    shape = (count, MAX_COMPONENTS)
    components = rng.integers(1, MAX_COMPONENTS + 1, size=count)
    frequency = np.exp(rng.uniform(*np.log(FREQUENCIES_HZ), size=shape))
    phase = rng.uniform(0.0, 2 * np.pi, size=shape)
    weight = rng.uniform(0.2, 1.0, size=shape) * (np.arange(MAX_COMPONENTS) < components[:, None])
    weight *= rng.uniform(*PEAK, size=(count, 1)) / weight.sum(1, keepdims=True)
    attack, decay = rng.uniform(*ATTACK_S, size=shape), rng.uniform(*DECAY_S, size=shape)
    noise = rng.normal(0.0, NOISE_STD, size=(count, length))
    t = time[None, None, :]
    envelope = -np.expm1(-t / attack[..., None]) * np.exp(-t / decay[..., None])
    tones = weight[..., None] * envelope * np.sin(2 * np.pi * frequency[..., None] * t + phase[..., None])
    return np.clip(tones.sum(1) + noise, -1.0, 1.0)
