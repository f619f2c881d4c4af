"""Reading what a learner typed: numbers, vectors and matrices, with a little safe arithmetic.

The reader works in two layers. The first (core.course.tokens) splits the text into elements and rows with a
small tokenizer of its own (brackets, commas, semicolons, new lines, spaces). The second
(core.course.arithmetic) reads each element: a plain number directly, anything else as arithmetic, by parsing
it with Python's `ast` module and walking the tree with a whitelist (numbers, + - * / ** and unary minus,
parentheses, the functions tanh exp log ln log10 sqrt sigmoid, the constants e and pi). Nothing typed is ever
passed to eval, exec or compile; the input length, the number of elements, the nesting and the number of
operators are bounded, and every float operation that can overflow is caught, so no input takes more than a
few milliseconds.

How the text is split (also in FORMAT_HELP, which the UI shows):
- A comma always separates numbers, inside or outside brackets. It is never a decimal point.
- Rows of a matrix are separated by ';' or by new lines, or written as nested lists [[1, 2], [3, 4]].
- Spaces separate numbers too, as in MATLAB: "0.1 -0.2" is two numbers, while "0.1 - 0.2" and "0.1-0.2"
  are one subtraction. A sign that touches the number after it, with a space before it, starts a new one.
- Parentheses with a comma inside are a vector: (0.1, 0.2). Braces work like brackets; np.array(...) too.
Vectors are column vectors in this course, but a learner may type one as a row, a column (one number per
line) or a nested list: when the expected shape is (n,), all of (n,), (n, 1) and (1, n) are accepted.

Public API (stable):
    parse_answer(text, shape=None) -> Parsed
    parse_char(text, vocab) -> ParsedChar
    (core.formatting.format_value writes a value as text that parse_answer reads back to the same value)
    FORMAT_HELP (Markdown), MAX_CHARS, MAX_ELEMENTS, MAX_DEPTH, FUNCTIONS, CONSTANTS
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np

from core.course.arithmetic import Unreadable
from core.course.checking import EXACT_DIGITS, TOLERANCE_HELP
from core.course.tokens import TRANSPOSE_RE, TokenList, build, element, normalise, parse_seq, tokenize
from core.formatting import num_text, shape_words

MAX_CHARS = 2000  # characters in one answer
MAX_ELEMENTS = 400  # numbers in one answer (the largest matrix in an exercise is far smaller)

FORMAT_HELP = (
    "**How to type an answer**\n\n"
    "- A number: `0.25`, `-.5`, `1.2e-3` (that is 0.0012), `3/4`, `25%`. Use a **point** for decimals.\n"
    "- A vector: `[0.1, -0.2, 0.3]`, or `0.1 -0.2 0.3`, or one number per line. "
    "**A comma always separates numbers**, so `0,5` is two numbers (0 and 5), never one half.\n"
    "- A matrix: rows separated by `;` or new lines, e.g. `0.1 0.2; 0.3 0.4`, or nested lists "
    "`[[0.1, 0.2], [0.3, 0.4]]` (as NumPy prints them).\n"
    "- Spaces separate numbers as well: `0.1 -0.2` is two numbers, but `0.1 - 0.2` is one subtraction.\n"
    "- Arithmetic is allowed: `+ - * /`, powers with `^` or `**`, parentheses, and the functions "
    "`tanh`, `exp`, `log` (natural log, also `ln`), `log10`, `sqrt`, `sigmoid`, with the constants `e` and "
    "`pi`. For example `0.427*0 + 0.567`, `tanh(0.83)`, `exp(1)/(exp(1)+exp(2))`.\n"
    "- A character (\"which character is predicted?\"): type just the character, e.g. `l`; "
    "for a space type `space`. Case matters.\n"
    "- Before you submit, check the **read as** line: it shows how your answer was understood.\n\n"
    + TOLERANCE_HELP
)



@dataclass(frozen=True, eq=False)
class Parsed:
    """The reader's verdict on one answer: a value with a 'read as' echo, or a message saying what is wrong."""

    ok: bool
    value: np.ndarray | None  # float64, shape () or (n,) or (r, c); read-only
    read_as: str  # e.g. "1.2e-3 → 0.0012", "vector of 3: (0.1, -0.2, 0.3)"
    message: str | None  # what is wrong, for the learner, when not ok
    digits: int = EXACT_DIGITS  # fewest significant digits typed among the plain numbers
    digits_each: np.ndarray | None = None  # int, value's shape: digits of each element (EXACT_DIGITS if exact)
    blank: bool = False  # nothing was typed (not an error the learner made)


