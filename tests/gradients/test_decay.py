"""Decay curves: the fast sweeps against the explicit-Jacobian oracle, exact cases, the bound, and overflow."""
from __future__ import annotations

import math

import numpy as np
import pytest

from core.gradients import captions, cells, decay, forward, sweep
from core.gradients import ops as ops_module
from core.gradients.reference import naive_curves
from core.rnn.gradcheck import numerical_gradient

ACTS = ["tanh", "sigmoid", "relu", "identity"]


def _nets(cfg):
    return decay.build_networks(cfg)


@pytest.mark.parametrize("act", ACTS)
def test_fast_forward_passes_equal_the_readable_cells(act):
    cfg = decay.DecayConfig(T=40, hidden=6, activation=act, scale=0.9, input_scale=2.0)
    n = _nets(cfg)
    pairs = [(forward.fast_vanilla_forward(n.vanilla, n.X, act), cells.vanilla_forward(n.vanilla, n.X, activation=act)),
             (forward.fast_lstm_forward(n.lstm, n.X, act), cells.lstm_forward(n.lstm, n.X, activation=act)),
             (forward.fast_gru_forward(n.gru, n.X, act), cells.gru_forward(n.gru, n.X, activation=act))]
    for fast, slow in pairs:
        for name in ("h", "z", "c", "i", "f", "g", "o", "r", "n", "a"):
            if hasattr(slow, name):
                np.testing.assert_allclose(getattr(fast, name), getattr(slow, name), rtol=1e-12, atol=1e-13,
                                           err_msg=f"{type(slow).__name__}.{name} ({act})")


@pytest.mark.parametrize("model", decay.MODELS)
def test_row_form_products_equal_the_explicit_step_jacobians(model):
    cfg = decay.DecayConfig(T=12, hidden=5, activation="tanh", scale=1.3)
    n = _nets(cfg)
    p = getattr(n, model)
    fwd = {"vanilla": forward.fast_vanilla_forward, "lstm": forward.fast_lstm_forward, "gru": forward.fast_gru_forward}
    tr = fwd[model](p, n.X, "tanh")
    fac = {"vanilla": cells.vanilla_factors, "lstm": cells.lstm_factors, "gru": cells.gru_factors}[model](p, tr)
    jac = {"vanilla": cells.vanilla_step_jacobian, "lstm": cells.lstm_step_jacobian,
           "gru": cells.gru_step_jacobian}[model]
    ops = ops_module.OPS[model](p, fac, 4)
    rng = np.random.default_rng(0)
    V = rng.normal(size=(3, ops.S))  # three row vectors
    for t in (1, 7, 12):
        J = jac(p, fac, t)
        sweep._set_rows(ops.bufs[0][:, :3], V)
        ops.back(t, 3, 0)
        np.testing.assert_allclose(sweep._rows(ops.bufs[1][:, :3]), V @ J, rtol=1e-12, atol=1e-14)
        sweep._set_rows(ops.bufs[0][:, :3], V)
        ops.fwd(t, 3, 0)
        np.testing.assert_allclose(sweep._rows(ops.bufs[1][:, :3]), V @ J.T, rtol=1e-12, atol=1e-14)


SETTINGS = [
    dict(T=30, hidden=3, activation="tanh", init="normal", scale=1.2),  # small states: exact spectral norm
    dict(T=60, hidden=4, activation="sigmoid", init="orthogonal", scale=2.5),
    dict(T=90, hidden=16, activation="tanh", init="normal", scale=1.0, norm="singular"),
    dict(T=120, hidden=20, activation="relu", init="orthogonal", scale=1.2, input_scale=0.5),
    dict(T=100, hidden=12, activation="identity", init="normal", scale=0.9, gate_bias=3.0),
]


