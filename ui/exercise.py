"""The machinery the two "hello" exercise screens share: the variant, the answer forms, feedback, hints.

A screen is a list of groups (one step of the forward pass, one step back in BPTT...), each a form with one
input per quantity. Checking a group grades the learner's whole chain with the engine (core.course.engine), so an
answer can earn credit for following from their own earlier values, and every checked answer is saved.

State lives in one session-state dict per variant (`Work`), not in the widgets, so answers, feedback,
hints and revealed solutions survive page switches and reruns. The variant (seed, hidden size) lives in
the URL as well, so a learner can reload, share or come back to the same network.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import streamlit as st

from core.course.answers import FORMAT_HELP, parse_answer
from core.course.definitions import MAX_HIDDEN
from core.course.engine import (
    ECF_CREDIT,
    Definition,
    Instance,
    Verdict,
    grade,
    hints,
    is_vetted,
    load_all,
    make_instance,
    score,
    solution,
    vetted_seed,
)
from core.formatting import bmatrix, shape_words
from core.progress import StoreError
from core.rnn.gradcheck import numerical_gradient
from core.rnn.model import forward
from ui.content import get_content
from ui.diagram import unrolled_dot
from ui.progress import current_learner, get_store, learner_caption, save_checked

VARIANT_KEY = "rnn_variant"  # {"seed": int, "hidden": int}: shared by the forward and BPTT screens
MAX_SEED = 2**31 - 1
PRACTICE_HIDDEN = (2, 3, 4)  # hidden sizes offered for practice: still sane by hand
MIN_HIDDEN = 2  # with one hidden unit W_hh is 1×1, so "W where Wᵀ belongs" cannot be told from the truth
EXERCISE_PAGES = {"forward_hello": "pages/forward_exercise.py", "bptt_hello": "pages/bptt_exercise.py"}

STATUS_LOOK = {  # status -> (icon, Streamlit callout)
    "correct": (":material/check_circle:", "success"),
    "close": (":material/edit_note:", "warning"),
    "ecf": (":material/call_split:", "info"),
    "mistake": (":material/psychology_alt:", "error"),
    "wrong": (":material/cancel:", "error"),
    "invalid": (":material/help:", "warning"),
    "revealed": (":material/visibility:", "info"),
}


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
    learner_caption()
    seed, hidden = choose_variant(definition)
    variant_controls(definition, seed, hidden)
    inst = instance(definition.id, seed, hidden)
    return inst, groups(inst)


# ---------------------------------------------------------------------------------------------------------
# The learner's work on one variant


@dataclass
class Work:
    """Everything a learner did on one variant of one exercise."""

    answers: dict[str, str] = field(default_factory=dict)  # qid -> text as last checked
    feedback: dict[str, Verdict] = field(default_factory=dict)  # qid -> verdict of the last check
    checked: set[str] = field(default_factory=set)  # qids whose group was checked at least once
    revealed: set[str] = field(default_factory=set)
    hints: dict[str, int] = field(default_factory=dict)  # qid -> hints shown
    attempts: dict[str, int] = field(default_factory=dict)  # qid -> attempts used (invalid/blank never count)
    recorded: dict[str, str] = field(default_factory=dict)  # qid -> the answer text last saved to the store
    mistakes: list[tuple[str, str, str]] = field(default_factory=list)  # (qid, mistake name, lesson) made


def work_key(inst: Instance) -> str:
    """One Work per learner and variant: choosing another name shows that learner's work."""
    return f"work::{current_learner() or ''}::{inst.definition.id}::{inst.seed}::{inst.hidden}"


def get_work(inst: Instance) -> Work:
    key = work_key(inst)
    if key not in st.session_state:
        st.session_state[key] = restore_work(inst)
    return st.session_state[key]


