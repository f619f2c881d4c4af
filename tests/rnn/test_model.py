"""The vectorised forward pass and BPTT against independent references: finite differences and the naive loop."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.rnn.activations import ACTIVATIONS, get_activation, sigmoid
from core.rnn.gradcheck import check_rnn_gradients, numerical_gradient, relative_error
from core.rnn.model import backward, chain_terms, forward, hidden_jacobians, loss_and_grads, softmax
from core.rnn.network import trace_text
from core.rnn.params import Params, init_params
from core.rnn.reference import loss_fun


def random_problem(seed, V, H, T, activation="tanh", hand=False):
    rng = np.random.default_rng(seed)
    params = init_params(V, H, rng, hand_friendly=hand)
    if not hand:  # non-zero biases so every gradient is exercised
        params.b_h[:] = rng.normal(0, 0.5, H)
        params.b_y[:] = rng.normal(0, 0.5, V)
    inputs = rng.integers(0, V, T)
    targets = rng.integers(0, V, T)
    h0 = rng.normal(0, 0.5, H)
    return params, inputs, targets, h0


def test_shapes_of_the_trace_and_the_gradients():
    params, inputs, targets, h0 = random_problem(0, V=5, H=3, T=7)
    tr = forward(params, inputs, targets, h0)
    for name in ("W_xh_x", "W_hh_h_prev", "z", "h"):
        assert getattr(tr, name).shape == (7, 3), name
    for name in ("x", "y", "p"):
        assert getattr(tr, name).shape == (7, 5), name
    assert tr.loss_t.shape == (7,)
    bt = backward(params, tr)
    assert bt.dW_hh_t.shape == (7, 3, 3) and bt.dW_xh_t.shape == (7, 3, 5) and bt.dW_hy_t.shape == (7, 5, 3)
    for name, g in bt.grads.items():
        assert g.shape == getattr(params, name).shape, name
        assert g.dtype == np.float64


def test_forward_follows_the_equations_step_by_step():
    _, params, tr = trace_text("hello", 3, 0)
    h_prev = np.zeros(3)
    for t, i in enumerate([0, 1, 2, 2]):  # h e l l
        x = np.eye(4)[:, i]
        np.testing.assert_allclose(tr.W_xh_x[t], params.W_xh @ x)
        z = params.W_xh @ x + params.W_hh @ h_prev + params.b_h
        np.testing.assert_allclose(tr.z[t], z)
        h_prev = np.tanh(z)
        np.testing.assert_allclose(tr.h[t], h_prev)
    np.testing.assert_array_equal(tr.W_hh_h_prev[0], np.zeros(3))  # h_0 = 0


@pytest.mark.parametrize("logits", [[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -999.0], [0.0, 0.0, 0.0]])
def test_softmax_sums_to_one_and_stays_finite(logits):
    p = softmax(np.array(logits))
    assert np.all(np.isfinite(p))
    assert p.sum() == pytest.approx(1.0, abs=1e-15)
    assert np.argmax(p) == np.argmax(logits)


def test_loss_is_finite_when_a_probability_underflows():
    params = Params(np.zeros((1, 2)), np.zeros((1, 1)), np.zeros((2, 1)), np.zeros(1), np.array([800.0, -800.0]))
    tr = forward(params, [0], [1])
    assert np.isfinite(tr.loss) and tr.loss == pytest.approx(1600.0)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), V=st.integers(2, 6), H=st.integers(1, 5), T=st.integers(1, 7),
       activation=st.sampled_from(["tanh", "sigmoid", "identity"]))
def test_gradients_match_central_differences(seed, V, H, T, activation):
    params, inputs, targets, h0 = random_problem(seed, V, H, T)
    loss = forward(params, inputs, targets, h0, activation).loss
    # Central differences with eps = 1e-6 cannot resolve differences below rounding, about 2e-16 * loss / 1e-6:
    # a gradient far smaller than the loss is checked against that floor (with a factor 50 of margin).
    floor = 1e-8 * max(1.0, loss)
    for check in check_rnn_gradients(params, inputs, targets, h0, activation):
        assert check.relative_error < 1e-7 or check.max_abs_diff < floor, \
            f"{check.name}: relative error {check.relative_error:.2e}, max |difference| {check.max_abs_diff:.1e}"


def test_relu_gradients_match_central_differences_away_from_the_kink():
    params, inputs, targets, h0 = random_problem(3, V=4, H=4, T=5)
    z = forward(params, inputs, targets, h0, "relu").z
    assert np.min(np.abs(z)) > 1e-4  # finite differences are only valid away from z = 0
    for check in check_rnn_gradients(params, inputs, targets, h0, "relu"):
        assert check.relative_error < 1e-7, check


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), V=st.integers(2, 8), H=st.integers(1, 8), T=st.integers(1, 12),
       activation=st.sampled_from(sorted(ACTIVATIONS)), truncation=st.one_of(st.none(), st.integers(1, 14)))
def test_fast_path_equals_the_naive_loop(seed, V, H, T, activation, truncation):
    params, inputs, targets, h0 = random_problem(seed, V, H, T)
    loss, grads, h_last = loss_and_grads(params, inputs, targets, h0, activation, truncation)
    ref = loss_fun(params.W_xh, params.W_hh, params.W_hy, params.b_h[:, None], params.b_y[:, None],
                   list(inputs), list(targets), h0[:, None], activation, truncation)
    if np.isfinite(ref[0]):
        assert loss == pytest.approx(ref[0], rel=1e-12, abs=1e-12)
    else:  # the naive loop takes log(p) of a probability that underflowed to 0; the fast path uses log-softmax
        assert np.isfinite(loss) and loss > 700, loss
    for (name, g), r in zip(grads.items(), ref[1:6], strict=True):
        np.testing.assert_allclose(g, r.reshape(g.shape), rtol=0, atol=1e-12, err_msg=name)
    np.testing.assert_allclose(h_last, ref[6][:, 0], rtol=0, atol=1e-12)
    full = backward(params, forward(params, inputs, targets, h0, activation), truncation).grads
    for (name, a), (_, b) in zip(full.items(), grads.items(), strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("k", [7, 8, 50])
def test_truncated_bptt_equals_full_bptt_when_k_covers_the_sequence(k):
    params, inputs, targets, h0 = random_problem(1, V=4, H=3, T=7)
    tr = forward(params, inputs, targets, h0)
    full, trunc = backward(params, tr).grads, backward(params, tr, truncation=k).grads
    for (name, a), (_, b) in zip(full.items(), trunc.items(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-14, err_msg=name)


def test_truncation_of_one_step_keeps_only_the_immediate_term():
    params, inputs, targets, h0 = random_problem(2, V=4, H=3, T=6)
    tr = forward(params, inputs, targets, h0)
    bt = backward(params, tr, truncation=1)
    expected = (1 - tr.h**2) * (bt.dy @ params.W_hy)  # no recurrent part at all
    np.testing.assert_allclose(bt.dh_raw, expected, atol=1e-14)
    assert not np.allclose(bt.grads.W_hh, backward(params, tr).grads.W_hh)


def test_backward_trace_factors_are_consistent():
    params, inputs, targets, h0 = random_problem(4, V=5, H=4, T=6)
    tr = forward(params, inputs, targets, h0)
    bt = backward(params, tr)
    np.testing.assert_allclose(bt.dy.sum(axis=1), 0, atol=1e-14)  # p - onehot sums to 0
    np.testing.assert_allclose(bt.dh_rec[-1], 0)  # nothing arrives after the last step
    np.testing.assert_allclose(bt.dh_rec[:-1], bt.dh_next[1:], atol=1e-14)  # dh_next flows to step t-1
    np.testing.assert_allclose(bt.dW_hh_t.sum(axis=0), bt.grads.W_hh, atol=1e-13)
    np.testing.assert_allclose(bt.dW_xh_t.sum(axis=0), bt.grads.W_xh, atol=1e-13)
    np.testing.assert_allclose(bt.dW_hy_t.sum(axis=0), bt.grads.W_hy, atol=1e-13)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "identity"])
def test_jacobian_product_matches_a_finite_difference_jacobian(activation):
    params, inputs, _, h0 = random_problem(5, V=4, H=3, T=6)
    tr = forward(params, inputs, activation=activation, h0=h0)
    T = 5
    J = hidden_jacobians(params, tr, T)
    np.testing.assert_array_equal(J[T], np.eye(3))
    for k in range(0, T):
        # perturb h_k, rerun the steps k+1..T, read off h_T
        def h_T_from(hk, k=k):
            return forward(params, inputs[k:T], activation=activation, h0=hk).h[-1]
        hk = (h0 if k == 0 else tr.h[k - 1]).copy()
        num = numerical_gradient(lambda hk=hk, h_T_from=h_T_from: h_T_from(hk), hk)  # (H, H): dh_T/dh_k
        assert relative_error(J[k], num) < 1e-6, (k, relative_error(J[k], num))


def test_chain_terms_sum_to_the_gradient_of_one_loss():
    params, inputs, targets, h0 = random_problem(6, V=4, H=3, T=5)
    tr = forward(params, inputs, targets, h0)
    T = 3
    ct = chain_terms(params, tr, T)

    def E_T():
        return float(forward(params, inputs, targets, h0).loss_t[T - 1])
    for name, got in (("W_hh", ct.dE_dW_hh), ("W_xh", ct.dE_dW_xh), ("W_hy", ct.dE_dW_hy)):
        num = numerical_gradient(E_T, getattr(params, name))
        assert relative_error(got, num) < 1e-7, name
    assert ct.share.sum() == pytest.approx(1.0)


def test_hello_chain_has_no_recurrent_term_at_k_equal_one():
    _, params, tr = trace_text("hello", 3, 0)
    ct = chain_terms(params, tr, 3)
    np.testing.assert_array_equal(ct.terms_W_hh[0], 0)  # dh_1/dW_hh holds h_0 = 0
    assert ct.share[0] == 0 and ct.share[1:].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_derivatives_match_central_differences(name):
    act = get_activation(name)
    z = np.array([-3.0, -0.7, 0.3, 1.1, 4.0])
    num = (act.f(z + 1e-6) - act.f(z - 1e-6)) / 2e-6
    np.testing.assert_allclose(act.df(z, act.f(z)), num, atol=1e-8)
    grid = np.linspace(-10, 10, 2001)  # contains z = 0, where tanh' and sigmoid' peak
    assert np.max(np.abs(act.df(grid, act.f(grid)))) == pytest.approx(act.gamma, abs=1e-12)  # gamma = sup |f'|


def test_sigmoid_does_not_overflow():
    s = get_activation("sigmoid").f(np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_allclose(s, [0.0, 0.5, 1.0])


def test_sigmoid_keeps_its_relative_precision_far_in_the_negative_tail():
    z = np.array([-40.0, -37.5, -100.0, -700.0])
    exact = np.exp(z) / (1 + np.exp(z))  # no overflow for negative z; e^z / (1 + e^z) is exact to rounding here
    np.testing.assert_allclose(sigmoid(z), exact, rtol=1e-14)
    assert sigmoid(np.array(-40.0)) == pytest.approx(4.248354255291589e-18, rel=1e-14)
    out = np.empty(4)
    assert sigmoid(z, out=out) is out and np.array_equal(out, sigmoid(z))  # the in-place form agrees


def test_unknown_activation_lists_the_choices():
    with pytest.raises(ValueError, match="tanh"):
        get_activation("softsign")
