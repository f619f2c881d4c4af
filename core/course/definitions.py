"""Exercise definitions: the TOML files in content/exercises/, read with tomllib and checked line by line.

A definition says which quantities a learner computes, in which order, with which hints, worked solution,
mistakes to look for and tolerance. The maths of each quantity lives in `core.course.rules`, one registry per
network; a file picks quantities of its network by id ("z[t]", "dh_raw[t]", "dE3_dh[k]"; "c[t]", "da_f[t]" for
the LSTM) and groups them in blocks that run over the steps:

    id = "forward_hello"            # must equal the file name
    title = "..."                   # Markdown
    summary = "..."                 # Markdown, optional
    lesson = "forward-equations"    # lesson slug
    text = "hello"                  # default training text (inputs text[:-1], targets text[1:])
    hidden = 3                      # default hidden size
    textbook_seed = 7               # the fixed variant; must be vetted (see core.course.engine.is_vetted)
    chain_T = 3                     # horizon K of the lecture's dE_K/dW (only with dE{K}... quantities)
    network = "vanilla"             # optional: "vanilla" (default), "lstm" or "gru": the cell, so the quantities
    steps = 2                       # optional: the network reads only the first `steps` inputs
    variants = "hello"              # optional: exercises naming the same group share one variant (seed, ...)
    own_text = true                 # optional: the learner may pick the training text (vanilla network only)
    practice_hidden = [2, 3]        # optional: hidden sizes offered for practice (default [2, 3, 4])
    truncation = 2                  # optional: k of truncated BPTT (for the dh_trunc... quantities)
    clip = { element = 0.5, norm = 1.0 }   # optional: the bounds of the clipping quantities
    [tolerance]                     # optional: rel, abs (defaults: core.course.checking.DEFAULT_TOLERANCE)

    [[block]]
    over = "t = 1..T"               # "once", "t = 1..T", "t = T..1", "k = K..1", "k = K-1..1", ...
    title = "Step {{t}}"            # optional, a template
    [[block.quantity]]
    id = "z[t]"
    label = 'z_{ {{t}} }'           # LaTeX, a template
    hints = ["...", "..."]          # two or three, templates
    solution = '''...'''            # Markdown + LaTeX, a template
    mistakes = ["no_bias"]          # optional: a subset of the rule's mistakes (default: all of them)
    when = "t >= 2"                 # optional: only at these steps
    tolerance = { rel = 0.02 }      # optional override

Templates put numbers in with double braces: `{{t}}`, `{{t-1}}`, `{{T}}`, `{{K}}`, `{{H}}`, `{{V}}` give
integers; `{{z[t]}}`, `{{h[t-1]}}`, `{{W_hh}}`, `{{loss}}` give values in LaTeX (a number to 4 significant
digits, a vector as a column, a matrix as a pmatrix); `| row` writes a vector inline as (a, b, c), `| T` as a
row matrix (a transposed column), `| plain` as text outside math. `{{input[t]}}`, `{{target[t]}}` and
`{{pred[t]}}` give characters, `{{vocab}}` the vocabulary, and `{{dW_hh[1..T]}}` every value of a range
joined by " + " (for sums); `{{inputs}}` lists the input characters and `{{text}}` is the text (for
summaries). Any value of `core.course.rules.truth_table` can be shown (e.g. `fpr[t]` = 1 - h_t^2, `p_target[t]`,
`exp_y[t]`, `sum_exp_y[t]`, `dh3_dh[k]`; for the LSTM `tanh_c[t]`, `dsig_i[t]`, `W_xi_x[t]`).

Every problem raises ContentError naming the file, the key (e.g. `block[2].quantity[3] "z[t]" .hints`)
and what is wrong, so an author can fix it without reading this module.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from core.course.checking import DEFAULT_TOLERANCE, Tolerance
from core.course.own_text import MAX_TEXT, text_problem
from core.course.rules import NETWORKS, Rule, known_templates, rule_for
from core.course.templates import dollar_problem, eval_int
from core.errors import ContentError
from core.paths import display_path as _display

MAX_HIDDEN = 8  # more hidden units than this is no longer an exercise by hand
DEFAULT_PRACTICE_HIDDEN = (2, 3, 4)  # hidden sizes offered for practice networks unless a file says otherwise
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_ID = re.compile(r"^[a-z0-9_]+$")
_TOP_KEYS = {"id", "title", "summary", "lesson", "text", "hidden", "textbook_seed", "chain_T", "tolerance", "block",
             "network", "steps", "variants", "own_text", "practice_hidden", "truncation", "clip"}
_BLOCK_KEYS = {"over", "title", "quantity"}
_Q_KEYS = {"id", "label", "hints", "solution", "mistakes", "when", "tolerance"}
_INT = r"(?:[tkTKHV]|\d+)(?:\s*[+-]\s*\d+)?"
_OVER = re.compile(rf"^\s*([tk])\s*=\s*({_INT})\s*\.\.\s*({_INT})\s*$")
_WHEN = re.compile(rf"^\s*([tk])\s*(>=|<=|==|!=|>|<)\s*({_INT})\s*$")


@dataclass(frozen=True)
class QuantitySpec:
    """One [[block.quantity]] table."""

    template: str  # id with the step variable: "z[t]"
    rule: Rule
    label: str
    hints: tuple[str, ...]
    solution: str
    mistakes: tuple[str, ...]  # mistake ids checked for this quantity
    tolerance: Tolerance
    when: tuple[str, str, str] | None  # (variable, operator, integer expression)
    key: str  # where it is in the file, for messages


@dataclass(frozen=True)
class BlockSpec:
    """One [[block]]: quantities asked together, once or at every step of a range."""

    over: str
    var: str | None  # "t", "k" or None for "once"
    start: str | None  # integer expressions, evaluated per instance
    stop: str | None
    title: str
    quantities: tuple[QuantitySpec, ...]
    key: str


@dataclass(frozen=True)
class Definition:
    """A validated exercise file."""

    id: str
    title: str
    summary: str
    lesson: str
    text: str
    hidden: int
    textbook_seed: int
    chain_T: int | None
    tolerance: Tolerance
    blocks: tuple[BlockSpec, ...]
    path: str
    network: str = "vanilla"  # "vanilla", "lstm" or "gru": which cell, so which rules and which network
    steps: int | None = None  # steps the network reads (None: every input of the text)
    variants: str = ""  # exercises with the same name share one variant (seed, hidden, text); default: the id
    own_text: bool = False  # may the learner pick the training text (forward and BPTT of the vanilla RNN)
    practice_hidden: tuple[int, ...] = DEFAULT_PRACTICE_HIDDEN
    truncation: int | None = None  # k of truncated BPTT (the truncation and clipping quantities)
    clip: tuple[float, float] | None = None  # (element bound, norm bound) of gradient clipping

    @property
    def templates(self) -> list[str]:
        return [q.template for b in self.blocks for q in b.quantities]

    @property
    def group(self) -> str:
        """The variant group: exercises of one group are worked on the same network."""
        return self.variants or self.id



def block_steps(block: BlockSpec, scope: dict[str, int]) -> list[int | None]:
    """The steps a block runs over, in order (descending when start > stop); [None] for 'once'."""
    if block.var is None:
        return [None]
    a, b = eval_int(block.start, scope), eval_int(block.stop, scope)
    return list(range(a, b + 1)) if a <= b else list(range(a, b - 1, -1))


def when_holds(when: tuple[str, str, str] | None, step: int | None, scope: dict[str, int]) -> bool:
    if when is None or step is None:
        return True
    _, op, rhs = when
    r = eval_int(rhs, scope)
    return {">=": step >= r, "<=": step <= r, "==": step == r, "!=": step != r, ">": step > r, "<": step < r}[op]



# ---------------------------------------------------------------------------------------------------------
# Reading a file


def _tol(raw, file, key: str, base: Tolerance) -> Tolerance:
    if not isinstance(raw, dict):
        raise ContentError(file, "must be a table like { rel = 0.01, abs = 0.001 }", where=key)
    unknown = set(raw) - {"rel", "abs"}
    if unknown:
        raise ContentError(file, f"unknown keys {sorted(unknown)} (allowed: rel, abs)", where=key)
    try:
        return Tolerance(rel=raw.get("rel", base.rel), abs=raw.get("abs", base.abs))
    except ValueError as e:
        raise ContentError(file, str(e), where=key) from None


def _text(raw: dict, name: str, file, key: str, required: bool = True) -> str:
    v = raw.get(name)
    if v is None and not required:
        return ""
    if not isinstance(v, str) or not v.strip():
        raise ContentError(file, "must be a non-empty string", where=f"{key}{name}")
    p = dollar_problem(v)
    if p:
        raise ContentError(file, p, where=f"{key}{name}")
    return v


def _int(raw: dict, name: str, file, lo: int, hi: int, required: bool = True) -> int | None:
    v = raw.get(name)
    if v is None and not required:
        return None
    if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
        raise ContentError(file, f"must be a whole number from {lo} to {hi} (got {v!r})", where=name)
    return v


def parse_definition(path: Path | str) -> Definition:
    """Read one exercise file and check its structure (the maths is checked by core.course.engine.load_exercise)."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContentError(path, "does not exist", where="(file)") from None
    except UnicodeDecodeError as e:
        raise ContentError(path, f"is not UTF-8 text: {e}", where="(file)") from None
    except tomllib.TOMLDecodeError as e:
        raise ContentError(path, f"is not valid TOML: {e}", where="(file)") from None
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise ContentError(path, f"unknown top-level key (allowed: {', '.join(sorted(_TOP_KEYS))})",
                           where=", ".join(sorted(unknown)))
    ex_id = raw.get("id")
    if not isinstance(ex_id, str) or not _ID.match(ex_id):
        raise ContentError(path, f"must be lower-case letters, digits and '_' (got {ex_id!r})", where="id")
    if ex_id != path.stem:
        raise ContentError(path, f"{ex_id!r} must match the file name ({path.stem}.toml)", where="id")
    title = _text(raw, "title", path, "")
    summary = _text(raw, "summary", path, "", required=False)
    lesson = raw.get("lesson")
    if not isinstance(lesson, str) or not _SLUG.match(lesson):
        raise ContentError(path, f"must be a lesson slug like 'forward-equations' (got {lesson!r})", where="lesson")
    text = raw.get("text")
    problem = text_problem(text)
    if problem:
        raise ContentError(path, problem, where="text")
    hidden = _int(raw, "hidden", path, 1, MAX_HIDDEN)
    seed = _int(raw, "textbook_seed", path, 0, 2**32 - 1)
    K = _int(raw, "chain_T", path, 1, MAX_TEXT - 1, required=False)
    if K is not None and K > len(text) - 1:
        raise ContentError(path, f"{K} is more than the {len(text) - 1} steps of text {text!r}", where="chain_T")
    tol = _tol(raw["tolerance"], path, "tolerance", DEFAULT_TOLERANCE) if "tolerance" in raw else DEFAULT_TOLERANCE
    settings = _settings(raw, path, text)
    blocks_raw = raw.get("block")
    if not isinstance(blocks_raw, list) or not blocks_raw:
        raise ContentError(path, "there are no [[block]] tables: add at least one", where="block")
    blocks = tuple(_block(b, i + 1, path, K, tol, settings["network"]) for i, b in enumerate(blocks_raw))
    seen: dict[str, str] = {}
    for b in blocks:
        for q in b.quantities:
            if q.template in seen:
                raise ContentError(path, f"{q.template!r} is already asked at {seen[q.template]}", where=q.key)
            seen[q.template] = q.key
            if q.rule.needs == "truncation" and settings["truncation"] is None:
                raise ContentError(path, f"{q.template!r} needs 'truncation = k' at the top of the file", where=q.key)
            if q.rule.needs == "clipping" and (settings["clip"] is None or settings["truncation"] is None):
                raise ContentError(path, f"{q.template!r} clips the truncated gradient: it needs 'truncation = k' "
                                   "and 'clip = { element = ..., norm = ... }' at the top of the file", where=q.key)
    return Definition(ex_id, title, summary, lesson, text, hidden, seed, K, tol, blocks, _display(path), **settings)


