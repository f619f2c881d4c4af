"""The parameters of a vanilla RNN and their seeded initialisation.

Shapes follow the column-vector convention h_t = f(W_xh x_t + W_hh h_{t-1} + b_h), y_t = W_hy h_t + b_y:
W_xh is H x V, W_hh is H x H, W_hy is V x H, b_h has H entries and b_y has V.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

NAMES = ("W_xh", "W_hh", "W_hy", "b_h", "b_y")


@dataclass
class Params:
    """W_xh (H, V), W_hh (H, H), W_hy (V, H), b_h (H,), b_y (V,), all float64."""

    W_xh: np.ndarray
    W_hh: np.ndarray
    W_hy: np.ndarray
    b_h: np.ndarray
    b_y: np.ndarray

    def __post_init__(self):
        for f in fields(self):
            setattr(self, f.name, np.asarray(getattr(self, f.name), dtype=np.float64))
        H, V = self.W_xh.shape
        expected = {"W_xh": (H, V), "W_hh": (H, H), "W_hy": (V, H), "b_h": (H,), "b_y": (V,)}
        for name, shape in expected.items():
            got = getattr(self, name).shape
            assert got == shape, f"{name} has shape {got}, expected {shape} for H={H}, V={V}"

    @property
    def hidden(self) -> int:
        return self.W_xh.shape[0]

    @property
    def vocab_size(self) -> int:
        return self.W_xh.shape[1]

    def items(self):
        """(name, array) pairs in the fixed order W_xh, W_hh, W_hy, b_h, b_y."""
        return [(n, getattr(self, n)) for n in NAMES]

    def copy(self) -> "Params":
        return Params(*(a.copy() for _, a in self.items()))

    def to_lists(self) -> dict[str, list]:
        return {n: a.tolist() for n, a in self.items()}


def init_params(vocab_size: int, hidden: int, rng: np.random.Generator, *,
                hand_friendly: bool = False, scale: float | None = None) -> Params:
    """Seeded initial weights.

    hand_friendly: every entry uniform in [-1, 1] rounded to 2 decimals, so a learner can follow the
    arithmetic with a calculator (as on the lecture's slides). Otherwise a scaled normal: standard
    deviation `scale`, or 1/sqrt(fan_in) when not given; biases start at zero.
    """
    if vocab_size < 1 or hidden < 1:
        raise ValueError(f"vocab_size and hidden must be positive (got {vocab_size}, {hidden})")
    V, H = vocab_size, hidden
    if hand_friendly:
        def draw(*shape):
            return np.round(rng.uniform(-1.0, 1.0, size=shape), 2)
        return Params(draw(H, V), draw(H, H), draw(V, H), draw(H), draw(V))

    def normal(fan_in, *shape):
        std = scale if scale is not None else 1.0 / np.sqrt(fan_in)
        return rng.normal(0.0, std, size=shape)
    return Params(normal(V, H, V), normal(H, H, H), normal(H, V, H), np.zeros(H), np.zeros(V))
