"""The lecture's dE_K/dW = sum_k (dE_K/dy_K)(dy_K/dh_K)(dh_K/dh_k)(dh_k/dW), for one loss E_K."""
from __future__ import annotations

import numpy as np

from core.course.rules.base import (
    Ctx,
    Env,
    Rule,
    chain_below_K,
    from_step_2,
    mut,
    shape_h,
    shape_v,
    square_hv,
    stack,
)
from core.course.rules.bptt import chain_K, dy_compute, dy_mutations


def _J(c: Ctx, e: Env, k: int) -> np.ndarray:
    return e[f"dh{c.K}_dh[{k}]"]


def _step_jacobian(c: Ctx, j: int, fpr: np.ndarray | None = None) -> np.ndarray:
    """dh_j/dh_{j-1} = diag(f'(z_j)) W_hh, (H, H)."""
    f = c.act.df(c.trace.z[j - 1], c.trace.h[j - 1]) if fpr is None else fpr
    return f[:, None] * c.params.W_hh


_chain_dy = Rule(
    "dE{K}_dy{K}", None, "vector", shape_v, lambda c, t: (f"p[{c.K}]",),
    lambda c, e, t: dy_compute(c, e, c.K, f"p[{c.K}]"),
    dy_mutations(lambda t: f"p[{t}]", chain_K), needs="chain",
)

_chain_dW_hy = Rule(
    "dE{K}_dW_hy", None, "matrix", lambda c: (c.V, c.H), lambda c, t: (f"dE{c.K}_dy{c.K}", f"h[{c.K}]"),
    lambda c, e, t: np.outer(e[f"dE{c.K}_dy{c.K}"], e[f"h[{c.K}]"]),  # (y_hat_K - y_K) outer h_K
    (
        mut("off_by_one", "h_{t-1} used where h_t belongs", "bptt",
            r"$y_K = W_{hy}h_K + b_y$ reads $h_K$, so $\partial E_K/\partial W_{hy} = (\hat y_K - y_K)\,h_K^\top$.",
            lambda c, e, t: np.outer(e[f"dE{c.K}_dy{c.K}"], e[f"h[{c.K - 1}]"])),
        mut("summed_over_steps", "Total loss instead of E_K", "bptt",
            r"That is the gradient of the total loss $E$; the gradient of the single loss $E_K$ has only "
            r"step $K$'s term.",
            lambda c, e, t: np.array(e["dW_hy"], dtype=np.float64), chain_below_K),
    ),
    needs="chain",
)

_chain_dh_K = Rule(
    "dE{K}_dh{K}", None, "vector", shape_h, lambda c, t: (f"dE{c.K}_dy{c.K}",),
    lambda c, e, t: c.params.W_hy.T @ e[f"dE{c.K}_dy{c.K}"],  # (H,V)@(V,)
    (
        mut("includes_later_losses", "Later losses included", "bptt",
            r"That is $dh_K$ of the full backward pass, which also carries gradient from the losses after "
            r"step $K$; $\partial E_K/\partial h_K = W_{hy}^\top(\hat y_K - y_K)$ involves $E_K$ only.",
            lambda c, e, t: np.array(e[f"dh[{c.K}]"], dtype=np.float64), chain_below_K),
        mut("W_not_transposed", "W where Wᵀ belongs", "bptt",
            r"Going backwards through $y_K = W_{hy}h_K$ multiplies by the transpose, $W_{hy}^\top$.",
            lambda c, e, t: c.params.W_hy @ e[f"dE{c.K}_dy{c.K}"] if c.H == c.V else None, square_hv),
    ),
    needs="chain",
)


def _jac_deps(c: Ctx, k: int) -> tuple[str, ...]:
    return (f"dh{c.K}_dh[{k + 1}]",) if k + 1 < c.K else ()


def _k_before_last(c: Ctx, k: int) -> bool:
    return k + 1 < c.K


