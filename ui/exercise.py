"""What the exercise screens share: the exercises and their cached instances, and the variant being worked on.

A screen is a list of groups (one step of the forward pass, one step back in BPTT...), each a form with one
input per quantity (ui.exercise_view draws them; ui.exercise_work keeps the learner's work). The variant
(seed, hidden size) lives in the URL as well, so a learner can reload, share or come back to the same network.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from core.course.definitions import MAX_HIDDEN
from core.course.engine import (
    Definition,
    Instance,
    is_vetted,
    load_all,
    make_instance,
    vetted_seed,
)
from core.rnn.gradcheck import numerical_gradient
from core.rnn.model import forward
from ui import identity
from ui.exercise_view import format_help, group_form, group_picker, show_network, summary
from ui.exercise_work import get_work, groups, widget_key

VARIANT_KEY = "rnn_variant"  # {"seed": int, "hidden": int}: shared by the forward and BPTT screens
MAX_SEED = 2**31 - 1
PRACTICE_HIDDEN = (2, 3, 4)  # hidden sizes offered for practice: still sane by hand
MIN_HIDDEN = 2  # with one hidden unit W_hh is 1×1, so "W where Wᵀ belongs" cannot be told from the truth
EXERCISE_PAGES = {"forward_hello": "pages/forward_exercise.py", "bptt_hello": "pages/bptt_exercise.py"}


# ---------------------------------------------------------------------------------------------------------
# Cached builders: they depend only on their arguments, and instances are read-only, so one object serves
# every session (cache_resource: no copy per rerun).


@st.cache_resource(show_spinner=False)
def definitions() -> dict[str, Definition]:
    return load_all()


@st.cache_resource(show_spinner=False, max_entries=256)
def instance(definition_id: str, seed: int, hidden: int) -> Instance:
    return make_instance(definitions()[definition_id], seed, hidden=hidden)


@st.cache_data(show_spinner=False, max_entries=1024)
def vetted_for_all(start: int, hidden: int) -> int:
    """The first seed >= start that is vetted for every exercise, so BPTT can continue the forward variant."""
    defs = list(definitions().values())
    seed = start
    for _ in range(100):  # vetted_seed itself gives up (ValueError) after a long run of unclear seeds
        seed = vetted_seed(defs[0], seed, hidden=hidden)
        if all(is_vetted(d, seed, hidden=hidden) for d in defs[1:]):
            return seed
        seed += 1
    raise ValueError(f"no seed from {start} on is clear for every exercise at hidden size {hidden}")


@st.cache_data(show_spinner=False, max_entries=256)
def numerical_grads(definition_id: str, seed: int, hidden: int) -> dict[str, np.ndarray]:
    """Central-difference gradients of the total loss, the independent check of a learner's BPTT."""
    inst = instance(definition_id, seed, hidden)
    params = inst.params.copy()
    tr = inst.trace
    out = {}
    for name, arr in params.items():
        out[name] = numerical_gradient(lambda: forward(params, tr.inputs, tr.targets).loss, arr)
    return out


# ---------------------------------------------------------------------------------------------------------
# The variant


def textbook(definition: Definition) -> tuple[int, int]:
    return definition.textbook_seed, definition.hidden


def _variant_from_link(definition: Definition, raw_seed: str | None, raw_hidden: str | None) -> tuple[int, int]:
    """The (seed, hidden) a link names, or the textbook's with a message saying what was wrong with it."""
    tb_seed, tb_hidden = textbook(definition)
    try:
        seed = tb_seed if raw_seed is None else int(raw_seed)
        hidden = tb_hidden if raw_hidden is None else int(raw_hidden)
        if not (0 <= seed <= MAX_SEED and MIN_HIDDEN <= hidden <= MAX_HIDDEN):
            raise ValueError
    except ValueError:
        named = [f"seed {raw_seed!r}" if raw_seed is not None else "", f"hidden size {raw_hidden!r}"
                 if raw_hidden is not None else ""]
        st.warning(f"The link's {' and '.join(n for n in named if n)} is not valid: seeds go from 0 to "
                   f"{MAX_SEED} and hidden sizes from {MIN_HIDDEN} to {MAX_HIDDEN}. Showing the textbook network "
                   "instead.", icon=":material/link_off:")
        return tb_seed, tb_hidden
    if (seed, hidden) == (tb_seed, tb_hidden) or all(is_vetted(d, seed, hidden=hidden)
                                                    for d in definitions().values()):
        return seed, hidden
    try:
        vetted = vetted_for_all(seed, hidden)
    except ValueError:  # no clear variant near this seed at this size
        st.warning(f"No network near seed {seed} with hidden size {hidden} lets every mistake be told apart. "
                   "Showing the textbook network instead.", icon=":material/link_off:")
        return tb_seed, tb_hidden
    st.info(f"Seed {seed} gives a network where two mistakes would look alike, so the nearest clear variant, "
            f"seed {vetted}, is shown.", icon=":material/shuffle:")
    return vetted, hidden


