"""A learner's own text: clear messages for texts that cannot be used, vetted variants for those that can, and
answers stored under an id of their own."""
from __future__ import annotations

import numpy as np
import pytest

from core.course.engine import load_all, make_instance, vetted_seed
from core.course.own_text import (
    MAX_DISTINCT,
    MAX_TEXT,
    clean_text,
    split_stored_id,
    stored_exercise_id,
    text_problem,
)
from core.progress.attempt import Attempt, attempt_problems
from core.rnn.model import backward, forward
from core.rnn.network import build_network
from tests.course.variants import check_variant, vetted_seeds

DEFS = load_all()
OWN = [d for d in DEFS.values() if d.own_text]
TEXTS = ["ab", "aab", "abc", "abba", "anna", "hey you", "José", "Zoë", "mississippi", "a.b,c!d?", "it's-ok",
         "12321", "abcdefgh", "xyzxyzxyzxyz"]


@pytest.mark.parametrize("text, fragment", [
    ("", "Type a text"), ("a", "only one character"), ("x" * (MAX_TEXT + 1), f"{MAX_TEXT} at most"),
    ("ab\ncd", "control character"), ("ab\tc", "control character"), ("a\u200bb", "control character"),
    ("aaaa", "only one distinct"), ("abcdefghi", f"at most {MAX_DISTINCT}"), ("a$b", "letters, digits"),
    ("a\\b", "letters, digits"), ("{ab}", "letters, digits"),
])
def test_a_text_that_cannot_be_used_gets_a_sentence_saying_why(text, fragment):
    problem = text_problem(text)
    assert problem is not None and fragment in problem, problem
    assert problem[0].isupper() and problem.endswith("."), problem  # a sentence for the learner, not a repr
    assert "\n" not in problem and "\t" not in problem


def test_good_texts_pass_and_typed_accents_become_one_character():
    for text in TEXTS:
        assert text_problem(text) is None, text
    typed = "Jose\u0301"  # e + combining acute accent, as some keyboards send it
    text, problem = clean_text(typed)
    assert text == "José" and len(text) == 4 and problem is None
    assert clean_text(None) == ("", text_problem(""))


@pytest.mark.parametrize("text", TEXTS + ["字字字字字字字字字字字字", "ÀÉÎÕÜàéîõü"])
def test_stored_ids_are_valid_for_the_store_and_name_their_text(text):
    sid = stored_exercise_id("forward_hello", text)
    a = Attempt("Ana", sid, "z[1]", "1", "correct", 1.0)
    assert not attempt_problems(a), attempt_problems(a)
    base, back = split_stored_id(sid)
    assert base == "forward_hello" and back in (text, "")  # "" only for a text too long to spell out
    if len(text) <= 8 or text.isascii():
        assert back == text
    assert stored_exercise_id("forward_hello", None) == "forward_hello"
    assert split_stored_id("forward_hello") == ("forward_hello", None)


def test_each_text_has_its_own_stored_id():
    ids = {stored_exercise_id("bptt_hello", t) for t in TEXTS}
    assert len(ids) == len(TEXTS)
    inst = make_instance(DEFS["forward_hello"], 26, text="abba")
    assert inst.progress_id == "forward_hello/text:abba"
    assert make_instance(DEFS["forward_hello"], 26).progress_id == "forward_hello"


@pytest.mark.parametrize("text", TEXTS)
def test_own_text_variants_are_vetted_and_graded_right(text):
    """Every text gets vetted variants at every practice hidden size, for the forward and the BPTT exercise,
    and on 10 of them the true answers, each mistake, bad input and ECF are graded as on hello."""
    for d in OWN:
        for hidden in d.practice_hidden:
            vetted_seed(d, 0, hidden=hidden, text=text)  # a ValueError here would leave the learner stuck
        covered: set = set()
        pairs: set = set()
        for n, seed in enumerate(vetted_seeds(d, 10, text=text)):
            inst = make_instance(d, seed, text=text)
            check_variant(inst, n, covered, pairs)
            # the instance's network is the core's own for this text, vocabulary in order of first appearance
            vocab, params = build_network(text, d.hidden, seed)
            assert inst.vocab.chars == tuple(dict.fromkeys(text))
            tr = forward(params, vocab.encode(text[:-1]), vocab.encode(text[1:]))
            if d.id == "bptt_hello":
                np.testing.assert_allclose(inst.quantity("dW_hh").truth, backward(params, tr).grads.W_hh)
            else:
                np.testing.assert_allclose(inst.quantity("loss").truth, tr.loss)


def test_the_lecture_chain_is_left_out_on_a_text_too_short_for_it():
    d = DEFS["bptt_hello"]
    assert d.chain_T == 3
    short = make_instance(d, 0, text="hey")  # two steps: E_3 does not exist
    assert short.chain is None and short.quantity("dW_hh").shape == (3, 3)
    assert not any(q.step_var == "k" or q.id.startswith("dE") for q in short.quantities)
    long = make_instance(d, 0, text="abba")  # three steps: the chain follows E_3
    assert long.chain is not None and "dE3_dW_hh" in long.ids


def test_with_one_step_the_sum_over_time_mistakes_are_not_checked():
    inst = make_instance(DEFS["forward_hello"], 0, text="ab")
    assert [m.id for m in inst.quantity("loss").mistakes] == ["loss_sign"]  # mean = sum = last with one step
    bp = make_instance(DEFS["bptt_hello"], 0, text="ab")
    assert not any(m.id == "last_step_only" for q in bp.quantities for m in q.mistakes)
