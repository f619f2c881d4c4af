"""The answer reader: formats read back to the same value, bad input gives a message, nothing runs code."""
from __future__ import annotations

import ast
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.course.answers import (
    FORMAT_HELP,
    MAX_CHARS,
    _parse_cached,
    parse_answer,
    parse_char,
)
from core.formatting import format_value

# Numbers a learner would type: moderate magnitudes, including small ones.
numbers = st.one_of(
    st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False),
    st.floats(min_value=-1e-2, max_value=1e-2, allow_nan=False, allow_infinity=False),
    st.integers(min_value=-1000, max_value=1000).map(float),
)


def _styles(x: float) -> list[str]:
    """The same number written several ways; each must read back to float(the plain form)."""
    s = f"{x:.6g}"
    out = [s, f"  {s}  ", s.replace("-", "\u2212"), f"{x:.5e}", f"{x:.5E}", f"({s})"]
    if not s.startswith("-"):
        out.append("+" + s)
    return out


@given(numbers)
@settings(max_examples=200, deadline=None)
def test_numbers_read_back_in_every_style(x):
    for text in _styles(x):
        r = parse_answer(text, ())
        assert r.ok, (text, r.message)
        expected = float(text.strip().replace("\u2212", "-").strip("()"))
        assert r.value.shape == () and r.value == pytest.approx(expected, rel=1e-12, abs=0), text


def _vector_styles(xs: list[float]) -> list[str]:
    s = [f"{x:.6g}" for x in xs]
    return [
        "[" + ", ".join(s) + "]",
        ", ".join(s),
        " ".join(s),
        "  ".join(s) + " ",
        "\n".join(s),
        "; ".join(s),
        "(" + ", ".join(s) + ")",
        "np.array([" + ",".join(s) + "])",
        "[[" + "], [".join(s) + "]]",
        "[" + " ".join(s) + "]ᵀ",
        "{" + ", ".join(s) + "}",
    ]


@given(st.lists(numbers, min_size=2, max_size=6))
@settings(max_examples=150, deadline=None)
def test_vectors_read_back_in_every_layout(xs):
    expected = np.array([float(f"{x:.6g}") for x in xs])
    for text in _vector_styles(xs):
        r = parse_answer(text, (len(xs),))
        assert r.ok, (text, r.message)
        np.testing.assert_array_equal(r.value, expected, err_msg=text)


@given(st.integers(1, 4), st.integers(1, 4), st.data())
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_matrices_read_back_in_every_layout(r, c, data):
    m = np.array(data.draw(st.lists(st.lists(numbers, min_size=c, max_size=c), min_size=r, max_size=r)))
    m = np.array([[float(f"{v:.6g}") for v in row] for row in m])
    rows = [[f"{v:.6g}" for v in row] for row in m]
    styles = [
        "; ".join(" ".join(row) for row in rows),
        "\n".join(", ".join(row) for row in rows),
        "[" + ", ".join("[" + ", ".join(row) + "]" for row in rows) + "]",
        "[" + "; ".join(", ".join(row) for row in rows) + "]",
        np.array2string(m, precision=8, max_line_width=10_000),  # NumPy's own print-out
        format_value(m),
    ]
    for text in styles:
        got = parse_answer(text, (r, c))
        assert got.ok, (text, got.message)
        np.testing.assert_allclose(got.value, m, rtol=1e-7, atol=1e-8, err_msg=text)  # 8 decimals printed


@given(st.one_of(numbers, st.lists(numbers, min_size=1, max_size=5),
                 st.lists(st.lists(numbers, min_size=3, max_size=3), min_size=2, max_size=3)))
@settings(max_examples=150, deadline=None)
def test_format_value_round_trips(v):
    a = np.asarray(v, dtype=np.float64)
    r = parse_answer(format_value(a, digits=17), a.shape)
    assert r.ok, r.message
    np.testing.assert_array_equal(r.value, a)


