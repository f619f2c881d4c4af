"""Compiled loops (numba) of the decay curves: the forward passes and the backward row sweeps of the three cells.

The same arithmetic as core.gradients.forward and core.gradients.sweep, written as explicit loops so that a
whole pass over T steps is one compiled call (the NumPy path pays a Python call per operation per step).
Only this package imports numba; core.gradients.jit decides whether it is used, and tests compare the two
paths with each other and with the explicit-Jacobian oracle.

Layouts: a block of rows is (width, S), each row one state vector (the LSTM's h part, then its c part);
B (2, width, S) holds the two buffers a step reads and writes. F (T, nf, H) packs each step's local
derivatives, in the order of the cell's *Factors fields (core.gradients.jit.FACTOR_VIEWS).
Matrix products (`rows_dot`) and Gram matrices (`gram`) are the only code with fast-math flags: reassociation (so sums
vectorise) and contraction (fused multiply-add). Neither assumes finite values, so inf, NaN and zero go
through as in NumPy; the element-wise code is strict IEEE, as NumPy's is.
"""
from core.gradients.kernels.common import sigmoid
from core.gradients.kernels.forward import (
    gru_factors,
    gru_forward,
    lstm_factors,
    lstm_forward,
    vanilla_factors,
    vanilla_forward,
)
from core.gradients.kernels.sweep import anchor_back, anchor_forward, backward_sweep, unit_rows

__all__ = ["anchor_back", "anchor_forward", "backward_sweep", "gru_factors", "gru_forward", "lstm_factors",
           "lstm_forward", "sigmoid", "unit_rows", "vanilla_factors", "vanilla_forward"]