def _settings(raw: dict, path: Path, text: str) -> dict:
    """The optional top-level keys: which network, how many steps, variants, own text, truncation, clipping."""
    network = raw.get("network", "vanilla")
    if network not in NETWORKS:
        raise ContentError(path, f"must be one of {', '.join(NETWORKS)} (got {network!r})", where="network")
    T = len(text) - 1
    steps = _int(raw, "steps", path, 1, T, required=False)
    variants = raw.get("variants", "")
    if not isinstance(variants, str) or (variants and not _ID.match(variants)):
        raise ContentError(path, f"must be a group name of lower-case letters, digits and '_' (got {variants!r})",
                           where="variants")
    own_text = raw.get("own_text", False)
    if not isinstance(own_text, bool) or (own_text and network != "vanilla"):
        raise ContentError(path, "must be true or false, and true only for the vanilla network", where="own_text")
    practice = raw.get("practice_hidden", list(DEFAULT_PRACTICE_HIDDEN))
    if (not isinstance(practice, list) or not practice or len(set(practice)) != len(practice)
            or not all(isinstance(h, int) and not isinstance(h, bool) and 2 <= h <= MAX_HIDDEN for h in practice)):
        raise ContentError(path, f"must be a list of different hidden sizes from 2 to {MAX_HIDDEN}, like [2, 3] "
                           f"(got {practice!r})", where="practice_hidden")
    k = _int(raw, "truncation", path, 1, max(1, T - 1), required=False)
    clip = raw.get("clip")
    if clip is not None:
        if (not isinstance(clip, dict) or set(clip) != {"element", "norm"}
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in clip.values())):
            raise ContentError(path, "must be a table of two positive bounds, like { element = 0.5, norm = 1.0 }",
                               where="clip")
        clip = (float(clip["element"]), float(clip["norm"]))
    if (k is not None or clip is not None) and network != "vanilla":
        raise ContentError(path, "truncation and clipping are quantities of the vanilla network",
                           where="truncation" if k is not None else "clip")
    return dict(network=network, steps=steps, variants=variants, own_text=own_text,
                practice_hidden=tuple(practice), truncation=k, clip=clip)


