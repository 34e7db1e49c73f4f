"""mu-law companding (ITU-T G.711's curve, as WaveNet uses it): 256 levels that are fine near silence and
coarse near full scale, so quiet and loud passages get similar relative precision.

    F(x) = sign(x) ln(1 + mu |x|) / ln(1 + mu),  x in [-1, 1],  mu = levels - 1 = 255
    level = floor((F(x) + 1) / 2 * mu + 1/2)          (0 .. 255; 0 -> 128, -1 -> 0, 1 -> 255)
    decode: F = 2 level / mu - 1,  x = sign(F) ((1 + mu)^|F| - 1) / mu

Works on NumPy arrays (and anything `np.asarray` takes), in float64; the dataset and the plot use it.
"""

from __future__ import annotations

import numpy as np

LEVELS = 256


def mu_law_encode(x, levels: int = LEVELS) -> np.ndarray:
    """Levels (int64, 0 .. levels - 1) of amplitudes in [-1, 1] (values outside are clipped first)."""
    mu = levels - 1
    x = np.clip(np.asarray(x, dtype=np.float64), -1.0, 1.0)
    companded = np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)
    return np.floor((companded + 1.0) / 2.0 * mu + 0.5).astype(np.int64)


def mu_law_decode(level, levels: int = LEVELS) -> np.ndarray:
    """Amplitudes (float64, in [-1, 1]) of levels 0 .. levels - 1: the inverse curve at each level's centre."""
    mu = levels - 1
    companded = 2.0 * np.asarray(level, dtype=np.float64) / mu - 1.0
    return np.sign(companded) * np.expm1(np.abs(companded) * np.log1p(mu)) / mu
