"""core.rnn.train.train_recording: the history the training screen tabulates."""
import numpy as np
import pytest

from core.rnn.train import TrainConfig, new_state, next_char_probs, train, train_recording


def test_records_one_distribution_per_iteration_and_trains_like_train():
    a = new_state("hello", TrainConfig(hidden=8, seed=3))
    b = new_state("hello", TrainConfig(hidden=8, seed=3))
    history = train_recording(a, 12, "hell")
    train(b, 12)
    assert [it for it, _ in history] == list(range(1, 13))
    for (_, p), _ in zip(history, range(12), strict=True):
        assert p.shape == (4,) and p.sum() == pytest.approx(1.0)
    np.testing.assert_array_equal(a.params.W_hh, b.params.W_hh)  # recording does not change the training
    np.testing.assert_allclose(history[-1][1], next_char_probs(a.params, a.vocab, "hell"))


def test_a_context_outside_the_vocabulary_fails_before_training():
    s = new_state("hello", TrainConfig(hidden=4))
    with pytest.raises(KeyError, match="'x' is not in the vocabulary"):
        train_recording(s, 5, "hex")
    assert s.iteration == 0
