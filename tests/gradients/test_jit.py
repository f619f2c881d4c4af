"""The compiled (numba) path of the decay curves against the NumPy path, the readable cells and the oracle."""
from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
from dataclasses import replace

import numpy as np
import pytest

from core.gradients import cells, decay, forward, jit
from core.gradients.reference import naive_curves
from core.paths import ROOT
from core.rnn.activations import sigmoid

AGREE = 1e-12  # decades: the two paths differ only in rounding (summation order, an ulp in exp and tanh)
STEADY = [  # no forward state explodes: rounding is forgotten from step to step
    dict(T=1000, hidden=128),  # the benchmark's setting
    dict(T=30, hidden=3, activation="tanh", scale=1.2),  # exact spectral norm
    dict(T=200, hidden=16, activation="relu", scale=1.2),
    dict(T=300, hidden=40, activation="sigmoid", scale=2.0, init="orthogonal"),
    dict(T=500, hidden=32, activation="identity", init="identity", scale=3.0, input_scale=0.0),
    dict(T=150, hidden=20, activation="tanh", gate_bias=5.0, clip=0.01),
]
EXPLODING = [  # states pass 1e100 and the runs stop there
    dict(T=1000, hidden=32, activation="identity", init="orthogonal", scale=3.0),
    dict(T=1000, hidden=32, activation="relu", init="identity", scale=3.0),
    dict(T=1000, hidden=1, activation="identity", init="identity", scale=3.0),  # and dE_T/dh_T = 0 exactly
]


def test_the_compiled_path_is_on_where_numba_is_installed():
    ok, why = jit.status()
    assert ok, f"numba is in requirements.txt, yet the decay curves fall back to NumPy: {why}"


def _same(a: np.ndarray, b: np.ndarray, what: str, tol: float = AGREE) -> None:
    assert np.array_equal(np.isfinite(a), np.isfinite(b)), f"{what}: inf or -inf in different places"
    assert np.array_equal(a[~np.isfinite(a)], b[~np.isfinite(b)]), f"{what}: different infinities"
    fin = np.isfinite(a)
    if fin.any():
        diff = float(np.max(np.abs(a[fin] - b[fin])))
        assert diff <= tol, f"{what}: the paths differ by {diff:.1e} decades (allowed {tol:.1e})"


def _rows(c) -> list[tuple[str, np.ndarray]]:
    return [("grad_log10", c.grad_log10), ("jac_log10", c.jac_log10), ("first_log10", c.first_log10),
            ("parameter gradient and clipping", np.array([c.param_grad_log10, c.clip_log10]))]


def _ids(s: dict) -> str:
    return "-".join(f"{k}{v}" for k, v in s.items())


@pytest.mark.parametrize("setting", STEADY, ids=_ids)
def test_compiled_and_numpy_paths_give_the_same_curves(setting):
    cfg = decay.DecayConfig(**setting)
    numpy_, compiled = decay.decay_curves(cfg, compiled=False), decay.decay_curves(cfg, compiled=True)
    for m in decay.MODELS:
        a, b = numpy_[m], compiled[m]
        assert a.overflow_step is None, "a steady setting"
        assert (a.T_run, a.exact_spectral) == (b.T_run, b.exact_spectral), m
        for (name, x), (_, y) in zip(_rows(a), _rows(b), strict=True):
            _same(x, y, f"{m}.{name}")


@pytest.mark.parametrize("setting", EXPLODING, ids=_ids)
def test_where_states_explode_the_paths_agree_as_far_as_float64_resolves(setting):
    """Near 1e100 rounding is no longer forgotten but accumulates over hundreds of steps, whichever path computes
    it: gradients agree to 1e-9 decades. The spectral estimate follows the few directions the product favours;
    where they are (nearly) tied, rounding picks which: each path's estimate is checked against the oracle run
    on the steps that were run (T = T_run puts E_T where the runs stopped)."""
    cfg = decay.DecayConfig(**setting)
    numpy_, compiled = decay.decay_curves(cfg, compiled=False), decay.decay_curves(cfg, compiled=True)
    for m in decay.MODELS:
        a, b = numpy_[m], compiled[m]
        assert (a.T_run, a.overflow_step) == (b.T_run, b.overflow_step), m
        for (name, x), (_, y) in zip(_rows(a)[:3], _rows(b)[:3], strict=True):
            if name != "jac_log10":
                _same(x, y, f"{m}.{name}", 1e-9)
        true = naive_curves(replace(cfg, T=a.T_run), models=(m,))[m].jac_log10
        for c in (a, b):
            assert np.all(c.jac_log10 <= true + 1e-9), f"{m}: the estimate exceeds the true spectral norm"
            assert np.all(c.jac_log10 >= true - math.log10(4)), f"{m}: the estimate is over 4x below the true norm"


