"""The Markdown + LaTeX of course content: templates filled with an instance's numbers, and text checks.

Templates put numbers in with double braces: `{{t}}`, `{{t-1}}`, `{{T}}`, `{{K}}`, `{{H}}`, `{{V}}` give
integers; `{{z[t]}}`, `{{h[t-1]}}`, `{{W_hh}}`, `{{loss}}` give values in LaTeX (a number to 4 significant
digits, a vector as a column, a matrix as a pmatrix); `| row` writes a vector inline as (a, b, c), `| T` as a
row matrix (a transposed column), `| plain` as text outside math; `{{dW_hh[1..T]}}` joins every value of a
range with " + ". `text_problems` finds what would break a text on screen (a TOML escape eating a LaTeX
command, an unclosed formula).
"""
from __future__ import annotations

import re

import numpy as np

from core.formatting import format_value, latex_array, latex_num


def eval_int(expr: str, scope: dict[str, int]) -> int:
    """'t-1', 'K', '3', 'T - 1' -> int, with t, k, T, K, H, V from scope; KeyError if a name is unset."""
    m = re.fullmatch(r"\s*([tkTKHV]|\d+)\s*(?:([+-])\s*(\d+))?\s*", expr)
    if not m:
        raise ValueError(f"{expr!r} is not a step expression like t, t-1, T, K-1 or 2")
    base = int(m.group(1)) if m.group(1).isdigit() else scope[m.group(1)]
    if m.group(2):
        base = base + int(m.group(3)) if m.group(2) == "+" else base - int(m.group(3))
    return base




_PLACEHOLDER = re.compile(r"\{\{\s*(.*?)\s*\}\}")
_REF = re.compile(r"^([A-Za-z_][A-Za-z_0-9]*)(?:\[\s*([^\]]+?)\s*\])?$")
FILTERS = ("row", "T", "plain")


class TemplateError(ValueError):
    """A placeholder that cannot be filled in."""


def latex_value(v, filt: str | None = None) -> str:
    """A value of the truth table in LaTeX (or plain text with filt='plain')."""
    if isinstance(v, str):
        return "␣" if v == " " else v  # a space would be invisible between quotes
    a = np.asarray(v, dtype=np.float64)
    if filt == "plain":
        return format_value(a, digits=4)
    if a.ndim == 1 and filt == "row":
        return r"\left(" + ",\\ ".join(latex_num(x) for x in a) + r"\right)"
    if filt == "T":
        return latex_array(a[None, :] if a.ndim == 1 else a.T)  # a row matrix, or the transposed matrix
    return latex_array(a)


def render(template: str, scope: dict[str, int], values: dict) -> str:
    """Fill every {{...}} of `template`; TemplateError names the first placeholder that fails."""
    def fill(m: re.Match) -> str:
        inner = m.group(1)
        ref, _, filt = inner.partition("|")
        ref, filt = ref.strip(), filt.strip() or None
        if filt is not None and filt not in FILTERS:
            raise TemplateError(f"{{{{{inner}}}}}: unknown filter {filt!r} (known: {', '.join(FILTERS)})")
        try:
            return str(eval_int(ref, scope))
        except KeyError as e:
            raise TemplateError(f"{{{{{inner}}}}}: {e.args[0]} is not defined here") from None
        except ValueError:
            pass
        r = _REF.match(ref)
        if not r:
            raise TemplateError(f"{{{{{inner}}}}}: not a value name like z[t] or W_hh, nor a step like t-1")
        name, idx = r.group(1), r.group(2)
        key = name
        if idx is not None and ".." in idx:  # name[a..b]: every value in the range, joined by " + "
            lo, _, hi = idx.partition("..")
            try:
                a, b = eval_int(lo, scope), eval_int(hi, scope)
            except (KeyError, ValueError) as e:
                raise TemplateError(f"{{{{{inner}}}}}: the range {idx!r} is not a range of steps ({e})") from None
            keys = [f"{name}[{s}]" for s in (range(a, b + 1) if a <= b else range(a, b - 1, -1))]
            missing = [k for k in keys if k not in values]
            if missing or not keys:
                raise TemplateError(f"{{{{{inner}}}}}: there is no value {missing[0] if missing else idx!r}")
            return " + ".join(latex_value(values[k], filt) for k in keys)
        if idx is not None:
            try:
                key = f"{name}[{eval_int(idx, scope)}]"
            except (KeyError, ValueError) as e:
                raise TemplateError(f"{{{{{inner}}}}}: the index {idx!r} is not a step here ({e})") from None
        if key not in values:
            close = sorted(k for k in values if k.split("[")[0] == name)[:4]
            hint = f" (defined: {', '.join(close)})" if close else ""
            raise TemplateError(f"{{{{{inner}}}}}: there is no value {key!r}{hint}")
        return latex_value(values[key], filt)
    return _PLACEHOLDER.sub(fill, template)


def dollar_problem(text: str) -> str | None:
    """A message if the $...$ math delimiters of a Markdown string do not pair up."""
    n = len(re.findall(r"(?<!\\)\$", text))
    return None if n % 2 == 0 else "has an odd number of $ signs, so some math is not closed"




def text_problems(value: str, name: str) -> list[str]:
    """Problems of a text field: control characters from TOML escapes, unbalanced dollar signs."""
    out = []
    bad = sorted({repr(c) for c in value if c in "\t\b\f\r\v"})
    if bad:
        out.append(f"{name} contains control characters {', '.join(bad)}: a LaTeX command like \\tanh, \\frac or "
                   f"\\begin was read as a TOML escape; write LaTeX inside single-quoted strings '...' or '''...'''")
    problem = dollar_problem(value)
    if problem:
        out.append(f"{name} {problem}")
    return out
