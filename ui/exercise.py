"""What the exercise screens share: the exercises and their cached instances, and the variant being worked on.

A screen is a list of groups (one step of the forward pass, one step back in BPTT...), each a form with one
input per quantity (ui.exercise_view draws them; ui.exercise_work keeps the learner's work). The variant
(seed, hidden size and, where the learner may choose it, the training text) lives in the URL as well, so a
learner can reload, share or come back to the same network: `?seed=26&hidden=3&text=abba`. Exercises of one
variant group (a definition's `variants`, e.g. the forward and BPTT screens) share one variant, vetted for
each of them.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import streamlit as st

from core.course.definitions import MAX_HIDDEN
from core.course.engine import Definition, Instance, intro, is_vetted, load_all, make_instance, vetted_seed
from core.course.own_text import MAX_TEXT, clean_text
from core.formatting import md_escape
from core.rnn.gradcheck import numerical_gradient
from core.rnn.model import forward
from ui import identity
from ui.exercise_view import format_help, group_form, group_picker, show_network, summary
from ui.exercise_work import get_work, groups, widget_key

VARIANT_KEY = "rnn_variant"  # session-state prefix: one variant {"seed", "hidden", "text"} per variant group
TEXT_PROBLEM_KEY = "rnn_text_problem"  # why the text a learner just typed was refused, shown once
MAX_SEED = 2**31 - 1
MIN_HIDDEN = 2  # with one hidden unit W_hh is 1×1, so "W where Wᵀ belongs" cannot be told from the truth
EXERCISE_PAGES = {"forward_hello": "pages/forward_exercise.py", "bptt_hello": "pages/bptt_exercise.py",
                  "truncation_hello": "pages/truncation_exercise.py", "lstm_step": "pages/lstm_exercise.py",
                  "gru_step": "pages/gru_exercise.py"}


class Variant(NamedTuple):
    seed: int
    hidden: int
    text: str


# ---------------------------------------------------------------------------------------------------------
# Cached builders: they depend only on their arguments, and instances are read-only, so one object serves
# every session (cache_resource: no copy per rerun).


@st.cache_resource(show_spinner=False)
def definitions() -> dict[str, Definition]:
    return load_all()


@st.cache_resource(show_spinner=False, max_entries=256)
def instance(definition_id: str, seed: int, hidden: int, text: str | None = None) -> Instance:
    return make_instance(definitions()[definition_id], seed, hidden=hidden, text=text)


def members(group: str) -> list[Definition]:
    """The exercises that share one variant."""
    return [d for d in definitions().values() if d.group == group]


def _text_for(d: Definition, text: str) -> str:
    return text if d.own_text else d.text


@st.cache_data(show_spinner=False, max_entries=1024)
def vetted_for_group(group: str, start: int, hidden: int, text: str) -> int:
    """The first seed >= start that is vetted for every exercise of the group (so BPTT can continue the
    forward variant); ValueError when there is none nearby."""
    defs = members(group)
    seed = start
    for _ in range(100):  # vetted_seed itself gives up (ValueError) after a long run of unclear seeds
        seed = vetted_seed(defs[0], seed, hidden=hidden, text=_text_for(defs[0], text))
        if all(is_vetted(d, seed, hidden=hidden, text=_text_for(d, text)) for d in defs[1:]):
            return seed
        seed += 1
    raise ValueError(f"no seed from {start} on is clear for every exercise at hidden size {hidden}")


def vetted_for_all(start: int, hidden: int, text: str = "hello") -> int:
    """The first seed >= start vetted for the forward and BPTT exercises (the "hello" variant group)."""
    return vetted_for_group(definitions()["forward_hello"].group, start, hidden, text)


@st.cache_data(show_spinner=False, max_entries=256)
def numerical_grads(definition_id: str, seed: int, hidden: int, text: str | None = None) -> dict[str, np.ndarray]:
    """Central-difference gradients of the total loss, the independent check of a learner's BPTT."""
    inst = instance(definition_id, seed, hidden, text)
    params = inst.params.copy()
    tr = inst.trace
    out = {}
    for name, arr in params.items():
        out[name] = numerical_gradient(lambda: forward(params, tr.inputs, tr.targets).loss, arr)
    return out


# ---------------------------------------------------------------------------------------------------------
# The variant