@pytest.mark.parametrize("compiled", [False, True], ids=["numpy", "compiled"])
@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: f"H{s['hidden']}-{s['activation']}")
def test_fast_curves_agree_with_the_explicit_jacobian_oracle(setting, compiled):
    cfg = decay.DecayConfig(**setting)
    fast, slow = decay.decay_curves(cfg, compiled=compiled), naive_curves(cfg)
    for m in decay.MODELS:
        f, s = fast[m], slow[m]
        assert f.T_run == cfg.T and f.overflow_step is None
        np.testing.assert_allclose(f.grad_log10, s.grad_log10, rtol=0, atol=1e-9, err_msg=f"{m}: ||dE_T/ds_k||")
        np.testing.assert_allclose(f.first_log10, s.first_log10, rtol=0, atol=1e-9, err_msg=f"{m}: first step")
        assert f.param_grad_log10 == pytest.approx(s.param_grad_log10, abs=1e-9), f"{m}: parameter gradient"
        if f.exact_spectral:
            np.testing.assert_allclose(f.jac_log10, s.jac_log10, rtol=0, atol=1e-9, err_msg=f"{m}: spectral norm")
        else:
            # an estimate from below: never above np.linalg.norm(P, 2), and within a factor 1.6 of it here
            gap = s.jac_log10 - f.jac_log10
            assert gap.min() > -1e-9, f"{m}: the estimate exceeds the true spectral norm by {-gap.min():.2e} decades"
            assert gap.max() < math.log10(1.6), f"{m}: the estimate is {10 ** gap.max():.2f}x below the true norm"
        # the loss direction is one of the tracked rows, so the estimate is never below ||dE_T/ds_k|| / ||dE_T/ds_T||
        assert np.all(f.jac_log10 >= f.grad_log10 - f.grad_log10[0] - 1e-9)


@pytest.mark.parametrize("rho", [0.5, 0.9, 1.0, 1.7])
def test_linear_rnn_with_scaled_identity_decays_exactly_as_rho_to_the_distance(rho):
    cfg = decay.DecayConfig(T=200, hidden=24, activation="identity", init="identity", scale=rho)
    c = decay.decay_curves(cfg, models=("vanilla",))["vanilla"]
    d = np.arange(200)
    expected = d * math.log10(rho)  # dh_T/dh_k = (rho I)^(T-k)
    np.testing.assert_allclose(c.jac_log10, expected, rtol=0, atol=1e-10)
    np.testing.assert_allclose(c.grad_log10 - c.grad_log10[0], expected, rtol=0, atol=1e-10)
    np.testing.assert_allclose(c.bound_log10, expected, rtol=0, atol=1e-12)  # gamma = 1, sigma = rho: tight


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("init", decay.INITS)
def test_the_bound_is_never_below_the_computed_curve_for_tanh(seed, init):
    rng = np.random.default_rng(seed)
    cfg = decay.DecayConfig(T=150, hidden=int(rng.integers(2, 9)), activation="tanh", init=init,
                            scale=float(rng.uniform(0.3, 3.0)), input_scale=float(rng.uniform(0, 3)), seed=seed,
                            norm=("radius", "singular")[seed % 2])
    c = decay.decay_curves(cfg, models=("vanilla",))["vanilla"]
    assert c.exact_spectral
    assert np.all(c.bound_log10 >= c.jac_log10 - 1e-9), "the PMB bound fell below ||dh_T/dh_k||"
    slow = naive_curves(cfg, models=("vanilla",))["vanilla"]
    assert np.all(c.bound_log10 >= slow.jac_log10 - 1e-9)


def test_sigmoid_bound_uses_a_quarter():
    cfg = decay.DecayConfig(T=20, hidden=8, activation="sigmoid", init="orthogonal", scale=2.0)
    c = decay.decay_curves(cfg, models=("vanilla",))["vanilla"]
    assert c.gamma == 0.25 and c.sigma_max == pytest.approx(2.0)
    assert c.bound_log10[10] == pytest.approx(10 * math.log10(0.5))
    assert np.all(c.bound_log10 >= c.jac_log10 - 1e-9)