@dataclass(frozen=True)
class ParsedChar:
    """The reader's verdict on a one-character answer ("which character is predicted?")."""

    ok: bool
    char: str | None
    index: int | None  # position in the vocabulary
    read_as: str
    message: str | None
    blank: bool = False

    @property
    def value(self) -> str | None:
        return self.char


# ---------------------------------------------------------------------------------------------------------
# Putting it together


def _echo(text: str, value: np.ndarray, typed_shape: tuple[int, ...]) -> str:
    if value.ndim == 0:
        out = num_text(value)
        return out if text.strip() == out else f"{text.strip()} → {out}"
    if value.ndim == 1 or (value.ndim == 2 and value.shape[1] == 1 and value.shape[0] > 1):
        n = value.size
        what = (f"{n}×1 column vector" if len(typed_shape) == 2 and typed_shape[1] == 1 and n > 1
                else f"vector of {n}")
        value = value.reshape(n)
        vals = ", ".join(num_text(v) for v in value[:12]) + (", …" if n > 12 else "")
        return f"{what}: ({vals})"
    r, c = value.shape
    rows = "; ".join(" ".join(num_text(v) for v in row[:8]) + (" …" if c > 8 else "") for row in value[:8])
    return f"{r}×{c} matrix: [{rows}{'; …' if r > 8 else ''}]"


def _invalid(message: str, blank: bool = False) -> Parsed:
    return Parsed(False, None, "", message, blank=blank)


def parse_answer(text: str, shape: tuple | None = None) -> Parsed:
    """Read a number, vector or matrix; with `shape`, also check it has that many numbers in that layout."""
    key = tuple(int(s) for s in shape) if shape is not None else None
    if not isinstance(text, str):
        return _invalid("The answer must be text.")
    return _parse_cached(text, key)


@functools.lru_cache(maxsize=4096)
def _parse_cached(text: str, shape: tuple | None) -> Parsed:
    try:
        return _parse(text, shape)
    except Unreadable as e:
        return _invalid(str(e))
    except Exception:  # a reader must never crash the page; this is reported as unreadable
        return _invalid("This answer could not be read: type numbers, brackets, commas and simple arithmetic.")


def _parse(text: str, shape: tuple | None) -> Parsed:
    if not text.strip():
        return _invalid("No answer yet.", blank=True)
    if len(text) > MAX_CHARS:
        raise Unreadable(f"The answer is {len(text):,} characters long; the limit is {MAX_CHARS:,}.")
    transpose = bool(TRANSPOSE_RE.search(text))
    if transpose:  # a trailing transpose mark: "[0.1, 0.2, 0.3]ᵀ" is the column vector, "[[..]]^T" transposed
        text_body = TRANSPOSE_RE.sub("]", text)
    else:
        text_body = text
    norm = normalise(text_body)
    if not norm:
        return _invalid("No answer yet.", blank=True)
    toks = tokenize(norm)
    if not toks:
        return _invalid("No answer yet.", blank=True)
    if sum(t.kind == "num" for t in toks) > MAX_ELEMENTS * 4:
        raise Unreadable(f"Too many numbers: an answer has at most {MAX_ELEMENTS}.")
    lst, _ = parse_seq(toks, 0, None)
    data, two_d = build(lst)
    rows = data if two_d else [data]
    bracketed = not (len(lst.rows) == 1 and len(lst.rows[0]) == 1 and not isinstance(lst.rows[0][0], TokenList))
    n_cols = [len(r) for r in rows]
    if len(set(n_cols)) > 1:
        first = n_cols[0]
        bad = next(i for i, n in enumerate(n_cols) if n != first)
        raise Unreadable(f"Row {bad + 1} has {shape_words((n_cols[bad],), typed=True)} but row 1 has {first}: "
                   "every row needs the same count.")
    total = sum(n_cols)
    if total > MAX_ELEMENTS:
        raise Unreadable(f"Too many numbers: an answer has at most {MAX_ELEMENTS}.")
    values = np.empty((len(rows), n_cols[0]))  # (r, c) as typed
    digits = np.empty((len(rows), n_cols[0]), dtype=np.int64)
    for i, row in enumerate(rows):
        for j, toks_ij in enumerate(row):
            values[i, j], digits[i, j] = element(toks_ij)
    typed_shape: tuple[int, ...]
    if two_d:
        typed_shape = values.shape
    elif values.size == 1 and not bracketed:
        typed_shape = ()
    else:
        typed_shape = (values.size,)
    value = values.reshape(typed_shape) if typed_shape != values.shape else values
    dig = digits.reshape(typed_shape) if typed_shape != digits.shape else digits
    if transpose and value.ndim == 2:
        value, dig, typed_shape = value.T, dig.T, value.T.shape
    if shape is not None:
        value, dig = _fit(value, dig, shape, text)
    value = np.array(value, dtype=np.float64)
    value.flags.writeable = False
    dig = np.array(dig)
    dig.flags.writeable = False
    return Parsed(True, value, _echo(text, value, typed_shape), None, int(dig.min()) if dig.size else EXACT_DIGITS,
                  dig)


