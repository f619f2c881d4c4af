"""Training, clipping and sampling."""
import numpy as np
import pytest

from core.rnn.gradcheck import check_rnn_gradients
from core.rnn.model import Grads
from core.rnn.train import (
    MAX_DISTINCT,
    MAX_TEXT,
    TrainConfig,
    clip_gradients,
    new_state,
    next_char_probs,
    sample,
    train,
    train_step,
    validate_text,
)


def p_o_given_hell(state):
    return next_char_probs(state.params, state.vocab, "hell")[state.vocab.index("o")]


@pytest.mark.parametrize("optimizer,lr", [("adagrad", 0.1), ("sgd", 0.5)])
def test_training_on_hello_makes_o_follow_hell(optimizer, lr):
    state = new_state("hello", TrainConfig(hidden=8, optimizer=optimizer, learning_rate=lr, seed=1))
    before = p_o_given_hell(state)
    train(state, 300)
    assert before < 0.5
    assert p_o_given_hell(state) > 0.9
    assert state.losses[-1] < state.losses[0] / 5


def test_training_walks_a_longer_text_in_chunks_and_loss_falls():
    text = "the cat sat on the mat. " * 8
    state = new_state(text, TrainConfig(hidden=24, seq_length=10, seed=0))
    train(state, 200)
    assert state.iteration == 200
    assert np.mean(state.losses[-20:]) < np.mean(state.losses[:20]) * 0.7
    for _, p in state.params.items():
        assert np.all(np.isfinite(p))


@pytest.mark.parametrize("text,fragment", [("", "empty"), ("a", "two characters"), ("aaaa", "one distinct"),
                                           ("x" * (MAX_TEXT + 1), f"{MAX_TEXT:,}"),
                                           ("".join(map(chr, range(0x4E00, 0x4E00 + MAX_DISTINCT + 1))),
                                            f"{MAX_DISTINCT + 1} different characters; the limit is {MAX_DISTINCT}")])
def test_bad_training_text_gets_a_clear_message(text, fragment):
    assert fragment in validate_text(text)
    with pytest.raises(ValueError, match=fragment):
        new_state(text, TrainConfig())


def test_norm_clipping_rescales_and_keeps_the_direction():
    rng = np.random.default_rng(0)
    g = Grads(*(rng.normal(0, 10, s) for s in [(3, 4), (3, 3), (4, 3), (3,), (4,)]))
    flat_before = np.concatenate([a.ravel() for _, a in g.items()])
    g, norm = clip_gradients(g, "norm", 1.0)
    flat_after = np.concatenate([a.ravel() for _, a in g.items()])
    assert norm == pytest.approx(np.linalg.norm(flat_before))
    assert np.linalg.norm(flat_after) == pytest.approx(1.0)
    np.testing.assert_allclose(flat_after * norm, flat_before)


def test_elementwise_clipping_bounds_every_entry():
    g = Grads(np.array([[10.0, -10.0]]), np.array([[0.5]]), np.array([[3.0], [-7.0]]), np.array([1.0]),
              np.array([2.0, -2.0]))
    g, _ = clip_gradients(g, "elementwise", 2.5)
    assert max(np.max(np.abs(a)) for _, a in g.items()) == 2.5
    assert g.W_hh[0, 0] == 0.5


def test_unknown_clipping_mode_is_refused():
    g = Grads(*(np.zeros(s) for s in [(1, 2), (1, 1), (2, 1), (1,), (2,)]))
    with pytest.raises(ValueError, match="norm"):
        clip_gradients(g, "median", 1.0)


def test_sampling_is_reproducible_and_temperature_zero_is_argmax():
    state = new_state("hello", TrainConfig(hidden=8, seed=3))
    train(state, 300)
    a = sample(state.params, state.vocab, "h", 20, np.random.default_rng(7), 1.0)
    b = sample(state.params, state.vocab, "h", 20, np.random.default_rng(7), 1.0)
    assert a == b and len(a) == 20 and set(a) <= set("helo")
    greedy = sample(state.params, state.vocab, "hell", 1, np.random.default_rng(0), 0.0)
    assert greedy == "o"
    with pytest.raises(ValueError):
        sample(state.params, state.vocab, "h", 5, np.random.default_rng(0), -1.0)


def test_train_step_wraps_around_and_resets_the_memory():
    state = new_state("hello", TrainConfig(hidden=4, seq_length=3))
    train_step(state)
    assert state.pointer == 3 and np.any(state.h_prev != 0)
    train_step(state)  # only one input left ("l" -> "o")
    assert state.pointer == 4
    train_step(state)
    assert state.pointer == 3  # started again from the beginning


def test_gradient_check_of_a_trained_model_is_tiny():
    state = new_state("hello", TrainConfig(hidden=5, seed=2))
    train(state, 20)
    v = state.vocab
    for c in check_rnn_gradients(state.params, v.encode("hell"), v.encode("ello")):
        assert c.relative_error < 1e-7, c