def textbook(definition: Definition) -> Variant:
    return Variant(definition.textbook_seed, definition.hidden, definition.text)


def _key(definition: Definition) -> str:
    return f"{VARIANT_KEY}::{definition.group}"


def _stored(definition: Definition) -> Variant | None:
    """This session's variant of the definition's group, if it has one."""
    s = st.session_state.get(_key(definition))
    return Variant(s["seed"], s["hidden"], s.get("text", definition.text)) if s else None


def _is_clear(definition: Definition, v: Variant) -> bool:
    """The variant is the textbook's or vetted for every exercise of its group (the cached search starts there)."""
    if v == textbook(definition):
        return True
    try:
        return vetted_for_group(definition.group, v.seed, v.hidden, v.text) == v.seed
    except ValueError:
        return False


def _variant_from_link(definition: Definition, raw_seed, raw_hidden, raw_text) -> Variant:
    """The variant a link names, or the textbook's with a message saying what was wrong with it."""
    tb = textbook(definition)
    text, problem = clean_text(raw_text) if raw_text is not None and definition.own_text else (tb.text, None)
    if problem:
        st.warning(f"The link's text cannot be used: {problem} Showing the textbook network instead.",
                   icon=":material/link_off:")
        return tb
    try:
        seed = tb.seed if raw_seed is None else int(raw_seed)
        hidden = tb.hidden if raw_hidden is None else int(raw_hidden)
        if not (0 <= seed <= MAX_SEED and MIN_HIDDEN <= hidden <= MAX_HIDDEN):
            raise ValueError
    except ValueError:
        named = [f"seed {raw_seed!r}" if raw_seed is not None else "", f"hidden size {raw_hidden!r}"
                 if raw_hidden is not None else ""]
        st.warning(f"The link's {' and '.join(n for n in named if n)} is not valid: seeds go from 0 to "
                   f"{MAX_SEED} and hidden sizes from {MIN_HIDDEN} to {MAX_HIDDEN}. Showing the textbook network "
                   "instead.", icon=":material/link_off:")
        return tb
    asked = Variant(seed, hidden, text)
    if _is_clear(definition, asked):
        return asked
    try:
        vetted = vetted_for_group(definition.group, seed, hidden, text)
    except ValueError:  # no clear variant near this seed at this size
        st.warning(f"No network near seed {seed} with hidden size {hidden} lets every mistake be told apart. "
                   "Showing the textbook network instead.", icon=":material/link_off:")
        return tb
    st.info(f"Seed {seed} gives a network where two mistakes would look alike, so the nearest clear variant, "
            f"seed {vetted}, is shown.", icon=":material/shuffle:")
    return Variant(vetted, hidden, text)


def choose_variant(definition: Definition) -> Variant:
    """The variant to show: from the URL if it names one, else this session's, else the textbook's."""
    qp = st.query_params
    variant = _stored(definition)
    if "seed" in qp or "hidden" in qp or ("text" in qp and definition.own_text):
        variant = _variant_from_link(definition, qp.get("seed"), qp.get("hidden"), qp.get("text"))
    if variant is None:
        variant = textbook(definition)
    _set_variant(definition.id, *variant)
    return variant


def current_or_textbook_variant() -> Variant:
    """The variant of the forward and BPTT exercises this session works on, else the textbook network's."""
    d = definitions()["forward_hello"]
    return _stored(d) or textbook(d)


def reset_explorer(variant: Variant) -> None:
    """Callback: put the explorer back on the exercises' network."""
    st.session_state.update(explorer_text=variant.text, explorer_seed=variant.seed, explorer_hidden=variant.hidden,
                            explorer_hand=True)


def _set_variant(definition_id: str, seed: int, hidden: int, text: str) -> None:
    d = definitions()[definition_id]
    st.session_state[_key(d)] = {"seed": int(seed), "hidden": int(hidden), "text": text}
    wanted = {"seed": str(seed), "hidden": str(hidden)} | ({"text": text} if d.own_text else {})
    qp = st.query_params
    if any(qp.get(k) != v for k, v in wanted.items()):
        qp.update(wanted)
    if not d.own_text and "text" in qp:
        del qp["text"]  # a text left over from another screen's link means nothing here


