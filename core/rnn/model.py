"""Forward pass and backpropagation through time for a vanilla character RNN, step by step.

The fast path here vectorises everything that does not depend on the recurrence: the input term
W_xh x_t of every step is one column gather, the output layer and softmax of all steps are one
matmul, and dW_hy, dW_hh, dW_xh are single matmuls. Only the recurrence itself loops over time.
`core.rnn.reference` keeps the classic per-step loop as the test oracle.

Every intermediate value is kept (the trace), because the learner types each one in.
Vectors are 1-D arrays; a stack over time has time first: (T, H) holds h_1 .. h_T as rows.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.rnn.activations import get_activation
from core.rnn.params import Params


def softmax(y: np.ndarray) -> np.ndarray:
    """Numerically stable softmax over the last axis: subtracting the max changes nothing."""
    y = np.asarray(y, dtype=np.float64)
    e = np.exp(y - np.max(y, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


@dataclass
class ForwardTrace:
    """Every value of the forward pass; row t-1 of each stack is step t (t = 1..T)."""

    inputs: np.ndarray  # (T,) input indices
    targets: np.ndarray | None  # (T,) target indices, or None when only predicting
    x: np.ndarray  # (T, V) one-hot inputs
    h0: np.ndarray  # (H,)
    W_xh_x: np.ndarray  # (T, H) W_xh x_t: column x_t of W_xh
    W_hh_h_prev: np.ndarray  # (T, H) W_hh h_{t-1}
    z: np.ndarray  # (T, H) pre-activation W_xh x_t + W_hh h_{t-1} + b_h
    h: np.ndarray  # (T, H) hidden states h_t = f(z_t)
    y: np.ndarray  # (T, V) logits W_hy h_t + b_y
    p: np.ndarray  # (T, V) softmax(y_t)
    loss_t: np.ndarray | None  # (T,) -log p_t[target_t]
    activation: str = "tanh"

    @property
    def T(self) -> int:
        return len(self.inputs)

    @property
    def h_prev(self) -> np.ndarray:
        """(T, H) h_{t-1} for each step: h_0 then h_1 .. h_{T-1}."""
        return np.vstack([self.h0[None, :], self.h[:-1]])

    @property
    def loss(self) -> float:
        assert self.loss_t is not None, "no targets were given, so there is no loss"
        return float(np.sum(self.loss_t))

    @property
    def predicted(self) -> np.ndarray:
        """(T,) index of the most probable next character at each step (arg-max, not a threshold)."""
        return np.argmax(self.p, axis=1)


def forward(params: Params, inputs, targets=None, h0=None, activation: str = "tanh") -> ForwardTrace:
    """Run the RNN over `inputs` (indices) from h0 (zeros by default) and keep every value."""
    act = get_activation(activation)
    inputs = np.asarray(inputs, dtype=np.intp)
    T, H, V = len(inputs), params.hidden, params.vocab_size
    if T == 0:
        raise ValueError("the sequence is empty: give at least one input character")
    h0 = np.zeros(H) if h0 is None else np.asarray(h0, dtype=np.float64)
    x = np.zeros((T, V))  # (T, V)
    x[np.arange(T), inputs] = 1.0
    W_xh_x = params.W_xh[:, inputs].T  # (T, H): a one-hot times a matrix selects a column
    xb = W_xh_x + params.b_h  # (T, H): the part of z_t that does not depend on h_{t-1}
    W_hh_h_prev = np.empty((T, H))
    z = np.empty((T, H))
    h = np.empty((T, H))
    h_prev = h0
    for t in range(T):  # the recurrence is the only part that must loop
        np.dot(params.W_hh, h_prev, out=W_hh_h_prev[t])  # (H,H)@(H,) -> (H,)
        np.add(xb[t], W_hh_h_prev[t], out=z[t])
        h[t] = h_prev = act.f(z[t])
    y = h @ params.W_hy.T + params.b_y  # (T,H)@(H,V) -> (T,V): all output layers in one matmul
    # softmax of all steps at once, shifted by the max so exp cannot overflow
    shifted = y - np.max(y, axis=1, keepdims=True)  # (T, V)
    e = np.exp(shifted)
    sum_e = np.sum(e, axis=1)  # (T,)
    p = e / sum_e[:, None]  # (T, V)
    loss_t = None
    if targets is not None:
        targets = np.asarray(targets, dtype=np.intp)
        assert targets.shape == inputs.shape, f"{len(targets)} targets for {T} inputs"
        # -log p from the logits (log-softmax), so a probability that underflows to 0 still gives a
        # large finite loss instead of inf.
        loss_t = np.log(sum_e) - shifted[np.arange(T), targets]
    return ForwardTrace(inputs, targets, x, h0, W_xh_x, W_hh_h_prev, z, h, y, p, loss_t, activation)


@dataclass
class Grads:
    """Gradients of the total loss, same names and shapes as Params."""

    W_xh: np.ndarray
    W_hh: np.ndarray
    W_hy: np.ndarray
    b_h: np.ndarray
    b_y: np.ndarray

    def items(self):
        return [(n, getattr(self, n)) for n in ("W_xh", "W_hh", "W_hy", "b_h", "b_y")]


@dataclass
class BackwardTrace:
    """Every value of BPTT; row t-1 is step t. Sums over time are in `grads`.

    Full BPTT walks t = T..1 once with
        dy_t     = p_t - onehot(target_t)                    dE_t/dy_t
        dh_t     = W_hy^T dy_t  +  dh_next                   output part + recurrent part
        dh_raw_t = f'(z_t) * dh_t                            (1 - h_t^2) * dh_t for tanh
        dh_next  = W_hh^T dh_raw_t                           passed to step t-1
    With truncation k, the loss E_t sends gradient back to h_t .. h_{t-k+1} only; dh_rec then holds
    what reaches h_t from later losses within their windows.
    """

    dy: np.ndarray  # (T, V)
    dh_out: np.ndarray  # (T, H) W_hy^T dy_t
    dh_rec: np.ndarray  # (T, H) dh_next arriving from step t+1 (zero at t = T)
    dh: np.ndarray  # (T, H) dh_out + dh_rec
    dh_raw: np.ndarray  # (T, H) f'(z_t) * dh_t
    dh_next: np.ndarray  # (T, H) W_hh^T dh_raw_t, sent to step t-1
    dW_hy_t: np.ndarray  # (T, V, H) dy_t h_t^T
    db_y_t: np.ndarray  # (T, V)
    dW_hh_t: np.ndarray  # (T, H, H) dh_raw_t h_{t-1}^T
    dW_xh_t: np.ndarray  # (T, H, V) dh_raw_t x_t^T
    db_h_t: np.ndarray  # (T, H)
    grads: Grads
    truncation: int | None = None


def _dy(trace: ForwardTrace) -> np.ndarray:
    assert trace.targets is not None, "backpropagation needs targets"
    dy = trace.p.copy()  # (T, V)
    dy[np.arange(trace.T), trace.targets] -= 1.0  # p_t - onehot(target): softmax + cross-entropy
    return dy


def _dh_raw(params: Params, trace: ForwardTrace, dh_out: np.ndarray, truncation: int | None):
    """dh_raw for every step (T, H), plus the recurrent part dh_rec that reached each h_t."""
    act = get_activation(trace.activation)
    fprime = act.df(trace.z, trace.h)  # (T, H) f'(z_t)
    T, H = dh_out.shape
    dh_raw = np.zeros((T, H))
    dh_rec = np.zeros((T, H))
    W_hh_T = np.ascontiguousarray(params.W_hh.T)  # (H, H), laid out for fast mat-vec products
    if truncation is None or truncation >= T:
        dh_next = np.zeros(H)
        for t in range(T - 1, -1, -1):
            np.add(dh_out[t], dh_next, out=dh_next)  # dh_t: output part + recurrent part
            np.multiply(fprime[t], dh_next, out=dh_raw[t])
            dh_next = W_hh_T @ dh_raw[t]  # (H,H)@(H,) -> (H,)
        dh_rec[:-1] = dh_raw[1:] @ params.W_hh  # (T-1,H)@(H,H): what step t+1 sent back to step t
        return dh_raw, dh_rec
    if truncation < 1:
        raise ValueError(f"truncation must be at least 1 step (got {truncation})")
    for t in range(T):  # E_t reaches back to h_t .. h_{t-k+1}
        g = dh_out[t]
        for s in range(t, max(-1, t - truncation), -1):
            if s < t:
                dh_rec[s] += g
            draw = fprime[s] * g
            dh_raw[s] += draw
            g = W_hh_T @ draw
    return dh_raw, dh_rec


def backward(params: Params, trace: ForwardTrace, truncation: int | None = None) -> BackwardTrace:
    """BPTT over a forward trace, keeping every step's factors and contributions."""
    dy = _dy(trace)  # (T, V)
    dh_out = dy @ params.W_hy  # (T,V)@(V,H) -> (T,H): row t is W_hy^T dy_t
    dh_raw, dh_rec = _dh_raw(params, trace, dh_out, truncation)
    h_prev = trace.h_prev  # (T, H)
    grads = Grads(
        W_xh=dh_raw.T @ trace.x,  # (H,T)@(T,V) -> (H,V)
        W_hh=dh_raw.T @ h_prev,  # (H,T)@(T,H) -> (H,H)
        W_hy=dy.T @ trace.h,  # (V,T)@(T,H) -> (V,H)
        b_h=dh_raw.sum(axis=0),
        b_y=dy.sum(axis=0),
    )
    return BackwardTrace(
        dy=dy, dh_out=dh_out, dh_rec=dh_rec, dh=dh_out + dh_rec, dh_raw=dh_raw,
        dh_next=dh_raw @ params.W_hh,  # (T,H)@(H,H): row t is W_hh^T dh_raw_t
        dW_hy_t=np.einsum("tv,th->tvh", dy, trace.h), db_y_t=dy,
        dW_hh_t=np.einsum("ti,tj->tij", dh_raw, h_prev),
        dW_xh_t=np.einsum("ti,tj->tij", dh_raw, trace.x), db_h_t=dh_raw,
        grads=grads, truncation=truncation,
    )


