"""What the train-and-sample screen computes about the learner's own text: the default context, the characters
the table shows, and what the text says should follow a context."""
import numpy as np

from core.rnn import playground as pg
from core.rnn.vocab import Vocab


def probs_for(vocab: Vocab, **p: float) -> np.ndarray:
    """A probability vector with the given values and the rest shared equally."""
    out = np.zeros(vocab.size)
    for ch, v in p.items():
        out[vocab.index(ch)] = v
    left = [i for i, ch in enumerate(vocab.chars) if ch not in p]
    out[left] = (1 - sum(p.values())) / len(left)
    return out


def test_the_default_context_is_the_texts_opening():
    assert pg.default_context("hello") == "hell"
    assert pg.default_context("to be or not") == "to b"
    assert pg.default_context("abb") == "ab" and pg.default_context("ab") == "a"
    assert pg.default_context("the hell") == "the ", "no longer 'hell' just because the letters occur"


def test_the_character_the_text_has_next_is_that_of_its_opening():
    assert pg.expected_next("hello", "hell") == "o"
    assert pg.expected_next("hello", "el") is None  # elsewhere in the text, not at its start
    assert pg.expected_next("hello", "hello") is None and pg.expected_next("hello", "") is None


def test_followers_count_every_occurrence_overlapping_ones_too():
    assert pg.followers("to be or not to be", "to") == {" ": 2}
    assert pg.followers("aaab", "aa") == {"a": 1, "b": 1}
    assert pg.followers("hello", "lo") == {} and pg.followers("hello", "") == {}


def test_top_characters_are_the_most_likely_first_plus_the_one_the_text_has_next():
    vocab = Vocab.from_text("abcdefgh")
    p = probs_for(vocab, h=0.3, g=0.2, f=0.15, e=0.1, d=0.09)
    assert pg.top_characters(p, vocab) == [vocab.index(c) for c in "hgfed"]
    assert pg.top_characters(p, vocab, keep="a")[-1] == vocab.index("a") and len(pg.top_characters(p, vocab, "a")) == 6
    assert pg.top_characters(p, vocab, keep="h") == pg.top_characters(p, vocab)
    small = Vocab.from_text("helo")
    assert sorted(pg.top_characters(probs_for(small, o=0.7), small)) == [0, 1, 2, 3]


def test_the_verdict_speaks_of_the_learners_own_text():
    vocab = Vocab.from_text("to be or not to be")
    learnt, words = pg.context_verdict("to be or not to be", "to b", probs_for(vocab, e=0.95), vocab)
    assert learnt and words.startswith("p('e' | 'to b') = 0.950") and "your text goes on with 'e'" in words
    learnt, words = pg.context_verdict("to be or not to be", "to b", probs_for(vocab, e=0.2), vocab)
    assert not learnt and "begins with 'to b' followed by 'e'" in words and "above 0.9" in words
    learnt, words = pg.context_verdict("to be or not to be", "o", probs_for(vocab, e=0.2), vocab)
    assert not learnt and "'o' is followed by ' ' (2×), 'r' (1×), 't' (1×)" in words and "p(' ') = " in words
    learnt, words = pg.context_verdict("to be or not to be", "be b", probs_for(vocab, e=0.2), vocab)
    assert not learnt and "not followed by any character" in words


def test_chart_rows_thin_a_long_history_evenly_and_keep_the_ends():
    assert list(pg.chart_rows(5)) == [0, 1, 2, 3, 4]
    rows = pg.chart_rows(10_000)
    assert len(rows) == pg.MAX_CHART_ROWS and rows[0] == 0 and rows[-1] == 9_999