_chain_J = Rule(
    "dh{K}_dh[k]", "k", "matrix", lambda c: (c.H, c.H), _jac_deps,
    lambda c, e, k: _J(c, e, k + 1) @ _step_jacobian(c, k + 1),  # (dh_K/dh_{k+1}) (dh_{k+1}/dh_k)
    (
        mut("no_derivative", "tanh derivative left out", "vanishing-gradients",
            r"Each factor is $\partial h_j/\partial h_{j-1} = \mathrm{diag}(1 - h_j^2)\,W_{hh}$: the $\tanh$ "
            r"derivative belongs in every factor.",
            lambda c, e, k: _J(c, e, k + 1) @ c.params.W_hh),
        mut("factor_transposed", "W where Wᵀ belongs", "vanishing-gradients",
            r"$\partial h_j/\partial h_{j-1} = \mathrm{diag}(1 - h_j^2)\,W_{hh}$ (row $i$: how unit $i$ of "
            r"$h_j$ depends on $h_{j-1}$), not its transpose $W_{hh}^\top\mathrm{diag}(1 - h_j^2)$.",
            lambda c, e, k: _J(c, e, k + 1) @ _step_jacobian(c, k + 1).T),
        mut("one_minus_z_squared", "1 − z² instead of 1 − h²", "tanh",
            r"The $\tanh$ derivative in each factor is $1 - h_j^2$, with the output $h_j$, not $1 - z_j^2$.",
            lambda c, e, k: _J(c, e, k + 1) @ _step_jacobian(
                c, k + 1, c.act.df(c.trace.z[k], c.trace.z[k]))),
        mut("reversed_order", "Jacobians multiplied in the wrong order", "vanishing-gradients",
            r"The chain rule puts the later step on the left: "
            r"$\partial h_K/\partial h_k = (\partial h_K/\partial h_{k+1})(\partial h_{k+1}/\partial h_k)$.",
            lambda c, e, k: _step_jacobian(c, k + 1) @ _J(c, e, k + 1), _k_before_last),
    ),
    needs="chain",
)

_chain_dh_k = Rule(
    "dE{K}_dh[k]", "k", "vector", shape_h, lambda c, k: (f"dh{c.K}_dh[{k}]", f"dE{c.K}_dh{c.K}"),
    lambda c, e, k: _J(c, e, k).T @ e[f"dE{c.K}_dh{c.K}"],  # (dh_K/dh_k)^T dE_K/dh_K: (H,H)@(H,)
    (
        mut("J_not_transposed", "W where Wᵀ belongs", "bptt",
            r"A gradient goes back through a Jacobian transposed: "
            r"$\partial E_K/\partial h_k = (\partial h_K/\partial h_k)^\top\,\partial E_K/\partial h_K$.",
            lambda c, e, k: _J(c, e, k) @ e[f"dE{c.K}_dh{c.K}"]),
    ),
    needs="chain",
)


def _term_v(c: Ctx, e: Env, k: int) -> np.ndarray:
    return e[f"dE{c.K}_dh[{k}]"] if k < c.K else e[f"dE{c.K}_dh{c.K}"]


def _term_deps(c: Ctx, k: int) -> tuple[str, ...]:
    return ((f"dE{c.K}_dh[{k}]",) if k < c.K else (f"dE{c.K}_dh{c.K}",)) + (f"h[{k - 1}]",)


_chain_term = Rule(
    "dE{K}_dW_hh[k]", "k", "matrix", lambda c: (c.H, c.H), _term_deps,
    lambda c, e, k: np.outer(e[f"fpr[{k}]"] * _term_v(c, e, k), e[f"h[{k - 1}]"]),  # (dE/dz_k) h_{k-1}^T
    (
        mut("off_by_one", "h_t used where h_{t-1} belongs", "bptt",
            r"$W_{hh}$ meets $h_{k-1}$ in $z_k = W_{hh}h_{k-1} + \dots$, so the $k$-th term ends in "
            r"$h_{k-1}^\top$, not $h_k^\top$.",
            lambda c, e, k: np.outer(e[f"fpr[{k}]"] * _term_v(c, e, k), e[f"h[{k}]"])),
        mut("no_derivative", "tanh derivative left out", "tanh",
            r"The factor $\partial h_k/\partial z_k = 1 - h_k^2$ is missing: $W_{hh}$ acts on $h_k$ through "
            r"$z_k$.",
            lambda c, e, k: np.outer(_term_v(c, e, k), e[f"h[{k - 1}]"]), from_step_2),
        mut("transposed", "Outer product the wrong way round", "bptt",
            r"The term is $(\partial E_K/\partial z_k)\,h_{k-1}^\top$, with the gradient down the rows, not "
            r"its transpose.",
            lambda c, e, k: np.outer(e[f"h[{k - 1}]"], e[f"fpr[{k}]"] * _term_v(c, e, k)), from_step_2),
    ),
    needs="chain",
)

_chain_sum = Rule(
    "dE{K}_dW_hh", None, "matrix", lambda c: (c.H, c.H),
    lambda c, t: tuple(f"dE{c.K}_dW_hh[{k}]" for k in range(1, c.K + 1)),
    lambda c, e, t: np.sum(stack(e, [f"dE{c.K}_dW_hh[{k}]" for k in range(1, c.K + 1)]), axis=0),
    (
        mut("last_term_only", "Only the k = K term", "vanishing-gradients",
            r"$W_{hh}$ also shaped every earlier state $h_k$, so $\partial E_K/\partial W_{hh}$ sums the terms "
            r"of all $k = 1..K$, not only the direct $k = K$ one.",
            lambda c, e, t: np.array(e[f"dE{c.K}_dW_hh[{c.K}]"], dtype=np.float64)),
    ),
    needs="chain",
)
