"""Vanilla, LSTM and GRU cells on dense inputs: forward, backward and the Jacobian of one step.

The gradient playground compares the three cells on the same inputs, so they share one shape
convention: an input sequence X is (T, D), the hidden state h_t has H entries, a stack over time is
(T, H) with row t-1 holding step t, and h_0 (and the LSTM's c_0) default to zero.

    vanilla  h_t = f(W_xh x_t + W_hh h_{t-1} + b_h)
    LSTM     [i; f; g; o] = [sig; sig; phi; sig](W_x x_t + W_h h_{t-1} + b)     (gate order i, f, g, o)
             c_t = f * c_{t-1} + i * g          h_t = o * phi(c_t)
    GRU      [z; r] = sig(W_x x_t + W_h h_{t-1} + b)  (first 2H rows; order z, r, n)
             n_t = phi(W_xn x_t + W_hn (r * h_{t-1}) + b_n)      (reset gate applied before the matmul)
             h_t = z * h_{t-1} + (1 - z) * n_t          (update gate z = 1 keeps the old state, as in PyTorch)

phi is the cell's state activation (tanh unless the learner picks another); gates are always
sigmoids. The LSTM's state is the pair s_t = (h_t, c_t), so its step Jacobian is 2H x 2H.

Each cell has a `*_factors` function returning the local derivatives of every step, computed for all
steps at once after the forward pass, and a `*_gate_grads` function applying them: the cell's local
chain rule, written once. The backward pass, the step back of one step (and so the explicit step
Jacobian) and the parameter gradient of the decay curves all call it:

    vanilla  dz = f'(z_t) * dh                       dh_prev = W_hh^T dz
    LSTM     dc_all = dc + (o * phi'(c_t)) * dh       (c_t feeds h_t)
             da_{i,f,g} = [g*i(1-i), c_{t-1}*f(1-f), i*phi'(a_g)] * dc_all
             da_o = (phi(c_t) * o(1-o)) * dh
             dh_prev = W_h^T da                       dc_prev = f * dc_all
    GRU      da_n = ((1-z) * phi'(a_n)) * dh          da_z = (z(1-z) * (h_{t-1} - n)) * dh
             q = W_hn^T da_n                          (gradient reaching r * h_{t-1})
             da_r = (r(1-r) * h_{t-1}) * q
             dh_prev = z * dh + r * q + W_hz^T da_z + W_hr^T da_r

The fast sweeps of core.gradients.sweep restate these factors as in-place NumPy calls (at T = 1000 the
cost of a NumPy call, not the arithmetic, decides the speed); tests check them against these cells.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.gradients.cells.gru import (
    GRUFactors,
    GRUParams,
    GRUTrace,
    gru_backward,
    gru_factors,
    gru_forward,
    gru_gate_grads,
    gru_param_grads,
    gru_step_back,
    gru_step_jacobian,
)
from core.gradients.cells.lstm import (
    LSTMFactors,
    LSTMParams,
    LSTMTrace,
    lstm_backward,
    lstm_factors,
    lstm_forward,
    lstm_gate_grads,
    lstm_param_grads,
    lstm_step_back,
    lstm_step_jacobian,
)
from core.gradients.cells.vanilla import (
    VanillaFactors,
    VanillaParams,
    VanillaTrace,
    vanilla_backward,
    vanilla_factors,
    vanilla_forward,
    vanilla_gate_grads,
    vanilla_param_grads,
    vanilla_step_back,
    vanilla_step_jacobian,
)


@dataclass(frozen=True)
class CellKind:
    """The functions of one kind of cell, so code that compares the three can loop over them."""

    name: str
    forward: Callable
    factors: Callable
    step_jacobian: Callable
    state_grads_to_params: Callable  # (p, tr, fac, X, dS) -> params of grads, dS = dL/ds_t of every step


def _vanilla_params(p, tr, fac, X, dS):
    return vanilla_param_grads(tr, X, vanilla_gate_grads(fac.fprime, dS))


def _lstm_params(p, tr, fac, X, dS):
    H = p.hidden
    da, _ = lstm_gate_grads(fac.alpha, fac.gamma, fac.beta, dS[:, :H], dS[:, H:])
    return lstm_param_grads(tr, X, da)


def _gru_params(p, tr, fac, X, dS):
    return gru_param_grads(tr, X, gru_gate_grads(p, fac.kappa_z, fac.kappa_n, fac.kappa_r, dS)[0])


KINDS: dict[str, CellKind] = {
    "vanilla": CellKind("vanilla", vanilla_forward, vanilla_factors, vanilla_step_jacobian, _vanilla_params),
    "lstm": CellKind("lstm", lstm_forward, lstm_factors, lstm_step_jacobian, _lstm_params),
    "gru": CellKind("gru", gru_forward, gru_factors, gru_step_jacobian, _gru_params),
}

__all__ = [
    "KINDS", "CellKind",
    "GRUFactors", "GRUParams", "GRUTrace", "gru_backward", "gru_factors", "gru_forward", "gru_gate_grads",
    "gru_param_grads", "gru_step_back", "gru_step_jacobian",
    "LSTMFactors", "LSTMParams", "LSTMTrace", "lstm_backward", "lstm_factors", "lstm_forward", "lstm_gate_grads",
    "lstm_param_grads", "lstm_step_back", "lstm_step_jacobian",
    "VanillaFactors", "VanillaParams", "VanillaTrace", "vanilla_backward", "vanilla_factors", "vanilla_forward",
    "vanilla_gate_grads", "vanilla_param_grads", "vanilla_step_back", "vanilla_step_jacobian",
]
