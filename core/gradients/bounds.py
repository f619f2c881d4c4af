"""The Pascanu-Mikolov-Bengio bound on a product of step Jacobians, and how many steps it takes to vanish.

|tanh'| <= 1 and |sigmoid'| <= 1/4 (both at z = 0), so a product of n Jacobians diag(f'(z_j)) W_hh has
norm at most (gamma sigma_max(W_hh))^n: with sigmoid, 4^-n before W_hh even counts.
"""
from __future__ import annotations

import math

import numpy as np


def product_bound_log10(gamma: float, sigma: float, n: np.ndarray) -> np.ndarray:
    """log10 of (gamma * sigma)^n: the most a product of n step Jacobians can stretch a vector."""
    return np.asarray(n, dtype=np.float64) * math.log10(gamma * sigma)


def steps_to_vanish(gamma: float, sigma: float, threshold: float = 1e-6) -> int | None:
    """Fewest steps after which the bound is below `threshold` (None if the bound never falls)."""
    g = gamma * sigma
    if g >= 1:
        return None
    return math.ceil(math.log(threshold) / math.log(g))