@pytest.mark.parametrize("text, value, read_as", [
    ("0.25", 0.25, "0.25"),
    ("-.5", -0.5, "-.5 → -0.5"),
    ("1.2e-3", 0.0012, "1.2e-3 → 0.0012"),
    ("3/4", 0.75, "3/4 → 0.75"),
    (" \u22120.5 ", -0.5, "−0.5 → -0.5"),
    ("0.427*0 + 0.567", 0.567, None),
    ("tanh(0.83)", np.tanh(0.83), None),
    ("exp(1)/(exp(1)+exp(2))", np.e / (np.e + np.e**2), None),
    ("2^3", 8.0, None),
    ("25%", 0.25, "25% → 0.25"),
    ("ln(e)", 1.0, None),
    ("-log10(0.25)", -np.log10(0.25), None),
    ("sigmoid(0)", 0.5, None),
    ("1 - 0.6^2", 1 - 0.36, None),
    ("1 − 0.6²", 1 - 0.36, None),
    ("√2", np.sqrt(2), None),
    ("0.1 - 0.2", -0.1, None),
])
def test_examples_from_the_issue(text, value, read_as):
    r = parse_answer(text, ())
    assert r.ok, r.message
    assert float(r.value) == pytest.approx(value, rel=1e-12)
    if read_as:
        assert r.read_as == read_as


def test_spaces_and_signs_follow_the_matlab_rule():
    assert parse_answer("0.1 -0.2 0.3").value.tolist() == [0.1, -0.2, 0.3]
    assert parse_answer("0.1 - 0.2").value.shape == ()
    assert parse_answer("0.1-0.2").value.shape == ()
    assert parse_answer("1 -2 +3").value.tolist() == [1.0, -2.0, 3.0]
    assert parse_answer("tanh (0.5)").value.shape == ()


def test_column_vector_and_read_as_echo():
    r = parse_answer("0.1\n-0.2\n0.3", (3,))
    assert r.ok and r.value.shape == (3,)
    assert r.read_as.startswith("3×1 column vector")
    assert parse_answer("[1, 2]", (2,)).read_as == "vector of 2: (1, 2)"
    assert parse_answer("1 2; 3 4").read_as == "2×2 matrix: [1 2; 3 4]"


def test_comma_is_a_separator_and_the_message_says_so():
    assert "comma" in FORMAT_HELP.lower() and "point" in FORMAT_HELP
    r = parse_answer("0,5", ())
    assert not r.ok and "point" in r.message and "comma" in r.message
    assert parse_answer("0,5").value.tolist() == [0.0, 5.0]


def test_shape_messages_name_the_expected_shape():
    r = parse_answer("1 2", (3,))
    assert not r.ok and "vector of 3" in r.message and "2 numbers" in r.message
    r = parse_answer("1 2 3 4", (2, 2))
    assert not r.ok and "2×2 matrix" in r.message and "rows" in r.message
    # a transposed matrix is read (the checker names the transposition), a scrambled one is not
    assert parse_answer("1 2; 3 4; 5 6", (2, 3)).value.shape == (3, 2)
    assert not parse_answer("1 2 3; 4 5 6", (3, 3)).ok
    r = parse_answer("[[1, 2], [3]]")
    assert not r.ok and "Row 2" in r.message


@pytest.mark.parametrize("text, fragment", [
    ("0.5$", "‘$’"),
    ("x + 1", "‘x’"),
    ("tanh 2", "parentheses"),
    ("1/0", "Division by zero"),
    ("log(0)", "positive"),
    ("sqrt(-1)", "negative"),
    ("(-8)**(1/3)", "fractional power"),
    ("[1, 2", "never closed"),
    ("1, 2]", "never opened"),
    ("1,,2", "missing"),
    ("2e", "without an operator"),
    ("1.5.5", "without an operator"),
    ("[]", "empty"),
    ("[[[1, 2], [3, 4]]]", None),
    ("[[1, 2], 3]", "mixes"),
    ("max(1, 2)", "not a number or a known function"),
    ("tanh(1, 2)", "exactly one"),
])
def test_malformed_answers_say_what_is_wrong(text, fragment):
    r = parse_answer(text)
    if fragment is None:  # redundant outer brackets are harmless
        assert r.ok
        return
    assert not r.ok and not r.blank
    assert fragment in r.message, r.message


def test_digits_are_the_fewest_significant_digits_typed():
    assert parse_answer("0.0012").digits == 2
    assert parse_answer("1.20").digits == 3
    assert parse_answer("[0.123, 0.45, 0]").digits == 2
    assert parse_answer("[0.123, 0.45, 0]").digits_each.tolist() == [3, 2, 17]
    assert parse_answer("tanh(0.83)").digits == 2
    assert parse_answer("3/4").digits == 17  # exact arithmetic of integers


def test_blank_is_not_an_error():
    for text in ["", "   ", "\n\t"]:
        r = parse_answer(text, (3,))
        assert not r.ok and r.blank


# ---- safety: nothing typed can run code, crash, or take long ---------------------------------------------