def test_extreme_settings_give_finite_numbers_and_flags():
    cfg = decay.DecayConfig(T=1000, hidden=32, activation="relu", scale=3.0, norm="radius", input_scale=5.0)
    curves = decay.decay_curves(cfg)
    v = curves["vanilla"]
    assert v.overflow_step is not None and v.T_run == v.overflow_step - 1, "the exploding forward pass is flagged"
    for c in curves.values():
        for arr in (c.grad_log10, c.jac_log10, c.first_log10):
            assert not np.any(np.isnan(arr))
            shown, capped = captions.display(arr)
            assert np.all(np.isfinite(shown)) and np.all(shown > 0)
            assert np.array_equal(capped, np.abs(arr) > captions.CAP_LOG10)
        assert math.isfinite(c.clip_log10) and c.clip_log10 <= 0
    assert v.jac_log10.max() > 6, "rho = 3 with ReLU should explode"
    # h_T near 1e100 saturates the softmax: whether it then predicts the target exactly (dE_T/dh_T = 0) depends on
    # the step the run stopped at, which rounding decides here (tests/gradients/test_jit.py)
    assert v.clip_log10 < 0 or v.grad_log10[0] == -math.inf, "an exploding gradient is clipped"


def test_values_beyond_float_range_are_carried_as_logarithms():
    cfg = decay.DecayConfig(T=1000, hidden=16, activation="identity", init="orthogonal", scale=3.0, input_scale=0.0)
    c = decay.decay_curves(cfg, models=("vanilla",))["vanilla"]
    # with no input the state stays 0, so nothing overflows forward, and the Jacobian is 3Q: norm 3^(T-k)
    assert c.T_run == 1000
    assert c.jac_log10[-1] == pytest.approx(999 * math.log10(3.0), abs=1e-9)  # about 1e477
    shown, capped = captions.display(c.jac_log10)
    assert capped[-1] and shown[-1] == 1e300
    assert captions.sci(c.jac_log10[-1]).startswith("10^476.")


def test_clipping_scales_the_gradient_down_to_the_threshold():
    cfg = decay.DecayConfig(T=80, hidden=8, activation="tanh", init="orthogonal", scale=2.5, clip=0.5)
    c = decay.decay_curves(cfg, models=("vanilla",))["vanilla"]
    slow = naive_curves(cfg, models=("vanilla",))["vanilla"]
    assert c.clip_log10 == pytest.approx(min(0.0, math.log10(0.5) - slow.param_grad_log10))
    loose = decay.decay_curves(decay.DecayConfig(**{**cfg.__dict__, "clip": 1e3}), models=("vanilla",))["vanilla"]
    assert loose.clip_log10 == 0.0 or loose.param_grad_log10 > 3


@pytest.mark.parametrize("compiled", [False, True], ids=["numpy", "compiled"])
@pytest.mark.parametrize("model", decay.MODELS)
def test_parameter_gradient_norm_includes_the_readout_and_matches_central_differences(model, compiled):
    """||dE_T/dtheta|| over the cell's weights and biases and W_hy, against central differences of E_T itself."""
    cfg = decay.DecayConfig(T=6, hidden=3, activation="tanh", scale=1.1, input_scale=1.5, seed=2)
    n = decay.build_networks(cfg)
    p = getattr(n, model)
    forward_ = {"vanilla": cells.vanilla_forward, "lstm": cells.lstm_forward, "gru": cells.gru_forward}[model]

    def E_T():
        y = n.W_hy @ forward_(p, n.X, activation="tanh").h[-1]
        return float(np.log(np.sum(np.exp(y - y.max()))) + y.max() - y[n.targets[-1]])  # -log softmax(y)[target]

    squares = {name: float(np.sum(numerical_gradient(E_T, arr) ** 2)) for name, arr in [*p.items(), ("W_hy", n.W_hy)]}
    c = decay.decay_curves(cfg, models=(model,), compiled=compiled)[model]
    assert 10 ** c.param_grad_log10 == pytest.approx(math.sqrt(sum(squares.values())), rel=1e-7)
    assert 10 ** c.readout_grad_log10 == pytest.approx(math.sqrt(squares["W_hy"]), rel=1e-7)
    assert c.readout_grad_log10 < c.param_grad_log10 and c.cell_grad_log10 < c.param_grad_log10


