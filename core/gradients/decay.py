"""How the gradient decays (or explodes) with distance in time, measured on real networks.

For one setting of the sliders we build a vanilla RNN, an LSTM and a GRU with the same hidden size, the
same inputs and comparably scaled recurrent matrices, run each forward over T steps, put a
cross-entropy loss E_T on the last step, and measure from the real Jacobian products:

  * ||dE_T/ds_k|| for k = 1..T (s_k is h_k, or the pair (h_k, c_k) for the LSTM);
  * the spectral norm ||ds_T/ds_k||_2 (an estimate from below: core.gradients.sweep says how good);
  * ||dE_L/ds_1||, the gradient that reaches the first step, for a range of sequence lengths L;
  * the norm of the whole parameter gradient of E_T (the cell's weights and biases and the readout W_hy),
    and what norm clipping does to it;
  * for the vanilla RNN, the Pascanu-Mikolov-Bengio bound ||dh_T/dh_k|| <= (gamma sigma_max(W_hh))^(T-k).

`core.gradients.sweep` is how it is fast (and how the spectral norm is estimated);
`core.gradients.reference` computes the same curves the slow way and is the test oracle. The page's
caption reads the curves in words (`core.gradients.captions`).
"""
from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from core.gradients import cells, jit
from core.gradients.forward import STATE_CAP, fast_gru_forward, fast_lstm_forward, fast_vanilla_forward
from core.gradients.ops import make_ops
from core.gradients.sweep import EXACT_DIM, LENGTHS, WINDOW, backward_sweep, lengths_for
from core.rnn.activations import ACTIVATIONS

INPUT_DIM = 16  # D: inputs are (T, D) Gaussian vectors times the input scale
OUTPUTS = 16  # V: size of the softmax output that E_T is computed from
INITS = ("normal", "orthogonal", "identity")
NORMS = ("radius", "singular")
MODELS = ("vanilla", "lstm", "gru")
LABELS = {"vanilla": "Vanilla RNN", "lstm": "LSTM", "gru": "GRU"}
IN_TEXT = {"vanilla": "vanilla RNN", "lstm": "LSTM", "gru": "GRU"}
FAST_FORWARD = {"vanilla": fast_vanilla_forward, "lstm": fast_lstm_forward, "gru": fast_gru_forward}
COST_ORDER = ("lstm", "gru", "vanilla")  # the slowest cell first when the cells run side by side
WORKERS = min(3, os.cpu_count() or 1)  # threads for the compiled path (the NumPy path holds the GIL: one)
LIMITS = {"T": (1, 1000), "hidden": (1, 256), "scale": (0.1, 3.0), "input_scale": (0.0, 5.0),
          "gate_bias": (-5.0, 5.0), "clip": (1e-3, 1e3)}


@dataclass(frozen=True)
class DecayConfig:
    T: int = 100  # sequence length; E_T sits on the last step
    hidden: int = 32  # H, the same for the three cells
    scale: float = 0.8  # every recurrent matrix is scaled to this largest singular value / spectral radius
    norm: str = "singular"  # "singular" (largest singular value, what the bound uses) or "radius" (max |eigenvalue|)
    activation: str = "tanh"  # the state non-linearity; LSTM and GRU gates stay sigmoids
    init: str = "normal"  # recurrent matrices: "normal" (scaled Gaussian), "orthogonal" or "identity"
    input_scale: float = 1.0  # standard deviation of each input's contribution to a pre-activation
    gate_bias: float = 1.0  # bias of the gate that keeps memory: LSTM forget gate, GRU update gate
    clip: float = 1.0  # norm clipping threshold for the parameter gradient of E_T
    seed: int = 0

    def validate(self) -> None:
        """Raise ValueError naming the setting and its range when something is out of bounds."""
        for name, (lo, hi) in LIMITS.items():
            v = getattr(self, name)
            if not (isinstance(v, int | float) and math.isfinite(v) and lo <= v <= hi):
                raise ValueError(f"{name} must be between {lo:g} and {hi:g} (got {v!r})")
        for name, allowed in (("norm", NORMS), ("init", INITS), ("activation", tuple(ACTIVATIONS))):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)} (got {getattr(self, name)!r})")



# --------------------------------------------------------------------------------------------- networks


@dataclass
class Blocks:
    """Unit-norm recurrent blocks (H, H) for each cell, before scaling; depends only on H, init, norm, seed."""

    H: int
    init: str
    norm: str
    seed: int
    vanilla: list[np.ndarray]  # [W_hh]
    lstm: list[np.ndarray]  # [W_hi, W_hf, W_hg, W_ho]
    gru: list[np.ndarray]  # [W_hz, W_hr, W_hn]
    sigma_vanilla: float  # largest singular value of the unit vanilla block (1 unless normal + radius)