def timed_parse(text, shape=None, limit=0.05):
    """parse_answer(text, shape), asserting it took under `limit` seconds.

    A slow input is slow every time; a one-off pause of a busy machine (garbage collection, another process)
    is not, so an over-limit first timing is measured once more before the test fails.
    """
    for _ in range(2):
        _parse_cached.cache_clear()  # the reader caches answers: time the real work both times
        start = time.perf_counter()
        r = parse_answer(text, shape)
        elapsed = time.perf_counter() - start
        if elapsed < limit:
            return r
    raise AssertionError(f"parse_answer({text[:40]!r}...) took {elapsed * 1000:.1f} ms twice")


NASTY = [
    "9**9**9", "9^9^9^9", "exp(1e308)", "exp(exp(exp(10)))", "1e308*1e308", "2**1024", "10**400", "1e999",
    "(" * 500 + "1" + ")" * 500, "-" * 1999 + "1", "1+" * 999 + "1", "tanh(" * 300 + "1" + ")" * 300,
    "1" * MAX_CHARS, "9" * 1500 + "**9", "1" * 100_000, "[" * 1000 + "1" + "]" * 1000,
    "__import__('os').system('touch /tmp/pwned')", "().__class__.__bases__", "[x for x in (1,)]",
    "lambda: 1", "open('/etc/passwd')", "eval('1')", "exec('1')", "1 if 1 else 2", "a.b", "1j", "True",
    "None", "'abc'", "b'1'", "f'{1}'", "{1: 2}", "1; import os", "0x10", "1_000", "1e-400", "\x00", "\u202e1",
    "[1, 2]" * 300, ", ".join(["1"] * 1000),
]


@pytest.mark.parametrize("text", NASTY, ids=range(len(NASTY)))
def test_nasty_input_is_rejected_or_read_quickly_and_safely(text, tmp_path):
    r = timed_parse(text)
    if r.ok:
        assert np.all(np.isfinite(r.value))
    else:
        assert r.message
    assert not Path("/tmp/pwned").exists()


def test_code_never_runs():
    for text in ["__import__('os')", "eval('1')", "exec('x=1')", "open('x')", "globals()", "(1).__class__"]:
        assert not parse_answer(text).ok


def test_the_reader_never_calls_eval_exec_or_compile():
    """A static check of the module's own source: no eval, exec, compile or __import__ calls."""
    for name in ("answers.py", "tokens.py", "arithmetic.py"):  # the reader and the two modules it reads with
        src = Path(__file__).resolve().parents[2] / "core" / "course" / name
        tree = ast.parse(src.read_text())
        called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        assert not called & {"eval", "exec", "compile", "__import__"}, name


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_arbitrary_text_never_raises(text):
    for shape in (None, (), (3,), (3, 4)):
        r = timed_parse(text, shape)
        assert r.ok or r.message
        if r.ok:
            assert np.all(np.isfinite(r.value))
            if shape is not None and len(shape) < 2:
                assert r.value.shape == shape


arith_pieces = st.sampled_from(list("0123456789.+-*/^()[],; \neE%") + ["tanh", "exp", "log", "sqrt", "sigmoid",
                                                                    "pi", "**", "1e308", "9**9"])


@given(st.lists(arith_pieces, max_size=60).map("".join))
@settings(max_examples=400, deadline=None)
def test_arithmetic_soup_never_raises_and_is_fast(text):
    r = timed_parse(text)
    assert r.ok or r.message
    if r.ok:
        assert np.all(np.isfinite(r.value))


# ---- characters --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, char", [("l", "l"), (" o ", "o"), ("'e'", "e"), ('"h"', "h")])
def test_parse_char_accepts_a_vocabulary_character(text, char):
    r = parse_char(text, ("h", "e", "l", "o"))
    assert r.ok and r.char == char and r.index == "helo".index(char)


def test_parse_char_messages():
    r = parse_char("L", "helo")
    assert not r.ok and "Did you mean ‘l’" in r.message
    r = parse_char("x", "helo")
    assert not r.ok and "vocabulary" in r.message
    r = parse_char("lo", "helo")
    assert not r.ok and "one character" in r.message
    assert parse_char("", "helo").blank
    assert parse_char("space", "a b").char == " "


@given(st.text(max_size=60))
@settings(max_examples=200, deadline=None)
def test_parse_char_never_raises(text):
    r = parse_char(text, "helo")
    assert (r.ok and r.char in "helo") or r.message


def test_a_huge_number_is_quoted_short_in_the_message():
    r = parse_answer("9" * 1999)
    assert not r.ok and "too large" in r.message and len(r.message) < 120