def _block(raw, i: int, file, K: int | None, tol: Tolerance, network: str) -> BlockSpec:
    key = f"block[{i}]"
    if not isinstance(raw, dict):
        raise ContentError(file, "must be a table", where=key)
    unknown = set(raw) - _BLOCK_KEYS
    if unknown:
        raise ContentError(file, f"unknown key (allowed: {', '.join(sorted(_BLOCK_KEYS))})",
                           where=f"{key}.{sorted(unknown)[0]}")
    over = raw.get("over")
    if over == "once":
        var = start = stop = None
    else:
        m = _OVER.match(over) if isinstance(over, str) else None
        if not m:
            raise ContentError(file, f"must be 'once' or a range like 't = 1..T', 't = T..1', "
                               f"'k = K..1' (got {over!r})", where=f"{key}.over")
        var, start, stop = m.group(1), m.group(2), m.group(3)
        if var == "k" and K is None:
            raise ContentError(file, "a range over k needs chain_T at the top of the file", where=f"{key}.over")
    title = raw.get("title", "")
    if not isinstance(title, str):
        raise ContentError(file, "must be a string", where=f"{key}.title")
    qs = raw.get("quantity")
    if not isinstance(qs, list) or not qs:
        raise ContentError(file, "there are no [[block.quantity]] tables in this block", where=f"{key}.quantity")
    return BlockSpec(over, var, start, stop, title, tuple(_quantity(q, i, j + 1, file, K, var, tol, network)
                                                           for j, q in enumerate(qs)), key)


