"""A typed answer split into elements and rows: normalised text, tokens, brackets and rows, then each element read.

- A comma always separates numbers, inside or outside brackets. It is never a decimal point.
- Rows of a matrix are separated by ';' or by new lines, or written as nested lists [[1, 2], [3, 4]].
- Spaces separate numbers too, as in MATLAB: "0.1 -0.2" is two numbers, while "0.1 - 0.2" and "0.1-0.2"
  are one subtraction. A sign that touches the number after it, with a space before it, starts a new one.
- Parentheses with a comma inside are a vector: (0.1, 0.2). Braces work like brackets; np.array(...) too.
"""
from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass

from core.course.arithmetic import (
    CONSTANTS,
    FUNCTIONS,
    MAX_OPERATORS,
    Unreadable,
    evaluate_tree,
    number_value,
    significant_digits,
)
from core.course.checking import EXACT_DIGITS

MAX_PARENS = 20  # parentheses open at once

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
TRANSPOSE_RE = re.compile(r"\]\s*(?:\^\s*T|\*\*\s*T|\u1d40|\.T|')\s*$")  # "[...]^T", "[...]ᵀ", "[...].T"
_SPACES_RE = re.compile(r"[^\S\n]+")  # any whitespace except the new line, which separates rows

_TOKEN_RE = re.compile(
    r"(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?%?)"
    r"|(?P<name>[A-Za-z_][A-Za-z_0-9]*)"
    r"|(?P<op>\*\*|[-+*/])"
    r"|(?P<lp>\()|(?P<rp>\))|(?P<lb>\[)|(?P<rb>\])"
    r"|(?P<comma>,)|(?P<semi>;)|(?P<nl>\n)|(?P<ws> )"
)


class Tok:
    """One token; a plain slotted class because the reader makes thousands of them."""

    __slots__ = ("kind", "text", "pos", "space_before", "space_after")

    def __init__(self, kind: str, text: str, pos: int, space_before: bool):
        self.kind = kind  # num name op lp rp lb rb comma semi nl
        self.text = text
        self.pos = pos
        self.space_before = space_before
        self.space_after = False


def normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SQRT_RE.sub(lambda m: f"sqrt({m.group(1)})", text)
    text = text.replace("\u221a", "sqrt")
    text = _REPLACE_RE.sub(lambda m: _REPLACE[m.group(0)], text)
    text = _SPACES_RE.sub(" ", text)
    m = _ARRAY_RE.match(text)
    if m:
        text = m.group(1)
    return text.strip()


def tokenize(text: str) -> list[Tok]:
    toks: list[Tok] = []
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
            raise Unreadable(f"Unexpected character ‘{ch}’ at position {pos + 1}.{hint} Use digits, + - * / ^, "
                       "parentheses, brackets, commas, and the functions listed in the help.")
        kind = m.lastgroup
        if kind == "ws":
            space = True
            if toks:
                toks[-1].space_after = True
        else:
            toks.append(Tok(kind, m.group(0), pos, space))
            space = False
        pos = m.end()
    return toks


# ---------------------------------------------------------------------------------------------------------
# Structure: elements, rows, nested lists


@dataclass
class TokenList:
    rows: list[list]  # each row a list of items; an item is a list of tokens (one number) or a TokenList


def ends_operand(tok: Tok) -> bool:
    return tok.kind in ("num", "rp", "rb") or (tok.kind == "name" and tok.text in CONSTANTS)


def starts_operand(tok: Tok) -> bool:
    if tok.kind in ("num", "name", "lp", "lb"):
        return True
    return tok.kind == "op" and tok.text in "+-" and not tok.space_after


def paren_is_list(toks: list[Tok], i: int) -> bool:
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


def parse_seq(toks: list[Tok], i: int, closer: str | None) -> tuple[TokenList, int]:
    """Parse items from toks[i] up to the matching closer ('rb', 'rp' or None for the end)."""
    rows: list[list] = [[]]
    elem: list[Tok] = []
    after_comma = False
    paren = 0

    def end_elem(comma: bool):
        nonlocal elem, after_comma
        if elem:
            rows[-1].append(elem)
            elem = []
        elif comma and after_comma:
            raise Unreadable("Two commas in a row with nothing between them: one number is missing.")
        after_comma = comma

    while i < len(toks):
        tok = toks[i]
        if paren == 0 and tok.kind == closer:
            end_elem(False)
            return TokenList([r for r in rows if r]), i + 1
        if paren == 0 and tok.kind in ("rb", "rp"):
            raise Unreadable(f"‘{tok.text}’ at position {tok.pos + 1} closes a bracket that was never opened.")
        if paren == 0 and tok.kind == "comma":
            end_elem(True)
        elif paren == 0 and tok.kind in ("semi", "nl"):
            end_elem(False)
            after_comma = False
            if rows[-1]:
                rows.append([])
        elif paren == 0 and (tok.kind == "lb" or (tok.kind == "lp" and (not elem or elem[-1].kind != "name")
                                                    and paren_is_list(toks, i))):
            if elem:
                if not (tok.space_before and ends_operand(elem[-1])):
                    raise Unreadable(f"A bracket at position {tok.pos + 1} follows a number without a comma or space.")
                end_elem(False)
            sub, i = parse_seq(toks, i + 1, "rb" if tok.kind == "lb" else "rp")
            rows[-1].append(sub)
            after_comma = False
            continue
        else:
            if tok.kind == "lb":
                raise Unreadable(f"A ‘[’ at position {tok.pos + 1} sits inside arithmetic; brackets make vectors.")
            if elem and tok.space_before and paren == 0 and ends_operand(elem[-1]) and starts_operand(tok):
                end_elem(False)  # "0.1 -0.2": a space between two operands separates numbers
            if tok.kind == "lp":
                paren += 1
                if paren > MAX_PARENS:
                    raise Unreadable(f"More than {MAX_PARENS} parentheses are open at once.")
            elif tok.kind == "rp":
                paren -= 1
            if not elem and rows[-1] and isinstance(rows[-1][-1], TokenList) and not after_comma:
                if not tok.space_before:
                    raise Unreadable(f"Something follows a closing bracket at position {tok.pos + 1} without a comma.")
            elem.append(tok)
            after_comma = False
        i += 1
    if closer is not None:
        raise Unreadable("A bracket is opened but never closed: add the missing ‘]’ or ‘)’.")
    if paren > 0:
        raise Unreadable("A parenthesis is opened but never closed: add the missing ‘)’.")
    end_elem(False)
    return TokenList([r for r in rows if r]), i