def loss_and_grads(params: Params, inputs, targets, h0=None, activation: str = "tanh",
                   truncation: int | None = None) -> tuple[float, Grads, np.ndarray]:
    """The training step's maths without per-step contributions: (loss, grads, last hidden state)."""
    trace = forward(params, inputs, targets, h0, activation)
    dy = _dy(trace)
    dh_raw, _ = _dh_raw(params, trace, dy @ params.W_hy, truncation)
    grads = Grads(
        W_xh=_scatter_columns(dh_raw, trace.inputs, params.vocab_size),
        W_hh=dh_raw.T @ trace.h_prev,  # (H,T)@(T,H) -> (H,H)
        W_hy=dy.T @ trace.h,  # (V,T)@(T,H) -> (V,H)
        b_h=dh_raw.sum(axis=0),
        b_y=dy.sum(axis=0),
    )
    return trace.loss, grads, trace.h[-1].copy()


def _scatter_columns(dh_raw: np.ndarray, inputs: np.ndarray, V: int) -> np.ndarray:
    """dW_xh = sum_t dh_raw_t x_t^T: x_t is one-hot, so each step adds dh_raw_t to one column."""
    out = np.zeros((V, dh_raw.shape[1]))  # (V, H), transposed at the end
    np.add.at(out, inputs, dh_raw)
    return out.T


