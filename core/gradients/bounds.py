"""The Pascanu-Mikolov-Bengio bound on a product of step Jacobians, and how many steps it takes to vanish.

|tanh'| <= 1 and |sigmoid'| <= 1/4 (both at z = 0), so a product of n Jacobians diag(f'(z_j)) W_hh has
norm at most (gamma sigma_max(W_hh))^n: with sigmoid, 4^-n before W_hh even counts.

Counting is strict and exact: "below 1e-6" means (gamma sigma)^n < 1e-6, and at sigma = 0.1 with tanh
(0.1^6 is exactly 1e-6, not below) the answer is 7, not the 6 that floating-point logarithms suggest. The
factors are read as the decimals they were set as (a slider's 0.1 is one tenth, not the binary double
0.1000000000000000055...), and the powers are compared as fractions.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

EXACT_UP_TO = 20_000  # steps up to which the count is checked in exact fractions (beyond: floats, +-1 step)


def product_bound_log10(gamma: float, sigma: float, n: np.ndarray) -> np.ndarray:
    """log10 of (gamma * sigma)^n: the most a product of n step Jacobians can stretch a vector."""
    return np.asarray(n, dtype=np.float64) * math.log10(gamma * sigma)


def _decimal(x: float) -> Fraction:
    """x as the shortest decimal that reads back as x: the number a learner set (0.1 -> 1/10)."""
    return Fraction(repr(float(x)))


def steps_to_vanish(gamma: float, sigma: float, threshold: float = 1e-6) -> int | None:
    """Fewest n with (gamma sigma)^n strictly below `threshold` (None if the bound never falls)."""
    g, thr = _decimal(gamma) * _decimal(sigma), _decimal(threshold)
    if g >= 1:
        return None
    if g == 0:
        return 1
    n = max(1, math.ceil(math.log(threshold) / math.log(float(g))))  # right to within a step
    if n > EXACT_UP_TO:
        return n
    while g ** n >= thr:
        n += 1
    while n > 1 and g ** (n - 1) < thr:
        n -= 1
    return n


def reaches_exactly(gamma: float, sigma: float, n: int, threshold: float = 1e-6) -> bool:
    """True when (gamma sigma)^n equals `threshold` exactly: the one step where 'below' and 'at most' differ."""
    return 0 < n <= EXACT_UP_TO and (_decimal(gamma) * _decimal(sigma)) ** n == _decimal(threshold)