def build(lst: TokenList) -> tuple[list, bool]:
    """(data, two_d): data is a list of elements (a vector) or a list of rows of elements (a matrix)."""
    rows = lst.rows
    if not rows:
        raise Unreadable("An empty pair of brackets: there is no number inside.")

    def as_row(sub: TokenList) -> list:
        data, two_d = build(sub)
        if two_d:
            raise Unreadable("Too many levels of brackets: an answer is at most a matrix (rows of numbers).")
        return data

    if len(rows) == 1:
        items = rows[0]
        if not any(isinstance(it, TokenList) for it in items):
            return items, False
        if not all(isinstance(it, TokenList) for it in items):
            raise Unreadable("A list mixes single numbers with bracketed rows: use one or the other.")
        if len(items) == 1:
            return build(items[0])  # brackets around the whole answer
        return [as_row(it) for it in items], True  # [[1, 2], [3, 4]]: each inner list is a row
    out = []
    for row in rows:
        if len(row) == 1 and isinstance(row[0], TokenList):
            out.append(as_row(row[0]))  # a row written as its own bracketed list
        elif not any(isinstance(it, TokenList) for it in row):
            out.append(row)
        else:
            raise Unreadable("A row mixes single numbers with bracketed lists: use one or the other.")
    return out, True



def element(toks: list[Tok]) -> tuple[float, int]:
    """(value, significant digits) of one element's tokens."""
    if len(toks) == 1 and toks[0].kind == "num":
        return number_value(toks[0].text), significant_digits(toks[0].text)
    if len(toks) == 2 and toks[0].kind == "op" and toks[0].text in "+-" and toks[1].kind == "num":
        v = number_value(toks[1].text)
        return (-v if toks[0].text == "-" else v), significant_digits(toks[1].text)
    if sum(t.kind in ("op", "name") for t in toks) > MAX_OPERATORS:
        raise Unreadable("The arithmetic is too long: compute part of it first.")
    for a, b in zip(toks, toks[1:] + [None], strict=True):
        if a.kind == "name" and a.text in FUNCTIONS and (b is None or b.kind != "lp"):
            raise Unreadable(f"{a.text} needs parentheses around its number, as in {a.text}(0.5).")
        if b is None:
            continue
        if ends_operand(a) and b.kind in ("num", "name") and not b.space_before:
            raise Unreadable(f"‘{a.text}’ and ‘{b.text}’ are written together without an operator between them.")
        if a.kind == "name" and a.text not in CONSTANTS and a.text not in FUNCTIONS:
            raise Unreadable(f"‘{a.text}’ is not a number or a known function (known: {', '.join(FUNCTIONS)}; "
                       "constants e and pi).")
    pieces = []
    for t in toks:
        pieces.append(f"({t.text[:-1]}/100)" if t.kind == "num" and t.text.endswith("%") else t.text)
    source = " ".join(pieces)
    try:
        tree = ast.parse(source, mode="eval")  # parsing only: the tree is walked below, never compiled
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        raise Unreadable(f"‘{show_tokens(toks)}’ is not arithmetic I can read: check for a missing number or "
                         "operator.") from None
    try:
        v = evaluate_tree(tree, 0)
    except RecursionError:
        raise Unreadable("The arithmetic is nested too deeply: simplify it.") from None
    if not math.isfinite(v):
        raise Unreadable(f"‘{show_tokens(toks)}’ is too large.")
    decimals = [significant_digits(t.text) for t in toks if t.kind == "num" and re.search(r"[.eE]", t.text)]
    return v, (min(decimals) if decimals else EXACT_DIGITS)


def show_tokens(toks: list[Tok]) -> str:
    s = "".join((" " if t.space_before and i else "") + t.text for i, t in enumerate(toks))
    return s if len(s) <= 40 else s[:37] + "..."