def _unit_block(H: int, init: str, norm: str, rng: np.random.Generator) -> np.ndarray:
    """One (H, H) recurrent matrix with spectral radius 1 or largest singular value 1."""
    if init == "identity":
        return np.eye(H)
    A = rng.normal(0.0, 1.0 / math.sqrt(H), size=(H, H))  # (H, H)
    if init == "orthogonal":
        Q, R = np.linalg.qr(A)
        return Q * np.where(np.diag(R) < 0, -1.0, 1.0)  # sign fix: Haar-distributed; radius = sigma = 1
    if norm == "radius":
        return A / np.max(np.abs(np.linalg.eigvals(A)))
    return A / np.linalg.norm(A, 2)


def recurrent_blocks(H: int, init: str, norm: str, seed: int) -> Blocks:
    """The expensive, cacheable part: 8 eigen- or singular-value decompositions for the normal init."""
    if init not in INITS or norm not in NORMS:
        raise ValueError(f"init must be one of {INITS} and norm one of {NORMS}")
    rng = np.random.default_rng((seed, 1))  # stream 1: recurrent weights
    blocks = [_unit_block(H, init, norm, rng) for _ in range(8)]
    sigma = float(np.linalg.norm(blocks[0], 2)) if (init == "normal" and norm == "radius") else 1.0
    return Blocks(H, init, norm, seed, blocks[:1], blocks[1:5], blocks[5:], sigma)


@dataclass
class Networks:
    """The three cells, their shared inputs and readout, for one configuration."""

    vanilla: cells.VanillaParams
    lstm: cells.LSTMParams
    gru: cells.GRUParams
    X: np.ndarray  # (T, D) inputs, shared by the three cells
    W_hy: np.ndarray  # (V, H) readout producing the logits of E_t
    targets: np.ndarray  # (T,) the target class of every step
    sigma_max: float  # largest singular value of the vanilla W_hh


def build_networks(cfg: DecayConfig, blocks: Blocks | None = None) -> Networks:
    """Scale the unit blocks to cfg.scale and draw inputs, input weights and readout from cfg.seed."""
    H, D, T = cfg.hidden, INPUT_DIM, cfg.T
    if blocks is None:
        blocks = recurrent_blocks(H, cfg.init, cfg.norm, cfg.seed)
    assert (blocks.H, blocks.init, blocks.norm, blocks.seed) == (H, cfg.init, cfg.norm, cfg.seed), \
        "the recurrent blocks were built for other settings"
    rng = np.random.default_rng((cfg.seed, 2))  # stream 2: input weights and readout
    W_x = rng.normal(0.0, 1.0 / math.sqrt(D), size=(8 * H, D))  # rows for 1 + 4 + 3 blocks
    W_hy = rng.normal(0.0, 1.0 / math.sqrt(H), size=(OUTPUTS, H))  # (V, H)
    data = np.random.default_rng((cfg.seed, 3))  # stream 3: the sequence; a longer T extends it
    X = cfg.input_scale * data.normal(size=(T, D))  # (T, D)
    targets = data.integers(0, OUTPUTS, size=T)
    s = cfg.scale
    b_lstm = np.zeros(4 * H)
    b_lstm[H:2 * H] = cfg.gate_bias  # forget gate: f = sigmoid(bias) keeps that share of c per step
    b_gru = np.zeros(3 * H)
    b_gru[:H] = cfg.gate_bias  # update gate: z = sigmoid(bias) keeps that share of h per step
    return Networks(
        cells.VanillaParams(W_x[:H], s * blocks.vanilla[0], np.zeros(H)),
        cells.LSTMParams(W_x[H:5 * H], s * np.vstack(blocks.lstm), b_lstm),
        cells.GRUParams(W_x[5 * H:], s * np.vstack(blocks.gru), b_gru),
        X, W_hy, targets, s * blocks.sigma_vanilla,
    )


def output_gradients(W_hy: np.ndarray, h: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """(T, H) dE_t/dh_t = W_hy^T (softmax(W_hy h_t) - onehot(target_t)) for every step at once."""
    y = h @ W_hy.T  # (T,H)@(H,V) -> (T,V)
    p = np.exp(y - y.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(targets)), targets] -= 1.0
    return p @ W_hy  # (T,V)@(V,H) -> (T,H)


# ---------------------------------------------------------------------------- parameter gradient