def test_where_rounding_decides_the_trajectory_both_paths_flag_the_explosion():
    """ReLU with a non-normal W_hh of radius 3: a one-ulp nudge of the inputs moves the NumPy path itself (which
    units are switched on flips), so there the two paths cannot agree to 1e-12; both flag the exploding state."""
    cfg = decay.DecayConfig(T=1000, hidden=32, activation="relu", scale=3.0, norm="radius", input_scale=5.0)
    n = decay.build_networks(cfg)
    nudged = forward.fast_vanilla_forward(n.vanilla, n.X * (1 + 2.0 ** -52), "relu")
    plain = forward.fast_vanilla_forward(n.vanilla, n.X, "relu")
    assert len(nudged.h) != len(plain.h), "a one-ulp nudge changes when the NumPy path overflows"
    a, b = decay.decay_curves(cfg, compiled=False)["vanilla"], decay.decay_curves(cfg, compiled=True)["vanilla"]
    assert a.overflow_step is not None and b.overflow_step is not None
    assert abs(a.overflow_step - b.overflow_step) <= abs(len(nudged.h) - len(plain.h)) * 3


@pytest.mark.parametrize("setting", STEADY[1:4], ids=_ids)
def test_compiled_curves_agree_with_the_explicit_jacobian_oracle(setting):
    cfg = decay.DecayConfig(**setting)
    fast, slow = decay.decay_curves(cfg, compiled=True), naive_curves(cfg)
    for m in decay.MODELS:
        np.testing.assert_allclose(fast[m].grad_log10, slow[m].grad_log10, rtol=0, atol=1e-9, err_msg=m)
        np.testing.assert_allclose(fast[m].first_log10, slow[m].first_log10, rtol=0, atol=1e-9, err_msg=m)
        assert fast[m].param_grad_log10 == pytest.approx(slow[m].param_grad_log10, abs=1e-9), m
        gap = slow[m].jac_log10 - fast[m].jac_log10
        assert gap.min() > -1e-9, f"{m}: the spectral estimate exceeds the true norm"


@pytest.mark.parametrize("act", ["tanh", "sigmoid", "relu", "identity"])
def test_compiled_forward_passes_equal_the_readable_cells(act):
    cfg = decay.DecayConfig(T=40, hidden=6, activation=act, scale=0.9, input_scale=2.0)
    n = decay.build_networks(cfg)
    for model, slow in (("vanilla", cells.vanilla_forward), ("lstm", cells.lstm_forward), ("gru", cells.gru_forward)):
        p = getattr(n, model)
        fast, ref = jit.forward(model, p, n.X, act), slow(p, n.X, activation=act)
        for name in ("h", "z", "c", "phi_c", "i", "f", "g", "o", "r", "n", "a"):
            if hasattr(ref, name):
                np.testing.assert_allclose(getattr(fast, name), getattr(ref, name), rtol=1e-13, atol=1e-14,
                                           err_msg=f"{model}.{name} ({act})")


FIELDS = {"vanilla": ("fprime",), "lstm": ("alpha", "gamma", "beta", "f"),
          "gru": ("z", "kappa_z", "kappa_n", "r", "kappa_r")}


@pytest.mark.parametrize("setting", [dict(T=40, hidden=6, activation=a, scale=0.9, input_scale=2.0)
                                     for a in ("tanh", "sigmoid", "relu", "identity")]
                         + [dict(T=600, hidden=8, activation="relu", scale=3.0, norm="radius", input_scale=5.0)],
                         ids=lambda s: f"{s['activation']}-T{s['T']}")
@pytest.mark.parametrize("model", decay.MODELS)
def test_compiled_factors_equal_the_cells_factors_of_the_same_trace(model, setting):
    cfg = decay.DecayConfig(**setting)
    n = decay.build_networks(cfg)
    p = getattr(n, model)
    tr, fac, F = jit.forward_and_factors(model, p, n.X, cfg.activation)
    assert F.shape == (len(tr.h), F.shape[1], p.hidden), "one row of factors per step run, no more"
    ref = cells.KINDS[model].factors(p, tr)
    for name in FIELDS[model]:
        np.testing.assert_array_equal(getattr(fac, name), getattr(ref, name), err_msg=f"{model}.{name}")