def hidden_jacobians(params: Params, trace: ForwardTrace, T: int | None = None) -> np.ndarray:
    """dh_T/dh_k for k = 0..T, shape (T+1, H, H); entry k is the product of Jacobians

        dh_T/dh_k = prod_{j=T..k+1} diag(f'(z_j)) W_hh      (entry T is the identity).
    """
    T = trace.T if T is None else T
    if not 1 <= T <= trace.T:
        raise ValueError(f"T must be between 1 and {trace.T} (got {T})")
    act = get_activation(trace.activation)
    fprime = act.df(trace.z, trace.h)  # (T, H)
    H = params.hidden
    J = np.empty((T + 1, H, H))
    J[T] = np.eye(H)
    for k in range(T - 1, -1, -1):
        # dh_T/dh_k = dh_T/dh_{k+1} . dh_{k+1}/dh_k, and dh_{k+1}/dh_k = diag(f'(z_{k+1})) W_hh
        J[k] = J[k + 1] @ (fprime[k][:, None] * params.W_hh)  # step k+1 is row k
    return J


@dataclass
class ChainTerms:
    """The lecture's dE_T/dW = sum_k (dE_T/dy_T)(dy_T/dh_T)(dh_T/dh_k)(dh_k/dW), factor by factor."""

    T: int
    dE_dy: np.ndarray  # (V,) p_T - onehot(target_T)
    dE_dh_T: np.ndarray  # (H,) W_hy^T dy_T
    jacobians: np.ndarray  # (T+1, H, H) dh_T/dh_k
    dE_dh_k: np.ndarray  # (T, H) row k-1: (dh_T/dh_k)^T dE_T/dh_T for k = 1..T
    terms_W_hh: np.ndarray  # (T, H, H) row k-1: the k-th term of dE_T/dW_hh
    terms_W_xh: np.ndarray  # (T, H, V) row k-1: the k-th term of dE_T/dW_xh
    dE_dW_hh: np.ndarray  # (H, H) sum of the terms
    dE_dW_xh: np.ndarray  # (H, V)
    dE_dW_hy: np.ndarray  # (V, H) dy_T h_T^T, the lecture's (y_hat_3 - y_3) outer s_3

    @property
    def share(self) -> np.ndarray:
        """(T,) each k-term's Frobenius norm as a fraction of their total: how much step k counts."""
        n = np.linalg.norm(self.terms_W_hh.reshape(self.T, -1), axis=1)
        total = n.sum()
        return n / total if total > 0 else n


def chain_terms(params: Params, trace: ForwardTrace, T: int) -> ChainTerms:
    """Factors and k-terms of the gradient of the single loss E_T (t from 1) with respect to W."""
    J = hidden_jacobians(params, trace, T)
    fprime = get_activation(trace.activation).df(trace.z, trace.h)
    dy = _dy(trace)[T - 1]
    dE_dh_T = params.W_hy.T @ dy  # (H,V)@(V,) -> (H,)
    dE_dh_k = np.stack([J[k].T @ dE_dh_T for k in range(1, T + 1)])  # (T, H)
    draw = fprime[:T] * dE_dh_k  # (T, H): the immediate dh_k/dz_k factor
    terms_hh = np.einsum("ki,kj->kij", draw, trace.h_prev[:T])  # dh_k/dW_hh holds h_{k-1}
    terms_xh = np.einsum("ki,kj->kij", draw, trace.x[:T])
    return ChainTerms(T, dy, dE_dh_T, J, dE_dh_k, terms_hh, terms_xh, terms_hh.sum(0),
                      terms_xh.sum(0), np.outer(dy, trace.h[T - 1]))