def _param_grad_log10(model: str, p, tr, fac, X: np.ndarray, rows: np.ndarray, logs: np.ndarray) -> float:
    """log10 of the norm of the cell's parameter gradient of E_T (its input, recurrent and bias weights), from
    dE_T/ds_k given as unit rows and log-scales; the cell's own chain rule (cells.KINDS) turns them into it."""
    top = np.max(logs)
    if not np.isfinite(top):
        return -math.inf
    wts = np.exp(logs - top)[:, None]  # (T, 1): relative scale of each step, at most 1
    grads = cells.KINDS[model].state_grads_to_params(p, tr, fac, X, rows * wts)
    total = math.sqrt(sum(float(np.sum(a * a)) for _, a in grads.items()))
    return (top / math.log(10.0) + math.log10(total)) if total > 0 else -math.inf


def readout_grad_log10(W_hy: np.ndarray, h_T: np.ndarray, target: int) -> float:
    """log10 ||dE_T/dW_hy|| with dE_T/dW_hy = (p_T - onehot) h_T^T: an outer product, so its norm is the product
    of the two vectors' norms (-inf when the softmax predicts the target exactly or h_T is 0)."""
    y = W_hy @ h_T  # (V,H)@(H,) -> (V,)
    dy = np.exp(y - y.max())
    dy /= dy.sum()
    dy[target] -= 1.0  # p_T - onehot(target)
    a, b = float(np.linalg.norm(dy)), float(np.linalg.norm(h_T))
    return math.log10(a) + math.log10(b) if a > 0 and b > 0 else -math.inf


def log10_norm_of_both(a: float, b: float) -> float:
    """log10 sqrt(10^(2a) + 10^(2b)): the norm of two gradients' concatenation, from their log10 norms, so a
    norm of 1e500 beside one of 1e3 neither overflows nor loses the small one when they are close."""
    hi, lo = max(a, b), min(a, b)
    if hi == -math.inf:
        return -math.inf
    return hi + 0.5 * math.log10(1.0 + 10.0 ** (2.0 * (lo - hi)))


# ------------------------------------------------------------------------------------------- results


@dataclass
class CellCurves:
    """Everything the playground draws for one cell; log10 values so nothing is ever inf or NaN."""

    model: str
    T_run: int  # steps actually run (less than T when the forward state exploded)
    overflow_step: int | None  # the step at which the state passed STATE_CAP, if it did
    distance: np.ndarray  # (T_run,) T - k
    grad_log10: np.ndarray  # (T_run,) log10 ||dE_T/ds_k||
    jac_log10: np.ndarray  # (T_run,) log10 ||ds_T/ds_k||_2 (exact or estimated from below)
    first_lengths: np.ndarray  # (n,) sequence lengths L
    first_log10: np.ndarray  # (n,) log10 ||dE_L/ds_1||
    param_grad_log10: float  # log10 of the norm of the whole parameter gradient of E_T: the cell's and W_hy's
    clip_log10: float  # log10 of the factor norm clipping multiplies every gradient by (<= 0)
    exact_spectral: bool
    cell_grad_log10: float = -math.inf  # the cell's weights and biases alone
    readout_grad_log10: float = -math.inf  # the readout W_hy alone: (p_T - onehot) h_T^T
    rounding_log10: float = -math.inf  # estimated relative rounding error of the run's last state (see below)
    first_saturated: np.ndarray | None = None  # (n,) dE_L/ds_L is exactly 0: the softmax of step L is saturated
    bound_log10: np.ndarray | None = None  # (T_run,) PMB bound, vanilla only
    gamma: float | None = None
    sigma_max: float | None = None
    extra: dict = field(default_factory=dict)

    @property
    def resolved(self) -> bool:
        """False when float64 cannot resolve this run: rounding grows past RESOLVED relative error."""
        return self.rounding_log10 < RESOLVED_LOG10


EPS_LOG10 = math.log10(np.finfo(np.float64).eps)  # -15.65: the relative rounding of one float64 operation
RESOLVED_LOG10 = -2.0  # a run whose last state may carry more than 1 % rounding error is not resolved


def rounding_log10(jac_log10: np.ndarray, state_log10: np.ndarray) -> float:
    """log10 of the relative rounding error the last state may carry, estimated from the run's own Jacobians.

    An error of eps |s_k| made at step k reaches step T as ||ds_T/ds_k|| eps |s_k|: relative to |s_T| that is
    eps 10^(jac[T-k] + log|s_k| - log|s_T|). Where states and their perturbations grow together (a linear
    explosion) this stays near eps; where a bounded state stretches perturbations (chaos: LSTM with ReLU at
    scale 3) it passes 1 within a few hundred steps and the digits of every curve are rounding noise.
    state_log10 is (T_run,) log10 |s_k| in time order, jac_log10 by distance.
    """
    amp = jac_log10 + state_log10[::-1] - state_log10[-1]
    amp = amp[np.isfinite(amp)]
    return float(amp.max()) + EPS_LOG10 if len(amp) else -math.inf