def _new_practice(definition_id: str, current: Variant, hidden_key: str) -> None:
    d = definitions()[definition_id]
    hidden = int(st.session_state[hidden_key])
    start = int(np.random.default_rng(current.seed).integers(0, 1_000_000))  # seeded: a variant names the next
    _set_variant(d.id, vetted_for_group(d.group, start, hidden, current.text), hidden, current.text)


def _use_text(definition_id: str, current: Variant, text_key: str) -> None:
    """Form callback: work on the learner's own text, at the nearest clear seed from the current one."""
    d = definitions()[definition_id]
    text, problem = clean_text(st.session_state.get(text_key, ""))
    if problem is None:
        try:
            _set_variant(d.id, vetted_for_group(d.group, current.seed, current.hidden, text), current.hidden, text)
            return
        except ValueError:
            problem = (f"no network near seed {current.seed} with hidden size {current.hidden} lets every mistake "
                       "be told apart on this text: try another hidden size or another text.")
    st.session_state[TEXT_PROBLEM_KEY] = problem


def variant_controls(definition: Definition, v: Variant) -> None:
    """Textbook or practice; a new practice network on request; the URL holds the choice."""
    tb = textbook(definition)
    c1, c2, c3 = st.columns([3, 2, 2], vertical_alignment="bottom")
    with c1:
        if v == tb:
            st.markdown(f"**Textbook network**: hidden size {v.hidden}, weights with two decimals (seed {v.seed}).")
        elif v.text != tb.text:
            st.markdown(f"**Your text “{md_escape(v.text)}”**: hidden size {v.hidden}, seed {v.seed}.")
        else:
            st.markdown(f"**Practice network**: hidden size {v.hidden}, seed {v.seed}.")
        st.caption("The address bar holds this network's seed: reload, bookmark or share it to come back to it.")
    hidden_key = f"practice_hidden::{definition.id}"
    offered = definition.practice_hidden
    if st.session_state.get(hidden_key) not in offered:
        st.session_state[hidden_key] = v.hidden if v.hidden in offered else offered[0]
    c2.selectbox("Hidden size for practice", offered, key=hidden_key,
                 help="Used by the next practice network: press New practice network.")
    c3.button("New practice network", icon=":material/casino:", key=f"new_practice::{definition.id}",
              on_click=_new_practice, args=(definition.id, v, hidden_key), width="stretch")
    if v != tb:
        c3.button("Back to the textbook network", key=f"to_textbook::{definition.id}", on_click=_set_variant,
                  args=(definition.id, *tb), width="stretch")
    if definition.own_text:
        text_controls(definition, v)


def text_controls(definition: Definition, v: Variant) -> None:
    """'Your own text': any short text instead of hello, checked, with a clear message when it cannot be used."""
    with st.expander("Your own text: a name, “abba”, “hey you”…", expanded=v.text != definition.text):
        key = f"own_text::{definition.group}"
        st.session_state.setdefault(key, v.text)
        with st.form(f"own_text_form::{definition.id}", border=False):
            c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
            c1.text_input(f"Training text (2 to {MAX_TEXT} characters)", key=key, max_chars=MAX_TEXT + 8,
                          help="The inputs are the text without its last character, the targets the text without "
                               "its first; the vocabulary is its characters in order of first appearance.")
            c2.form_submit_button("Use this text", icon=":material/edit:", on_click=_use_text,
                                  args=(definition.id, v, key))
        problem = st.session_state.pop(TEXT_PROBLEM_KEY, None)
        if problem:
            st.error(f"{problem} The network stays on “{md_escape(v.text)}”.", icon=":material/text_format:")
        st.caption("Every screen of this network (the forward pass and BPTT) then works on your text; the link "
                   "in the address bar holds it, so an instructor can share one with a class.")


def exercise_header(definition: Definition) -> tuple[Instance, list[tuple[str, list]]]:
    """What every exercise screen shows under its title: the task, the learner, the variant and its controls."""
    v = choose_variant(definition)
    inst = instance(definition.id, v.seed, v.hidden, v.text if definition.own_text else None)
    st.markdown(intro(inst))
    identity.caption()
    variant_controls(definition, v)
    return inst, groups(inst)


__all__ = ["EXERCISE_PAGES", "Variant", "current_or_textbook_variant", "definitions", "exercise_header",
           "format_help", "get_work", "group_form", "group_picker", "groups", "instance", "numerical_grads",
           "reset_explorer", "show_network", "summary", "vetted_for_all", "vetted_for_group", "widget_key"]