def restore_work(inst: Instance) -> Work:
    """A named learner's saved answers on this variant, checked again, so work goes on where it stopped."""
    work = Work()
    learner = current_learner()
    if learner is None:  # a guest's answers may be anybody's on a shared server: start clean
        return work
    try:
        saved = get_store().attempts(learner, inst.definition.id)
    except StoreError:
        return work
    ids = set(inst.ids)
    for a in saved:  # oldest first: the latest answer of each quantity wins
        if a.variant_seed != inst.seed or a.quantity_id not in ids:
            continue
        q = inst.quantity(a.quantity_id)
        if a.solution_revealed:
            work.revealed.add(q.id)
        elif q.kind != "char" and not parse_answer(a.answer_text, q.shape).ok:
            continue  # saved for another hidden size with the same seed (the store keeps the seed only)
        else:
            work.answers[q.id] = a.answer_text
            work.recorded[q.id] = a.answer_text
            work.attempts[q.id] = work.attempts.get(q.id, 0) + 1
        work.hints[q.id] = max(work.hints.get(q.id, 0), a.hints_used)
        work.checked.add(q.id)
    if work.checked:
        feedback = _regrade(inst, work)
        work.feedback = {qid: fb for qid, fb in feedback.items() if qid in work.checked}
        work.mistakes = [(qid, fb.mistake.name, fb.mistake.lesson) for qid, fb in work.feedback.items()
                         if fb.mistake is not None]
    return work


def widget_key(inst: Instance, qid: str) -> str:
    return f"in::{inst.definition.id}::{inst.seed}::{inst.hidden}::{qid}"


def groups(inst: Instance) -> list[tuple[str, list]]:
    """[(group title, [Quantity, ...])] in exercise order."""
    out: dict[str, list] = {}
    for q in inst.quantities:
        out.setdefault(q.group, []).append(q)
    return list(out.items())


def _regrade(inst: Instance, work: Work) -> dict[str, Verdict]:
    return grade(inst, work.answers, revealed=frozenset(work.revealed))


def check_group(inst: Instance, qids: list[str]) -> None:
    """Form callback: read the group's inputs, grade the whole chain, save what counts as an attempt."""
    work = get_work(inst)
    for qid in qids:
        work.answers[qid] = st.session_state.get(widget_key(inst, qid), "") or ""
    work.checked.update(qids)
    feedback = _regrade(inst, work)
    work.feedback = {qid: fb for qid, fb in feedback.items() if qid in work.checked}
    # blank, unreadable, revealed, or the same answer checked again: no new attempt
    new = [(qid, feedback[qid]) for qid in qids if qid not in work.revealed and feedback[qid].counts
           and work.recorded.get(qid) != work.answers[qid]]
    if not save_checked(inst.definition.id, new, variant_seed=inst.seed, hints=work.hints,
                        lesson=inst.definition.lesson):
        return  # not saved: the answers stay in the form, and checking again tries again
    for qid, fb in new:
        work.attempts[qid] = work.attempts.get(qid, 0) + 1
        work.recorded[qid] = work.answers[qid]
        if fb.mistake is not None:
            work.mistakes.append((qid, fb.mistake.name, fb.mistake.lesson))


def _more_hint(inst: Instance, qid: str) -> None:
    work = get_work(inst)
    work.hints[qid] = min(work.hints.get(qid, 0) + 1, len(hints(inst, qid)))


def _reveal(inst: Instance, qids: list[str]) -> None:
    """Show the worked solutions of `qids` (saved as revealed: no credit), in one transaction."""
    work = get_work(inst)
    qids = [q for q in qids if q not in work.revealed]
    work.revealed.update(qids)
    work.checked.update(qids)
    work.feedback = {k: fb for k, fb in _regrade(inst, work).items() if k in work.checked}
    save_checked(inst.definition.id, [(q, work.feedback[q]) for q in qids], variant_seed=inst.seed,
                 hints=work.hints, lesson=inst.definition.lesson)


def _start_over(inst: Instance) -> None:
    st.session_state[work_key(inst)] = Work()
    for q in inst.quantities:
        st.session_state.pop(widget_key(inst, q.id), None)


# ---------------------------------------------------------------------------------------------------------
# Drawing


