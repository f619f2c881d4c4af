"""LSTM, GRU and dense vanilla cells: backward passes and step Jacobians against central differences."""
from __future__ import annotations

import numpy as np
import pytest

from core.gradients import cells
from core.rnn.gradcheck import numerical_gradient, relative_error
from core.rnn.model import forward as rnn_forward
from core.rnn.model import hidden_jacobians
from core.rnn.params import init_params

T, H, D = 5, 3, 2


def make(cell: str, rng, scale=0.8):
    """Random parameters of one cell, with non-zero biases so every gate sits away from 1/2."""
    rows = {"vanilla": 1, "lstm": 4, "gru": 3}[cell] * H
    W_x, W_h, b = rng.normal(0, scale, (rows, D)), rng.normal(0, scale, (rows, H)), rng.normal(0, 0.5, rows)
    if cell == "vanilla":
        return cells.VanillaParams(W_x, W_h, b)
    return {"lstm": cells.LSTMParams, "gru": cells.GRUParams}[cell](W_x, W_h, b)


def run(cell, p, X, h0, c0, act):
    if cell == "vanilla":
        return cells.vanilla_forward(p, X, h0, act)
    if cell == "lstm":
        return cells.lstm_forward(p, X, h0, c0, act)
    return cells.gru_forward(p, X, h0, act)


def state(cell, tr, t):
    """s_t as one vector: h_t, or (h_t, c_t) for the LSTM."""
    return np.concatenate([tr.h[t - 1], tr.c[t - 1]]) if cell == "lstm" else tr.h[t - 1]


@pytest.mark.parametrize("act", ["tanh", "sigmoid", "identity"])
@pytest.mark.parametrize("cell", ["vanilla", "lstm", "gru"])
def test_backward_matches_central_differences(cell, act):
    rng = np.random.default_rng(hash((cell, act)) % 2**32)
    p = make(cell, rng)
    X = rng.normal(size=(T, D))  # (T, D)
    h0, c0 = rng.normal(0, 0.5, H), rng.normal(0, 0.5, H)
    G, Gc = rng.normal(size=(T, H)), rng.normal(size=H)  # the loss L = sum_t G_t . h_t (+ Gc . c_T)

    def loss():
        tr = run(cell, p, X, h0, c0, act)
        return float(np.sum(G * tr.h) + (Gc @ tr.c[-1] if cell == "lstm" else 0.0))

    tr = run(cell, p, X, h0, c0, act)
    if cell == "vanilla":
        grads, dh0 = cells.vanilla_backward(p, tr, X, G)
        extra = [("h0", h0, dh0)]
    elif cell == "lstm":
        grads, dh0, dc0 = cells.lstm_backward(p, tr, X, G, Gc)
        extra = [("h0", h0, dh0), ("c0", c0, dc0)]
    else:
        grads, dh0 = cells.gru_backward(p, tr, X, G)
        extra = [("h0", h0, dh0)]
    for (name, arr), (_, g) in zip(p.items(), grads.items(), strict=True):
        num = numerical_gradient(loss, arr, 1e-6)
        err = relative_error(g, num)
        assert err < 1e-7, f"{cell}/{act}: d loss/d {name} relative error {err:.2e}"
    for name, arr, g in extra:
        err = relative_error(g, numerical_gradient(loss, arr, 1e-6))
        assert err < 1e-7, f"{cell}/{act}: d loss/d {name} relative error {err:.2e}"


@pytest.mark.parametrize("act", ["tanh", "sigmoid", "relu"])
@pytest.mark.parametrize("cell", ["vanilla", "lstm", "gru"])
def test_step_jacobians_and_their_product_match_central_differences(cell, act):
    rng = np.random.default_rng(hash((cell, act, "jac")) % 2**32)
    p = make(cell, rng)
    X = rng.normal(size=(T, D))
    s0 = rng.normal(0, 0.5, 2 * H if cell == "lstm" else H)

    def final_state(s):
        tr = run(cell, p, X, s[:H], s[H:] if cell == "lstm" else None, act)
        return state(cell, tr, T)

    tr = run(cell, p, X, s0[:H], s0[H:] if cell == "lstm" else None, act)
    factors = {"vanilla": cells.vanilla_factors, "lstm": cells.lstm_factors, "gru": cells.gru_factors}[cell](p, tr)
    jac = {"vanilla": cells.vanilla_step_jacobian, "lstm": cells.lstm_step_jacobian,
           "gru": cells.gru_step_jacobian}[cell]
    S = len(s0)
    product = np.eye(S)
    for t in range(1, T + 1):
        J = jac(p, factors, t)
        assert J.shape == (S, S)
        # the step's own Jacobian by differences: restart from s_{t-1} and run one step
        s_prev = s0 if t == 1 else state(cell, tr, t - 1)
        Xt = X[t - 1:t]

        def one_step(s, Xt=Xt):
            tr1 = run(cell, p, Xt, s[:H], s[H:] if cell == "lstm" else None, act)
            return state(cell, tr1, 1)

        s_in = s_prev.copy()
        num = numerical_gradient(lambda s_in=s_in, one_step=one_step: one_step(s_in), s_in)
        assert relative_error(J, num) < 1e-7, f"{cell}/{act}: step {t} Jacobian differs from differences"
        product = J @ product  # ds_t/ds_0 = J_t ... J_1
    s_in = s0.copy()
    num = numerical_gradient(lambda: final_state(s_in), s_in)
    # the product can be small (sigmoid: factors <= 1/4), so compare entries with an absolute floor for the
    # differences' own rounding error (about 1e-16 / 1e-6)
    np.testing.assert_allclose(product, num, rtol=1e-6, atol=1e-9, err_msg=f"{cell}/{act}: ds_T/ds_0")


