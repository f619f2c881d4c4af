"""The decay curves of `core.gradients.decay` computed the slow, obvious way: test oracle and benchmark baseline.

This is what an autograd-style loop does: run each cell with the readable loops of `core.gradients.cells`, form every
step Jacobian J_t = ds_t/ds_{t-1} explicitly, multiply full matrices P_{k-1} = P_k J_k step by step, and take
norms with NumPy at every k: ||P_k^T dE_T/ds_T|| and np.linalg.norm(P_k, 2). The first-step gradients
multiply the Jacobians forward, Q_L = ds_L/ds_1, and read Q_L^T dE_L/ds_L. The parameter gradient comes
from the cells' own BPTT plus the readout's (p_T - onehot) h_T^T formed as a matrix. Products are rescaled
to unit Frobenius norm each step (their log-scale kept), so long products neither overflow nor underflow;
states that blow up in the forward pass are not handled.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.gradients import cells
from core.gradients.decay import MODELS, Blocks, DecayConfig, build_networks, lengths_for, output_gradients

FORWARD = {"vanilla": cells.vanilla_forward, "lstm": cells.lstm_forward, "gru": cells.gru_forward}
FACTORS = {"vanilla": cells.vanilla_factors, "lstm": cells.lstm_factors, "gru": cells.gru_factors}
JACOBIAN = {"vanilla": cells.vanilla_step_jacobian, "lstm": cells.lstm_step_jacobian,
            "gru": cells.gru_step_jacobian}


@dataclass
class NaiveCurves:
    grad_log10: np.ndarray  # (T,) log10 ||dE_T/ds_k|| by distance T - k
    jac_log10: np.ndarray  # (T,) log10 ||ds_T/ds_k||_2 by distance, exact
    first_lengths: np.ndarray
    first_log10: np.ndarray  # log10 ||dE_L/ds_1||
    param_grad_log10: float  # the cell's parameters and the readout W_hy


def _log10_norm(v: np.ndarray, log_scale: float) -> float:
    n = float(np.linalg.norm(v))
    return (math.log(n) + log_scale) / math.log(10.0) if n > 0 else -math.inf


def naive_curves(cfg: DecayConfig, blocks: Blocks | None = None,
                 models: tuple[str, ...] = MODELS) -> dict[str, NaiveCurves]:
    """Every curve of every requested cell from explicit Jacobians and full matrix products."""
    cfg.validate()
    nets = build_networks(cfg, blocks)
    T = cfg.T
    out = {}
    for model in models:
        p = getattr(nets, model)
        tr = FORWARD[model](p, nets.X, activation=cfg.activation)
        fac = FACTORS[model](p, tr)
        g = output_gradients(nets.W_hy, tr.h, nets.targets)  # (T, H)
        if model == "lstm":
            g = np.hstack([g, np.zeros_like(g)])  # E_t reads h_t, not c_t
        S = g.shape[1]
        J = [None] + [JACOBIAN[model](p, fac, t) for t in range(1, T + 1)]  # J[t] = ds_t/ds_{t-1}

        grad, jac = np.empty(T), np.empty(T)
        P, log_scale = np.eye(S), 0.0  # P = ds_T/ds_k, starting at k = T
        for k in range(T, 0, -1):
            grad[T - k] = _log10_norm(P.T @ g[T - 1], log_scale)  # (S,S)^T @ (S,)
            jac[T - k] = (math.log(np.linalg.norm(P, 2)) + log_scale) / math.log(10.0)
            P = P @ J[k]  # ds_T/ds_{k-1} = ds_T/ds_k . ds_k/ds_{k-1}
            n = np.linalg.norm(P)
            P /= n
            log_scale += math.log(n)

        lengths = lengths_for(T)
        first = {}
        Q, log_scale = np.eye(S), 0.0  # Q = ds_L/ds_1, starting at L = 1
        for L in range(1, T + 1):
            if L > 1:
                Q = J[L] @ Q
                n = np.linalg.norm(Q)
                Q /= n
                log_scale += math.log(n)
            first[L] = _log10_norm(Q.T @ g[L - 1], log_scale)

        dh_ext = np.zeros((T, p.hidden))
        dh_ext[-1] = g[-1, :p.hidden]  # only E_T: its gradient enters at h_T
        if model == "lstm":
            grads = cells.lstm_backward(p, tr, nets.X, dh_ext)[0]
        else:
            grads = {"vanilla": cells.vanilla_backward, "gru": cells.gru_backward}[model](p, tr, nets.X, dh_ext)[0]
        y = nets.W_hy @ tr.h[-1]  # (V,H)@(H,) -> (V,): E_T's logits
        p_T = np.exp(y - y.max()) / np.sum(np.exp(y - y.max()))
        dW_hy = np.outer(p_T - np.eye(len(y))[nets.targets[T - 1]], tr.h[-1])  # (V, H) dE_T/dW_hy
        total = math.sqrt(sum(float(np.sum(a * a)) for _, a in grads.items()) + float(np.sum(dW_hy * dW_hy)))
        out[model] = NaiveCurves(grad, jac, lengths, np.array([first[int(L)] for L in lengths]),
                                 math.log10(total) if total > 0 else -math.inf)
    return out
