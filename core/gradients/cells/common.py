"""What the three cells share: input and shape checks, and the parameters of a gated cell."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def dense(X) -> np.ndarray:
    """The inputs as a float64 (T, D) array; ValueError if they are not a non-empty table."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"inputs must be a non-empty (T, D) array, got shape {X.shape}")
    return X


def check_shape(name: str, arr: np.ndarray, shape: tuple) -> None:
    assert arr.shape == shape, f"{name} has shape {arr.shape}, expected {shape}"


def as_rows(d: np.ndarray) -> np.ndarray:
    """A gradient as row vectors: (H,) stays, a block of columns (H, m) becomes (m, H) (a view)."""
    return d if d.ndim == 1 else d.T


@dataclass
class GatedParams:
    """W_x (G*H, D), W_h (G*H, H), b (G*H,) for a cell with G row blocks (gates) of H rows each."""

    W_x: np.ndarray
    W_h: np.ndarray
    b: np.ndarray
    GATES = 0  # row blocks, set by each cell
    NAME = ""

    def __post_init__(self):
        self.W_x, self.W_h, self.b = (np.asarray(a, dtype=np.float64) for a in (self.W_x, self.W_h, self.b))
        G = self.GATES
        GH, H = self.W_h.shape
        assert GH == G * H, f"W_h has shape {self.W_h.shape}; a {self.NAME} needs ({G}H, H)"
        check_shape("W_x", self.W_x, (G * H, self.W_x.shape[1]))
        check_shape("b", self.b, (G * H,))

    @property
    def hidden(self) -> int:
        return self.W_h.shape[1]

    def items(self):
        return [("W_x", self.W_x), ("W_h", self.W_h), ("b", self.b)]