def _comma_hint(text: str) -> str:
    if re.search(r"\d,\d", text):
        return " Note: a comma always separates numbers; for a decimal, use a point (0.5, not 0,5)."
    return ""


def _fit(value: np.ndarray, dig: np.ndarray, shape: tuple, text: str):
    """Accept the layouts that mean the expected shape; otherwise say what was expected."""
    got = value.shape
    if shape == ():
        if value.size == 1:
            return value.reshape(()), dig.reshape(())
        raise Unreadable(f"Expected a single number; you typed {value.size} numbers.{_comma_hint(text)}")
    if len(shape) == 1:
        n = shape[0]
        if value.size == n and (value.ndim <= 1 or 1 in got):
            return value.reshape(n), dig.reshape(n)
        raise Unreadable(f"Expected {shape_words(shape)}; you typed {shape_words(got, typed=True)}.{_comma_hint(text)}")
    r, c = shape
    if got == (r, c) or got == (c, r):
        return value, dig  # a transposed matrix is read; the checker names the transposition
    if value.ndim <= 1 and value.size == r * c and (r == 1 or c == 1):
        return value.reshape(r, c), dig.reshape(r, c)
    if value.ndim <= 1 and value.size == r * c:
        raise Unreadable(f"Expected {shape_words(shape)}: type the rows separated by ‘;’ or new lines, "
                   "or as nested lists [[…], […]].")
    raise Unreadable(f"Expected {shape_words(shape)}; you typed {shape_words(got, typed=True)}.{_comma_hint(text)}")


# ---------------------------------------------------------------------------------------------------------
# Characters and formatting

_CHAR_NAMES = {"space": " ", "␣": " ", "newline": "\n", "\\n": "\n", "↵": "\n", "tab": "\t", "\\t": "\t"}


def parse_char(text: str, vocab) -> ParsedChar:
    """Read a single character of `vocab` (a core.rnn.vocab.Vocab or a sequence of characters)."""
    chars = tuple(getattr(vocab, "chars", vocab))
    if not isinstance(text, str) or not text.strip():
        if isinstance(text, str) and text and " " in chars and text.strip() == "" and len(text) == 1:
            return ParsedChar(True, " ", chars.index(" "), "space", None)
        return ParsedChar(False, None, None, "", "No answer yet.", blank=True)
    if len(text) > 50:
        return ParsedChar(False, None, None, "", "Type just one character.")
    s = text.strip()
    if len(s) >= 3 and s[0] == s[-1] and s[0] in "'\"":
        s = s[1:-1]  # 'l' or "l"
    s = _CHAR_NAMES.get(s.lower(), s) if len(s) > 1 else s
    shown = ", ".join("space" if ch == " " else repr(ch)[1:-1] for ch in chars)
    if len(s) != 1:
        return ParsedChar(False, None, None, "", f"Type one character of the vocabulary ({shown}); you typed "
                          f"{len(s)} characters.")
    if s not in chars:
        near = [ch for ch in chars if ch.lower() == s.lower()]
        hint = f" Did you mean ‘{near[0]}’? Case matters." if near else ""
        return ParsedChar(False, None, None, "", f"‘{s}’ is not in the vocabulary ({shown}).{hint}")
    return ParsedChar(True, s, chars.index(s), "space" if s == " " else s, None)

