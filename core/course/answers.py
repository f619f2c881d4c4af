"""Reading what a learner typed: numbers, vectors and matrices, with a little safe arithmetic.

The reader works in two layers. The first splits the text into elements and rows with a small tokenizer
of its own (brackets, commas, semicolons, new lines, spaces). The second reads each element: a plain
number directly, anything else as arithmetic, by parsing it with Python's `ast` module and walking the
tree with a whitelist (numbers, + - * / ** and unary minus, parentheses, the functions tanh exp log ln
log10 sqrt sigmoid, the constants e and pi). Nothing typed is ever passed to eval, exec or compile; the
input length, the number of elements, the nesting and the number of operators are bounded, and every
float operation that can overflow is caught, so no input takes more than a few milliseconds.

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

import ast
import functools
import math
import re
from dataclasses import dataclass

import numpy as np

from core.course.checking import EXACT_DIGITS, TOLERANCE_HELP
from core.formatting import num_text, shape_words
from core.rnn.activations import sigmoid

MAX_CHARS = 2000  # characters in one answer
MAX_ELEMENTS = 400  # numbers in one answer (the largest matrix in an exercise is far smaller)
MAX_DEPTH = 40  # nesting of operations inside one number's arithmetic
MAX_OPERATORS = 200  # operators and function calls inside one number's arithmetic
MAX_PARENS = 20  # parentheses open at once

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


FUNCTIONS = {"tanh": math.tanh, "exp": math.exp, "log": math.log, "ln": math.log, "log10": math.log10,
             "sqrt": math.sqrt, "sigmoid": lambda x: float(sigmoid(x))}
CONSTANTS = {"e": math.e, "pi": math.pi}


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


class _Bad(Exception):
    """A learner-facing reason why the text cannot be read."""


# ---------------------------------------------------------------------------------------------------------
# Normalisation and tokens

_REPLACE = {
    "\u2212": "-", "\u2013": "-", "\u2012": "-", "\u2010": "-", "\u2011": "-", "\ufe63": "-", "\uff0d": "-",
    "\u00d7": "*", "\u00b7": "*", "\u22c5": "*", "\u2219": "*", "\u2217": "*", "\u00f7": "/", "\u2215": "/",
    "^": "**", "\u03c0": "pi", "\u00b2": "**2", "\u00b3": "**3", "{": "[", "}": "]", "\uff0c": ",",
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
}
_REPLACE_RE = re.compile("|".join(re.escape(k) for k in _REPLACE))
_SQRT_RE = re.compile(r"\u221a\s*(\d+\.?\d*|\.\d+)")
_ARRAY_RE = re.compile(r"^\s*(?:np\.|numpy\.)?array\s*\((.*)\)\s*$", re.S)
_TRANSPOSE_RE = re.compile(r"\]\s*(?:\^\s*T|\*\*\s*T|\u1d40|\.T|')\s*$")  # "[...]^T", "[...]ᵀ", "[...].T"
_SPACES_RE = re.compile(r"[^\S\n]+")  # any whitespace except the new line, which separates rows

_TOKEN_RE = re.compile(
    r"(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?%?)"
    r"|(?P<name>[A-Za-z_][A-Za-z_0-9]*)"
    r"|(?P<op>\*\*|[-+*/])"
    r"|(?P<lp>\()|(?P<rp>\))|(?P<lb>\[)|(?P<rb>\])"
    r"|(?P<comma>,)|(?P<semi>;)|(?P<nl>\n)|(?P<ws> )"
)


class _Tok:
    """One token; a plain slotted class because the reader makes thousands of them."""

    __slots__ = ("kind", "text", "pos", "space_before", "space_after")

    def __init__(self, kind: str, text: str, pos: int, space_before: bool):
        self.kind = kind  # num name op lp rp lb rb comma semi nl
        self.text = text
        self.pos = pos
        self.space_before = space_before
        self.space_after = False


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SQRT_RE.sub(lambda m: f"sqrt({m.group(1)})", text)
    text = text.replace("\u221a", "sqrt")
    text = _REPLACE_RE.sub(lambda m: _REPLACE[m.group(0)], text)
    text = _SPACES_RE.sub(" ", text)
    m = _ARRAY_RE.match(text)
    if m:
        text = m.group(1)
    return text.strip()


def _tokenize(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    pos, space = 0, False
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if not m:
            ch = text[pos]
            hint = ""
            if ch == ".":
                hint = " A point must be part of a number, like 0.5."
            elif ch in "'\"":
                hint = " Quotes are not needed: type just the number."
            raise _Bad(f"Unexpected character ‘{ch}’ at position {pos + 1}.{hint} Use digits, + - * / ^, "
                       "parentheses, brackets, commas, and the functions listed in the help.")
        kind = m.lastgroup
        if kind == "ws":
            space = True
            if toks:
                toks[-1].space_after = True
        else:
            toks.append(_Tok(kind, m.group(0), pos, space))
            space = False
        pos = m.end()
    return toks


# ---------------------------------------------------------------------------------------------------------
# Structure: elements, rows, nested lists


@dataclass
class _List:
    rows: list[list]  # each row a list of items; an item is a list of tokens (one number) or a _List


def _ends_operand(tok: _Tok) -> bool:
    return tok.kind in ("num", "rp", "rb") or (tok.kind == "name" and tok.text in CONSTANTS)


def _starts_operand(tok: _Tok) -> bool:
    if tok.kind in ("num", "name", "lp", "lb"):
        return True
    return tok.kind == "op" and tok.text in "+-" and not tok.space_after


def _paren_is_list(toks: list[_Tok], i: int) -> bool:
    """Does the '(' at i enclose a comma or a semicolon at its own level? Then it is a vector."""
    depth = 0
    for tok in toks[i:]:
        if tok.kind in ("lp", "lb"):
            depth += 1
        elif tok.kind in ("rp", "rb"):
            depth -= 1
            if depth == 0:
                return False
        elif depth == 1 and tok.kind in ("comma", "semi"):
            return True
    return False


def _parse_seq(toks: list[_Tok], i: int, closer: str | None) -> tuple[_List, int]:
    """Parse items from toks[i] up to the matching closer ('rb', 'rp' or None for the end)."""
    rows: list[list] = [[]]
    elem: list[_Tok] = []
    after_comma = False
    paren = 0

    def end_elem(comma: bool):
        nonlocal elem, after_comma
        if elem:
            rows[-1].append(elem)
            elem = []
        elif comma and after_comma:
            raise _Bad("Two commas in a row with nothing between them: one number is missing.")
        after_comma = comma

    while i < len(toks):
        tok = toks[i]
        if paren == 0 and tok.kind == closer:
            end_elem(False)
            return _List([r for r in rows if r]), i + 1
        if paren == 0 and tok.kind in ("rb", "rp"):
            raise _Bad(f"‘{tok.text}’ at position {tok.pos + 1} closes a bracket that was never opened.")
        if paren == 0 and tok.kind == "comma":
            end_elem(True)
        elif paren == 0 and tok.kind in ("semi", "nl"):
            end_elem(False)
            after_comma = False
            if rows[-1]:
                rows.append([])
        elif paren == 0 and (tok.kind == "lb" or (tok.kind == "lp" and (not elem or elem[-1].kind != "name")
                                                    and _paren_is_list(toks, i))):
            if elem:
                if not (tok.space_before and _ends_operand(elem[-1])):
                    raise _Bad(f"A bracket at position {tok.pos + 1} follows a number without a comma or space.")
                end_elem(False)
            sub, i = _parse_seq(toks, i + 1, "rb" if tok.kind == "lb" else "rp")
            rows[-1].append(sub)
            after_comma = False
            continue
        else:
            if tok.kind == "lb":
                raise _Bad(f"A ‘[’ at position {tok.pos + 1} sits inside arithmetic; brackets make vectors.")
            if elem and tok.space_before and paren == 0 and _ends_operand(elem[-1]) and _starts_operand(tok):
                end_elem(False)  # "0.1 -0.2": a space between two operands separates numbers
            if tok.kind == "lp":
                paren += 1
                if paren > MAX_PARENS:
                    raise _Bad(f"More than {MAX_PARENS} parentheses are open at once.")
            elif tok.kind == "rp":
                paren -= 1
            if not elem and rows[-1] and isinstance(rows[-1][-1], _List) and not after_comma:
                if not tok.space_before:
                    raise _Bad(f"Something follows a closing bracket at position {tok.pos + 1} without a comma.")
            elem.append(tok)
            after_comma = False
        i += 1
    if closer is not None:
        raise _Bad("A bracket is opened but never closed: add the missing ‘]’ or ‘)’.")
    if paren > 0:
        raise _Bad("A parenthesis is opened but never closed: add the missing ‘)’.")
    end_elem(False)
    return _List([r for r in rows if r]), i


def _build(lst: _List) -> tuple[list, bool]:
    """(data, two_d): data is a list of elements (a vector) or a list of rows of elements (a matrix)."""
    rows = lst.rows
    if not rows:
        raise _Bad("An empty pair of brackets: there is no number inside.")

    def as_row(sub: _List) -> list:
        data, two_d = _build(sub)
        if two_d:
            raise _Bad("Too many levels of brackets: an answer is at most a matrix (rows of numbers).")
        return data

    if len(rows) == 1:
        items = rows[0]
        if not any(isinstance(it, _List) for it in items):
            return items, False
        if not all(isinstance(it, _List) for it in items):
            raise _Bad("A list mixes single numbers with bracketed rows: use one or the other.")
        if len(items) == 1:
            return _build(items[0])  # brackets around the whole answer
        return [as_row(it) for it in items], True  # [[1, 2], [3, 4]]: each inner list is a row
    out = []
    for row in rows:
        if len(row) == 1 and isinstance(row[0], _List):
            out.append(as_row(row[0]))  # a row written as its own bracketed list
        elif not any(isinstance(it, _List) for it in row):
            out.append(row)
        else:
            raise _Bad("A row mixes single numbers with bracketed lists: use one or the other.")
    return out, True


# ---------------------------------------------------------------------------------------------------------
# One element: a plain number, or arithmetic through a whitelisted AST walk


def _digits_of(num: str) -> int:
    """Significant digits of a typed literal: '0.0012' -> 2, '1.20' -> 3, '100' -> 1, '0' -> exact."""
    mant = re.split(r"[eE]", num.rstrip("%"))[0]
    digits = mant.replace(".", "").lstrip("0")
    if not digits:
        return EXACT_DIGITS  # zero is exact
    if "." not in mant:
        digits = digits.rstrip("0") or "0"
    return len(digits)


def _num_value(text: str) -> float:
    pct = text.endswith("%")
    try:
        v = float(text.rstrip("%"))
    except (OverflowError, ValueError):
        raise _Bad(f"‘{text}’ is not a number I can read.") from None
    if not math.isfinite(v):
        raise _Bad(f"‘{text if len(text) <= 40 else text[:37] + '...'}’ is too large.")
    return v / 100.0 if pct else v


def _eval(node, depth: int) -> float:
    if depth > MAX_DEPTH:
        raise _Bad("The arithmetic is nested too deeply: simplify it.")
    if isinstance(node, ast.Expression):
        return _eval(node.body, depth + 1)
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        try:
            return float(node.value)
        except OverflowError:
            raise _Bad("A number in the arithmetic is too large.") from None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _eval(node.operand, depth + 1)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
        a, b = _eval(node.left, depth + 1), _eval(node.right, depth + 1)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        if isinstance(node.op, ast.Div):
            if b == 0:
                raise _Bad("Division by zero.")
            return a / b
        if a == 0 and b < 0:
            raise _Bad("Zero to a negative power is a division by zero.")
        if a < 0 and not float(b).is_integer():
            raise _Bad("A negative number to a fractional power is not a real number.")
        try:
            return math.pow(a, b)
        except OverflowError:
            raise _Bad("A power is too large.") from None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS:
        name = node.func.id
        if len(node.args) != 1 or node.keywords:
            raise _Bad(f"{name} takes exactly one number, as in {name}(0.5).")
        x = _eval(node.args[0], depth + 1)
        if name in ("log", "ln", "log10") and x <= 0:
            raise _Bad(f"{name} needs a positive number (got {x:g}).")
        if name == "sqrt" and x < 0:
            raise _Bad(f"sqrt needs a number that is not negative (got {x:g}).")
        try:
            return FUNCTIONS[name](x)
        except OverflowError:
            raise _Bad(f"{name}({x:g}) is too large.") from None
    if isinstance(node, ast.Name):
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        if node.id in FUNCTIONS:
            raise _Bad(f"{node.id} needs parentheses around its number, as in {node.id}(0.5).")
        raise _Bad(f"‘{node.id}’ is not a number or a known function (known: {', '.join(FUNCTIONS)}; "
                   "constants e and pi).")
    if isinstance(node, ast.Call):
        raise _Bad("Only the functions " + ", ".join(FUNCTIONS) + " can be used.")
    raise _Bad("Only numbers, + - * / ^, parentheses and the listed functions can be used.")


def _element(toks: list[_Tok]) -> tuple[float, int]:
    """(value, significant digits) of one element's tokens."""
    if len(toks) == 1 and toks[0].kind == "num":
        return _num_value(toks[0].text), _digits_of(toks[0].text)
    if len(toks) == 2 and toks[0].kind == "op" and toks[0].text in "+-" and toks[1].kind == "num":
        v = _num_value(toks[1].text)
        return (-v if toks[0].text == "-" else v), _digits_of(toks[1].text)
    if sum(t.kind in ("op", "name") for t in toks) > MAX_OPERATORS:
        raise _Bad("The arithmetic is too long: compute part of it first.")
    for a, b in zip(toks, toks[1:] + [None], strict=True):
        if a.kind == "name" and a.text in FUNCTIONS and (b is None or b.kind != "lp"):
            raise _Bad(f"{a.text} needs parentheses around its number, as in {a.text}(0.5).")
        if b is None:
            continue
        if _ends_operand(a) and b.kind in ("num", "name") and not b.space_before:
            raise _Bad(f"‘{a.text}’ and ‘{b.text}’ are written together without an operator between them.")
        if a.kind == "name" and a.text not in CONSTANTS and a.text not in FUNCTIONS:
            raise _Bad(f"‘{a.text}’ is not a number or a known function (known: {', '.join(FUNCTIONS)}; "
                       "constants e and pi).")
    pieces = []
    for t in toks:
        pieces.append(f"({t.text[:-1]}/100)" if t.kind == "num" and t.text.endswith("%") else t.text)
    source = " ".join(pieces)
    try:
        tree = ast.parse(source, mode="eval")  # parsing only: the tree is walked below, never compiled
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        raise _Bad(f"‘{_show(toks)}’ is not arithmetic I can read: check for a missing number or operator.") from None
    try:
        v = _eval(tree, 0)
    except RecursionError:
        raise _Bad("The arithmetic is nested too deeply: simplify it.") from None
    if not math.isfinite(v):
        raise _Bad(f"‘{_show(toks)}’ is too large.")
    decimals = [_digits_of(t.text) for t in toks if t.kind == "num" and re.search(r"[.eE]", t.text)]
    return v, (min(decimals) if decimals else EXACT_DIGITS)