def choose_variant(definition: Definition) -> tuple[int, int]:
    """The (seed, hidden) to show: from the URL if it names one, else this session's, else the textbook's."""
    qp = st.query_params
    variant = st.session_state.get(VARIANT_KEY)
    if "seed" in qp or "hidden" in qp:
        seed, hidden = _variant_from_link(definition, qp.get("seed"), qp.get("hidden"))
        variant = {"seed": seed, "hidden": hidden}
    if variant is None:
        seed, hidden = textbook(definition)
        variant = {"seed": seed, "hidden": hidden}
    st.session_state[VARIANT_KEY] = variant
    if qp.get("seed") != str(variant["seed"]) or qp.get("hidden") != str(variant["hidden"]):
        qp.update(seed=str(variant["seed"]), hidden=str(variant["hidden"]))
    return variant["seed"], variant["hidden"]


def current_or_textbook_variant() -> tuple[int, int]:
    """(seed, hidden) of the variant this session works on, else the textbook network's."""
    variant = st.session_state.get(VARIANT_KEY)
    if variant:
        return variant["seed"], variant["hidden"]
    return textbook(definitions()["forward_hello"])


def reset_explorer(variant: tuple[int, int]) -> None:
    """Callback: put the explorer back on the exercises' network."""
    st.session_state.update(explorer_text="hello", explorer_seed=variant[0], explorer_hidden=variant[1],
                            explorer_hand=True)


def _set_variant(seed: int, hidden: int) -> None:
    st.session_state[VARIANT_KEY] = {"seed": int(seed), "hidden": int(hidden)}
    st.query_params.update(seed=str(seed), hidden=str(hidden))


def _new_practice(current_seed: int, hidden_key: str) -> None:
    hidden = int(st.session_state[hidden_key])
    start = int(np.random.default_rng(current_seed).integers(0, 1_000_000))  # seeded: a variant names the next
    _set_variant(vetted_for_all(start, hidden), hidden)


def variant_controls(definition: Definition, seed: int, hidden: int) -> None:
    """Textbook or practice; a new practice network on request; the URL holds the choice."""
    is_textbook = (seed, hidden) == textbook(definition)
    c1, c2, c3 = st.columns([3, 2, 2], vertical_alignment="bottom")
    with c1:
        if is_textbook:
            st.markdown(f"**Textbook network**: hidden size {hidden}, weights with two decimals (seed {seed}).")
        else:
            st.markdown(f"**Practice network**: hidden size {hidden}, seed {seed}.")
        st.caption("The address bar holds this network's seed: reload, bookmark or share it to come back to it.")
    hidden_key = f"practice_hidden::{definition.id}"
    if hidden_key not in st.session_state:
        st.session_state[hidden_key] = hidden if hidden in PRACTICE_HIDDEN else 3
    c2.selectbox("Hidden size for practice", PRACTICE_HIDDEN, key=hidden_key,
                 help="Used by the next practice network: press New practice network.")
    c3.button("New practice network", icon=":material/casino:", key=f"new_practice::{definition.id}",
              on_click=_new_practice, args=(seed, hidden_key), width="stretch")
    if not is_textbook:
        c3.button("Back to the textbook network", key=f"to_textbook::{definition.id}", on_click=_set_variant,
                  args=textbook(definition), width="stretch")


def exercise_header(definition: Definition) -> tuple[Instance, list[tuple[str, list]]]:
    """What both exercise screens show under their title: the task, the learner, the variant and its controls."""
    st.markdown(definition.summary)
    identity.caption()
    seed, hidden = choose_variant(definition)
    variant_controls(definition, seed, hidden)
    inst = instance(definition.id, seed, hidden)
    return inst, groups(inst)



__all__ = ["EXERCISE_PAGES", "current_or_textbook_variant", "definitions", "exercise_header", "format_help",
           "get_work", "group_form", "group_picker", "groups", "instance", "numerical_grads", "reset_explorer",
           "show_network", "summary", "widget_key"]