def test_no_kernel_reads_or_writes_out_of_bounds():
    """Every kernel once more with numba's bounds checks on (a fresh cache: checked code is compiled apart)."""
    code = ("from core.gradients import decay\n"
            "for s in (dict(T=90, hidden=5), dict(T=300, hidden=6, activation='identity', init='orthogonal', scale=3.0,"
            " input_scale=5.0), dict(T=70, hidden=3, activation='sigmoid')):\n"
            "    decay.decay_curves(decay.DecayConfig(**s), compiled=True)\n"
            "print('IN BOUNDS')")
    with tempfile.TemporaryDirectory() as cache:
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600,
                             env={**os.environ, "NUMBA_BOUNDSCHECK": "1", "NUMBA_CACHE_DIR": cache})
    assert out.returncode == 0 and "IN BOUNDS" in out.stdout, out.stderr[-2000:]


@pytest.mark.parametrize("act", ["relu", "identity", "tanh"])
@pytest.mark.parametrize("model", decay.MODELS)
def test_inf_and_nan_inputs_stop_or_spread_as_in_numpy(model, act):
    cfg = decay.DecayConfig(T=50, hidden=4, activation=act)
    n = decay.build_networks(cfg)
    X = n.X.copy()
    X[20, 0], X[30, 1] = np.inf, np.nan
    p = getattr(n, model)
    fast = jit.forward(model, p, X, act)
    with np.errstate(invalid="ignore", over="ignore"):  # NumPy warns where inf - inf makes NaN
        ref = {"vanilla": forward.fast_vanilla_forward, "lstm": forward.fast_lstm_forward,
               "gru": forward.fast_gru_forward}[model](p, X, act)
    assert len(fast.h) == len(ref.h), "the run stops at the same step"
    np.testing.assert_allclose(fast.h, ref.h, rtol=1e-13, atol=1e-14)  # NaN where NumPy has NaN


def test_the_compiled_sigmoid_is_the_stable_sigmoid():
    from core.gradients import kernels

    z = np.r_[np.linspace(-800.0, 800.0, 40001), 0.0, -0.0, -36.0, -37.0, -40.0, -745.0, 709.0]
    got = np.array([kernels.sigmoid(x) for x in z])
    want = sigmoid(z)
    assert np.array_equal(got == 0, want == 0), "exact zeros only where the NumPy sigmoid underflows too"
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)
    assert kernels.sigmoid(-40.0) == pytest.approx(math.exp(-40.0), rel=1e-15)  # not 0, as 1/2 + tanh/2 gives
    assert kernels.sigmoid(np.inf) == 1.0 and kernels.sigmoid(-np.inf) == 0.0 and math.isnan(kernels.sigmoid(np.nan))


def _status_in_a_fresh_process(env: dict, pre: str = "") -> str:
    code = (f"{pre}\nimport logging; logging.basicConfig(level=logging.WARNING)\n"
            "from core.gradients import decay, jit\n"
            "ok, why = jit.status(); c = decay.decay_curves(decay.DecayConfig(T=20, hidden=4))\n"
            "print('STATUS', ok, why, round(float(c['lstm'].grad_log10[5]), 9))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **env}, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout + out.stderr


def test_rnn_tutor_jit_0_selects_the_numpy_path_and_says_why():
    text = _status_in_a_fresh_process({"RNN_TUTOR_JIT": "0"})
    assert "STATUS False RNN_TUTOR_JIT=0" in text
    assert "decay curves use the NumPy path: RNN_TUTOR_JIT=0" in text  # logged once, as a warning
    on = _status_in_a_fresh_process({})
    assert "STATUS True numba" in on

    def value(out: str) -> str:
        return next(line for line in out.splitlines() if line.startswith("STATUS")).split()[-1]
    assert value(text) == value(on), "both paths give the same number"


def test_without_numba_the_numpy_path_is_used_and_the_reason_logged():
    text = _status_in_a_fresh_process({}, pre="import sys; sys.modules['numba'] = None  # as if not installed")
    assert "STATUS False numba is not available (ModuleNotFoundError" in text
    assert "decay curves use the NumPy path: numba is not available" in text


def test_the_first_curves_do_not_wait_for_the_compile_and_later_ones_use_it():
    """decay_curves with compiled=None never blocks on numba: it starts the compile in a background thread and
    uses the NumPy path until it is done; the curves are the same either way."""
    code = ("from core.gradients import decay, jit\n"
            "cfg = decay.DecayConfig(T=30, hidden=4)\n"
            "before = jit.ready(); first = decay.decay_curves(cfg); during = jit.compiling()\n"
            "ok, why = jit.status()  # waits for the background compile\n"
            "again = decay.decay_curves(cfg)\n"
            "same = max(abs(float(a - b)) for m in decay.MODELS\n"
            "           for a, b in zip(first[m].grad_log10, again[m].grad_log10))\n"
            "print('RESULT', before, during, ok, jit.ready(), jit.compiling(), same < 1e-9)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=dict(os.environ), capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT"))
    assert line == "RESULT False True True True False True", line