def test_log10_norms_combine_without_overflow():
    assert decay.log10_norm_of_both(500.0, 3.0) == 500.0  # 1e500 and 1e3: the small one is lost in rounding only
    assert decay.log10_norm_of_both(0.0, 0.0) == pytest.approx(math.log10(math.sqrt(2)))
    assert decay.log10_norm_of_both(math.log10(3), math.log10(4)) == pytest.approx(math.log10(5))
    assert decay.log10_norm_of_both(-math.inf, 2.0) == 2.0
    assert decay.log10_norm_of_both(-math.inf, -math.inf) == -math.inf


def test_a_large_forget_bias_lets_the_lstm_carry_the_gradient_further():
    base = dict(T=300, hidden=16, activation="tanh", scale=1.0, seed=1)
    shut = decay.decay_curves(decay.DecayConfig(**base, gate_bias=-2.0), models=("lstm",))["lstm"]
    open_ = decay.decay_curves(decay.DecayConfig(**base, gate_bias=5.0), models=("lstm",))["lstm"]
    assert open_.grad_log10[200] > shut.grad_log10[200] + 10


def test_longer_sequences_extend_the_same_inputs():
    a = decay.build_networks(decay.DecayConfig(T=50))
    b = decay.build_networks(decay.DecayConfig(T=80))
    np.testing.assert_array_equal(a.X, b.X[:50])
    np.testing.assert_array_equal(a.vanilla.W_hh, b.vanilla.W_hh)


def test_scaling_by_radius_or_largest_singular_value():
    for norm in decay.NORMS:
        blocks = decay.recurrent_blocks(20, "normal", norm, 3)
        for W in blocks.vanilla + blocks.lstm + blocks.gru:
            value = np.max(np.abs(np.linalg.eigvals(W))) if norm == "radius" else np.linalg.norm(W, 2)
            assert value == pytest.approx(1.0)


@pytest.mark.parametrize("bad, message", [(dict(T=0), "T must be between 1 and 1000"),
                                          (dict(hidden=300), "hidden must be between 1 and 256"),
                                          (dict(scale=3.5), "scale must be between 0.1 and 3"),
                                          (dict(init="zeros"), "init must be one of"),
                                          (dict(activation="gelu"), "activation must be one of")])
def test_out_of_range_settings_are_refused_with_the_range(bad, message):
    with pytest.raises(ValueError, match=message):
        decay.decay_curves(decay.DecayConfig(**bad))


def test_caption_reads_the_numbers_off_the_curves():
    cfg = decay.DecayConfig()
    c = decay.decay_curves(cfg)
    lines = captions.describe(c, cfg)
    v = c["vanilla"]
    assert (f"goes from {captions.sci(v.grad_log10[0])} at the last step to {captions.sci(v.grad_log10[50])} at 50 "
            "steps back, inside the vanishing band (below 1e-6)") in lines[0]
    lstm = c["lstm"].grad_log10
    assert f"the LSTM's from {captions.sci(lstm[0])} at the last step to {captions.sci(lstm[50])}" in lines[2]
    assert captions.sci(v.bound_log10[50]) in lines[1] and captions.sci(v.jac_log10[50]) in lines[1]


def test_caption_of_a_saturated_softmax_says_nothing_flows_back_instead_of_nan():
    cfg = decay.DecayConfig(T=1000, hidden=1, activation="identity", init="identity", scale=3.0)
    c = decay.decay_curves(cfg)
    assert c["vanilla"].grad_log10[0] == -math.inf  # p = onehot(target) exactly: dE_T/dh_T = 0
    text = " ".join(captions.describe(c, cfg))
    assert "nan" not in text.lower() and "sends back nothing" in text
    assert "equals the actual" in text  # a linear 1x1 network reaches the bound exactly


@pytest.mark.parametrize("activation,words", [("tanh", "activation's derivatives"), ("identity", "spectral radius"),
                                              ("relu", "switches some units off")])
def test_caption_explains_the_gap_to_the_bound_by_the_activation(activation, words):
    cfg = decay.DecayConfig(T=100, hidden=32, activation=activation, scale=3.0 if activation != "tanh" else 0.8)
    text = " ".join(captions.describe(decay.decay_curves(cfg), cfg))
    assert words in text
    if activation != "tanh":
        assert "activation's derivatives" not in text