def _quantity(raw, bi: int, qi: int, file, K: int | None, var: str | None, tol: Tolerance,
              network: str) -> QuantitySpec:
    key = f"block[{bi}].quantity[{qi}]"
    if not isinstance(raw, dict):
        raise ContentError(file, "must be a table", where=key)
    template = raw.get("id")
    if not isinstance(template, str) or not template:
        raise ContentError(file, "is missing: name the quantity, e.g. id = \"z[t]\"", where=f"{key}.id")
    key = f'{key} "{template}"'
    unknown = set(raw) - _Q_KEYS
    if unknown:
        raise ContentError(file, f"unknown key (allowed: {', '.join(sorted(_Q_KEYS))})",
                           where=f"{key}.{sorted(unknown)[0]}")
    rule = rule_for(template, K, network)
    if rule is None:
        raise ContentError(file, f"no quantity of the {network} network is called {template!r}; known: "
                           f"{', '.join(known_templates(K, network))}", where=f"{key}.id")
    if rule.step != var:
        want = "a block with over = 'once'" if rule.step is None else f"a block over {rule.step}"
        raise ContentError(file, f"{template!r} belongs in {want}", where=f"{key}.id")
    label = _text(raw, "label", file, f"{key}.")
    hints = raw.get("hints")
    if not isinstance(hints, list) or not 2 <= len(hints) <= 3:
        raise ContentError(file, f"needs two or three hints (got {hints!r:.60})", where=f"{key}.hints")
    for n, h in enumerate(hints):
        if not isinstance(h, str) or not h.strip():
            raise ContentError(file, "must be a non-empty string", where=f"{key}.hints[{n + 1}]")
        p = dollar_problem(h)
        if p:
            raise ContentError(file, p, where=f"{key}.hints[{n + 1}]")
    solution = _text(raw, "solution", file, f"{key}.")
    known = [m.mistake.id for m in rule.mutations]
    mistakes = raw.get("mistakes", known)
    if not isinstance(mistakes, list) or not all(isinstance(m, str) for m in mistakes):
        raise ContentError(file, "must be a list of mistake ids", where=f"{key}.mistakes")
    for m in mistakes:
        if m not in known:
            raise ContentError(file, f"{template!r} has no mistake {m!r}; known: "
                               f"{', '.join(known) or '(none)'}", where=f"{key}.mistakes")
    if len(set(mistakes)) != len(mistakes):
        raise ContentError(file, "lists a mistake twice", where=f"{key}.mistakes")
    when = raw.get("when")
    when_t = None
    if when is not None:
        m = _WHEN.match(when) if isinstance(when, str) else None
        if not m or m.group(1) != var:
            raise ContentError(file, f"must be a condition on {var or 'the step'} like "
                               f"'{var or 't'} >= 2' (got {when!r})", where=f"{key}.when")
        when_t = (m.group(1), m.group(2), m.group(3))
    qtol = _tol(raw["tolerance"], file, f"{key}.tolerance", tol) if "tolerance" in raw else tol
    return QuantitySpec(template, rule, label, tuple(hints), solution, tuple(mistakes), qtol, when_t, key)