def _state_log10(model: str, tr) -> np.ndarray:
    S = np.hstack([tr.h, tr.c]) if model == "lstm" else tr.h  # (T, S)
    return np.log10(np.maximum(np.linalg.norm(S, axis=1), 1e-300))


def _curves_for(model: str, p, X, W_hy, targets, act: str, clip: float, rng, compiled: bool) -> CellCurves:
    if compiled:
        tr, fac, F = jit.forward_and_factors(model, p, X, act)
    else:
        tr = FAST_FORWARD[model](p, X, act)
        fac = cells.KINDS[model].factors(p, tr)
    T_run = len(tr.h)
    overflow = T_run + 1 if T_run < len(X) else None
    g = output_gradients(W_hy, tr.h, targets[:T_run])  # (T, H)
    if model == "lstm":
        g = np.hstack([g, np.zeros_like(g)])  # E_t reads h_t only, not c_t
    res = jit.backward_sweep(model, p, F, g, rng) if compiled else backward_sweep(make_ops(model, p, fac), g, rng)
    cell = _param_grad_log10(model, p, tr, fac, X[:T_run], res.grad_rows, res.grad_logs)
    readout = readout_grad_log10(W_hy, tr.h[-1], int(targets[T_run - 1]))
    pg = log10_norm_of_both(cell, readout)
    clip_log10 = min(0.0, math.log10(clip) - pg) if math.isfinite(pg) else 0.0
    saturated = np.array([not np.any(g[L - 1]) for L in res.first_lengths])  # (n,): no gradient leaves E_L
    return CellCurves(model, T_run, overflow, np.arange(T_run), res.grad_log10, res.jac_log10,
                      res.first_lengths, res.first_log10, pg, clip_log10, res.exact_spectral,
                      cell_grad_log10=cell, readout_grad_log10=readout,
                      rounding_log10=rounding_log10(res.jac_log10, _state_log10(model, tr)), first_saturated=saturated)


def decay_curves(cfg: DecayConfig, blocks: Blocks | None = None, models: tuple[str, ...] = MODELS,
                 compiled: bool | None = None) -> dict[str, CellCurves]:
    """The curves of each requested cell for one configuration (pass `blocks` to reuse the costly part).

    compiled: None uses the numba loops if they are ready (core.gradients.jit.ready: compiled and working), else
    the NumPy path while they compile in the background; True waits for them (an error if they fail); False
    the NumPy path.
    """
    cfg.validate()
    nets = build_networks(cfg, blocks)
    if compiled:
        ok, reason = jit.status()
        if not ok:
            raise RuntimeError(f"the compiled path was asked for but is not available: {reason}")
    elif compiled is None:
        compiled = jit.ready()

    def one(model: str) -> CellCurves:
        rng = np.random.default_rng((cfg.seed, 4, MODELS.index(model)))  # stream 4: spectral anchors
        p = getattr(nets, model)
        c = _curves_for(model, p, nets.X, nets.W_hy, nets.targets, cfg.activation, cfg.clip, rng, compiled)
        if model == "vanilla":
            c.gamma = ACTIVATIONS[cfg.activation].gamma
            c.sigma_max = nets.sigma_max
            with np.errstate(divide="ignore"):
                c.bound_log10 = c.distance * math.log10(c.gamma * nets.sigma_max)
        return c

    if not (compiled and len(models) > 1 and WORKERS > 1):
        return {m: one(m) for m in models}
    # The compiled loops release the GIL, so the cells run side by side; each has its own arrays and random
    # stream, so the curves are the same as one after the other. The costliest cell goes first.
    with jit.one_blas_thread(), ThreadPoolExecutor(max_workers=min(WORKERS, len(models))) as pool:
        jobs = {m: pool.submit(one, m) for m in sorted(models, key=COST_ORDER.index)}
        return {m: jobs[m].result() for m in models}


__all__ = ["EXACT_DIM", "INPUT_DIM", "LENGTHS", "LIMITS", "MODELS", "LABELS", "OUTPUTS", "STATE_CAP", "WINDOW",
           "Blocks", "CellCurves", "DecayConfig", "Networks", "build_networks", "decay_curves", "lengths_for",
           "output_gradients", "recurrent_blocks"]