def show_network(inst: Instance, current_step: int | None, backward: bool = False) -> None:
    """Vocabulary, one-hot inputs, the parameters in LaTeX, and the unrolled network with the current step lit."""
    text = inst.text
    inputs, targets = text[:-1], text[1:]
    left, right = st.columns([1, 1])
    with left:
        st.graphviz_chart(unrolled_dot(inputs, targets, current_step, backward=backward))
        st.markdown(
            f"Vocabulary in order of first appearance: **{', '.join(inst.vocab.chars)}**. "
            f"Inputs **{' '.join(inputs)}**, targets **{' '.join(targets)}**, $h_0 = 0$."
        )
        onehots = r" \quad ".join(rf"x_{{\text{{{c}}}}} = {bmatrix(inst.vocab.one_hot(c), 0)}"
                                  for c in inst.vocab.chars)
        st.latex(onehots)
    with right:
        p = inst.params
        st.latex(rf"W_{{xh}} = {bmatrix(p.W_xh, 2)}")
        st.latex(rf"W_{{hh}} = {bmatrix(p.W_hh, 2)}")
        st.latex(rf"W_{{hy}} = {bmatrix(p.W_hy, 2)}")
        st.latex(rf"b_h = {bmatrix(p.b_h, 2)} \qquad b_y = {bmatrix(p.b_y, 2)}")


def _shape_hint(q) -> str:
    return "a character" if q.kind == "char" else shape_words(q.shape)


def show_feedback(fb: Verdict, attempts: int) -> None:
    icon, kind = STATUS_LOOK.get(fb.status, (":material/info:", "info"))
    getattr(st, kind)(fb.message, icon=icon)  # a diagnosed mistake is named in the message itself
    value = fb.value if isinstance(fb.value, np.ndarray) else None
    if fb.wrong_elements and value is not None and value.ndim >= 1 and value.size <= 64:
        st.latex(r"\text{your answer: }" + bmatrix(value, 4, marked=fb.wrong_elements))
    notes = []
    if fb.read_as:
        notes.append(f"Read as: {fb.read_as}")
    if fb.digits_warning:
        notes.append(fb.digits_warning)
    if attempts:
        notes.append(f"{attempts} attempt{'s' if attempts != 1 else ''}")
    if notes:
        st.caption(" · ".join(notes))


def group_form(inst: Instance, title: str, quantities: list, lecture_labels: dict[str, str] | None = None) -> None:
    """One form: an input per quantity with its feedback, and a Check button that grades the chain."""
    work = get_work(inst)
    qids = [q.id for q in quantities]
    owner = work_key(inst)
    for q in quantities:
        # Restore what this learner checked last time: widget state is lost on page switches, and after a
        # change of learner the inputs must show that learner's answers.
        wkey = widget_key(inst, q.id)
        if wkey not in st.session_state or st.session_state.get(f"owner::{wkey}") != owner:
            st.session_state[wkey] = work.answers.get(q.id, "")
            st.session_state[f"owner::{wkey}"] = owner
    with st.form(key=f"form::{inst.definition.id}::{inst.seed}::{inst.hidden}::{title}", border=True):
        for q in quantities:
            label = f"${q.label}$"
            if lecture_labels and q.id in lecture_labels:
                label += f" (lecture: ${lecture_labels[q.id]}$)"
            label += f" — {_shape_hint(q)}"
            st.text_input(label, key=widget_key(inst, q.id), disabled=q.id in work.revealed,
                          placeholder="e.g. [0.1, -0.2, 0.3]" if q.kind == "vector" else None)
            fb = work.feedback.get(q.id)
            if fb is not None and fb.status != "blank":
                show_feedback(fb, work.attempts.get(q.id, 0))
            if q.id in work.revealed:
                with st.container(border=True):
                    st.markdown("**Worked solution**")
                    st.markdown(solution(inst, q.id))
        st.form_submit_button("Check", type="primary", icon=":material/task_alt:", on_click=check_group,
                              args=(inst, qids), key=f"check::{inst.definition.id}::{title}")
    with st.expander("Stuck? Hints and worked solutions"):
        hidden_left = [q.id for q in quantities if q.id not in work.revealed]
        st.button("Show the worked solution of every value here", key=f"reveal_all::{inst.definition.id}::{title}",
                  on_click=_reveal, args=(inst, hidden_left), disabled=not hidden_left,
                  help="Reveals every solution of this group at once; those values then earn no credit.")
        for q in quantities:
            shown = work.hints.get(q.id, 0)
            all_hints = hints(inst, q.id)
            for i, h in enumerate(all_hints[:shown]):
                st.markdown(f"**Hint {i + 1}** for ${q.label}$: {h}")
            c1, c2 = st.columns(2)
            c1.button(f"Hint {min(shown + 1, len(all_hints))} of {len(all_hints)} for ${q.label}$",
                      key=f"hint::{inst.definition.id}::{q.id}", on_click=_more_hint, args=(inst, q.id),
                      disabled=shown >= len(all_hints) or q.id in work.revealed)
            c2.button(f"Show the solution for ${q.label}$", key=f"reveal::{inst.definition.id}::{q.id}",
                      on_click=_reveal, args=(inst, [q.id]), disabled=q.id in work.revealed,
                      help="Shows the worked solution; this quantity then earns no credit.")