@pytest.mark.parametrize("cell", ["vanilla", "lstm", "gru"])
def test_a_block_of_vectors_goes_back_like_each_vector_alone(cell):
    rng = np.random.default_rng(3)
    p = make(cell, rng)
    X = rng.normal(size=(T, D))
    tr = run(cell, p, X, None, None, "tanh")
    B = rng.normal(size=(H, 4))  # four columns
    if cell == "vanilla":
        fac = cells.vanilla_factors(p, tr)
        block = cells.vanilla_step_back(p, fac, 3, B)[1]
        alone = np.stack([cells.vanilla_step_back(p, fac, 3, B[:, j])[1] for j in range(4)], axis=1)
    elif cell == "lstm":
        fac = cells.lstm_factors(p, tr)
        C = rng.normal(size=(H, 4))
        block = np.vstack(cells.lstm_step_back(p, fac, 3, B, C)[1:])
        alone = np.stack([np.concatenate(cells.lstm_step_back(p, fac, 3, B[:, j], C[:, j])[1:]) for j in range(4)],
                         axis=1)
    else:
        fac = cells.gru_factors(p, tr)
        block = cells.gru_step_back(p, fac, 3, B)[1]
        alone = np.stack([cells.gru_step_back(p, fac, 3, B[:, j])[1] for j in range(4)], axis=1)
    np.testing.assert_allclose(block, alone, rtol=1e-13, atol=1e-15)


def test_dense_vanilla_cell_is_the_char_rnn_on_one_hot_inputs():
    rng = np.random.default_rng(0)
    params = init_params(4, 3, rng, hand_friendly=True)
    inputs = np.array([0, 1, 2, 2])  # h e l l
    trace = rnn_forward(params, inputs)
    X = np.eye(4)[inputs]  # (T, V) one-hot rows
    p = cells.VanillaParams(params.W_xh, params.W_hh, params.b_h)
    tr = cells.vanilla_forward(p, X)
    np.testing.assert_allclose(tr.h, trace.h, rtol=0, atol=1e-15)
    fac = cells.vanilla_factors(p, tr)
    J = np.eye(3)
    for t in range(4, 0, -1):  # dh_4/dh_k for k = 3, 2, 1, 0
        J = J @ cells.vanilla_step_jacobian(p, fac, t)
        np.testing.assert_allclose(J, hidden_jacobians(params, trace, 4)[t - 1], rtol=1e-12, atol=1e-15)


def test_open_gates_keep_the_memory_exactly():
    """A GRU whose update gate is shut (z = 1) and an LSTM with f = 1, i = 0 carry their state unchanged."""
    rng = np.random.default_rng(1)
    g = make("gru", rng)
    g.b[:H] = 1e3  # z = sigmoid(1000) = 1
    h0 = rng.normal(size=H)
    tr = cells.gru_forward(g, rng.normal(size=(T, D)), h0)
    np.testing.assert_allclose(tr.h[-1], h0, atol=1e-12)
    np.testing.assert_allclose(cells.gru_step_jacobian(g, cells.gru_factors(g, tr), T), np.eye(H), atol=1e-12)
    m = make("lstm", rng)
    m.b[:H], m.b[H:2 * H] = -1e3, 1e3  # input gate shut, forget gate open
    c0 = rng.normal(size=H)
    tr = cells.lstm_forward(m, rng.normal(size=(T, D)), None, c0)
    np.testing.assert_allclose(tr.c[-1], c0, atol=1e-12)
    J = cells.lstm_step_jacobian(m, cells.lstm_factors(m, tr), T)
    np.testing.assert_allclose(J[H:, H:], np.eye(H), atol=1e-12)  # dc_t/dc_{t-1} = diag(f) = I


def test_shapes_are_checked_with_a_message():
    with pytest.raises(AssertionError, match="needs \\(4H, H\\)"):
        cells.LSTMParams(np.zeros((6, 2)), np.zeros((6, 2)), np.zeros(6))
    with pytest.raises(ValueError, match="non-empty"):
        cells.gru_forward(make("gru", np.random.default_rng(0)), np.zeros((0, D)))