def _show(toks: list[_Tok]) -> str:
    s = "".join((" " if t.space_before and i else "") + t.text for i, t in enumerate(toks))
    return s if len(s) <= 40 else s[:37] + "..."


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
    except _Bad as e:
        return _invalid(str(e))
    except Exception:  # a reader must never crash the page; this is reported as unreadable
        return _invalid("This answer could not be read: type numbers, brackets, commas and simple arithmetic.")


def _parse(text: str, shape: tuple | None) -> Parsed:
    if not text.strip():
        return _invalid("No answer yet.", blank=True)
    if len(text) > MAX_CHARS:
        raise _Bad(f"The answer is {len(text):,} characters long; the limit is {MAX_CHARS:,}.")
    transpose = bool(_TRANSPOSE_RE.search(text))
    if transpose:  # a trailing transpose mark: "[0.1, 0.2, 0.3]ᵀ" is the column vector, "[[..]]^T" transposed
        text_body = _TRANSPOSE_RE.sub("]", text)
    else:
        text_body = text
    norm = _normalise(text_body)
    if not norm:
        return _invalid("No answer yet.", blank=True)
    toks = _tokenize(norm)
    if not toks:
        return _invalid("No answer yet.", blank=True)
    if sum(t.kind == "num" for t in toks) > MAX_ELEMENTS * 4:
        raise _Bad(f"Too many numbers: an answer has at most {MAX_ELEMENTS}.")
    lst, _ = _parse_seq(toks, 0, None)
    data, two_d = _build(lst)
    rows = data if two_d else [data]
    bracketed = not (len(lst.rows) == 1 and len(lst.rows[0]) == 1 and not isinstance(lst.rows[0][0], _List))
    n_cols = [len(r) for r in rows]
    if len(set(n_cols)) > 1:
        first = n_cols[0]
        bad = next(i for i, n in enumerate(n_cols) if n != first)
        raise _Bad(f"Row {bad + 1} has {shape_words((n_cols[bad],), typed=True)} but row 1 has {first}: "
                   "every row needs the same count.")
    total = sum(n_cols)
    if total > MAX_ELEMENTS:
        raise _Bad(f"Too many numbers: an answer has at most {MAX_ELEMENTS}.")
    values = np.empty((len(rows), n_cols[0]))  # (r, c) as typed
    digits = np.empty((len(rows), n_cols[0]), dtype=np.int64)
    for i, row in enumerate(rows):
        for j, toks_ij in enumerate(row):
            values[i, j], digits[i, j] = _element(toks_ij)
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
        raise _Bad(f"Expected a single number; you typed {value.size} numbers.{_comma_hint(text)}")
    if len(shape) == 1:
        n = shape[0]
        if value.size == n and (value.ndim <= 1 or 1 in got):
            return value.reshape(n), dig.reshape(n)
        raise _Bad(f"Expected {shape_words(shape)}; you typed {shape_words(got, typed=True)}.{_comma_hint(text)}")
    r, c = shape
    if got == (r, c) or got == (c, r):
        return value, dig  # a transposed matrix is read; the checker names the transposition
    if value.ndim <= 1 and value.size == r * c and (r == 1 or c == 1):
        return value.reshape(r, c), dig.reshape(r, c)
    if value.ndim <= 1 and value.size == r * c:
        raise _Bad(f"Expected {shape_words(shape)}: type the rows separated by ‘;’ or new lines, "
                   "or as nested lists [[…], […]].")
    raise _Bad(f"Expected {shape_words(shape)}; you typed {shape_words(got, typed=True)}.{_comma_hint(text)}")


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

