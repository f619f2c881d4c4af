"""Vocabulary order, encoding and one-hot vectors."""
import numpy as np
import pytest

from core.rnn.vocab import Vocab, one_hot, split_inputs_targets


def test_hello_vocabulary_is_in_order_of_first_appearance():
    v = Vocab.from_text("hello")
    assert v.chars == ("h", "e", "l", "o")
    assert v.size == 4
    assert v.encode("hell").tolist() == [0, 1, 2, 2]
    assert v.decode([1, 2, 2, 3]) == "ello"


def test_one_hot_is_a_column_of_the_identity():
    v = Vocab.from_text("hello")
    for i, ch in enumerate(v.chars):
        x = v.one_hot(ch)
        assert x.dtype == np.float64 and x.shape == (4,)
        np.testing.assert_array_equal(x, np.eye(4)[:, i])
    assert one_hot(2, 5).sum() == 1.0


def test_unknown_character_names_the_character():
    with pytest.raises(KeyError, match="'z'"):
        Vocab.from_text("hello").index("z")


def test_inputs_and_targets_are_shifted_by_one():
    assert split_inputs_targets("hello") == ("hell", "ello")
    with pytest.raises(ValueError, match="two characters"):
        split_inputs_targets("h")