def group_picker(inst: Instance, grouped: list[tuple[str, list]], key: str, horizontal: bool) -> int:
    """Choose the group to work on. Labels stay fixed (a widget whose options change loses its choice); a
    caption below says which groups are done."""
    work = get_work(inst)
    titles = [title for title, _ in grouped]
    options = list(range(len(grouped)))
    if horizontal:
        choice = st.radio("Work on", options, format_func=titles.__getitem__, horizontal=True, key=key)
    else:
        choice = st.selectbox("Work on", options, format_func=titles.__getitem__, key=key)
    done = [title for title, qs in grouped
            if all(work.feedback.get(q.id) is not None and work.feedback[q.id].status in ("correct", "ecf", "revealed")
                   for q in qs)]
    if done:
        st.caption("Done: " + " · ".join(f"✓ {t}" for t in done))
    return choice


def summary(inst: Instance) -> None:
    """Score, attempts, solutions revealed and the mistakes made, with where to read about each."""
    work = get_work(inst)
    earned, possible = score({q.id: work.feedback[q.id] for q in inst.quantities if q.id in work.feedback})
    total = len(inst.quantities)
    done = sum(1 for q in inst.quantities if q.id in work.feedback and work.feedback[q.id].status in
               ("correct", "ecf"))
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Score", f"{earned:.1f} of {total}")
    c2.metric("Values done", f"{done} of {total}")
    c3.metric("Attempts used", sum(work.attempts.values()))
    c4.metric("Solutions revealed", len(work.revealed))
    st.caption(f"A value earns 1 point when right, {ECF_CREDIT:g} when it follows correctly from your own "
               "earlier wrong value, 0 when its solution was revealed. Blank and unreadable answers cost nothing.")
    if work.mistakes:
        counts: dict[tuple[str, str], list[str]] = {}
        for qid, name, lesson in work.mistakes:
            counts.setdefault((name, lesson), []).append(qid)
        st.markdown("**Mistakes you made**")
        titles = {x.slug: x.title for x in get_content().lessons}
        for (name, lesson), qids in sorted(counts.items(), key=lambda kv: -len(kv[1])):
            labels = ", ".join(f"${inst.quantity(q).label}$" for q in dict.fromkeys(qids))
            c1, c2 = st.columns([3, 2], vertical_alignment="center")
            c1.markdown(f"- **{name}** at {labels}")
            if lesson in titles:
                c2.page_link("pages/lessons.py", label=f"Read: {titles[lesson]}", icon=":material/menu_book:",
                             query_params={"lesson": lesson})
    st.button("Start this network over", icon=":material/restart_alt:", key=f"start_over::{inst.definition.id}",
              on_click=_start_over, args=(inst,))


def format_help() -> None:
    with st.expander("How to type answers, and how they are checked"):
        st.markdown(FORMAT_HELP)
