"""How the exercise screens draw a variant: the network, one group's form with feedback, hints, the score."""
from __future__ import annotations

import numpy as np
import streamlit as st

from core.course.answers import FORMAT_HELP
from core.course.checking import TOO_FEW_DIGITS
from core.course.engine import ECF_CREDIT, Instance, Verdict, hints, score, solution
from core.formatting import bmatrix, example_answer, shape_words
from ui.content import get_content
from ui.diagram import describe, unrolled_dot
from ui.exercise_work import (
    NOTHING_TYPED,
    check_group,
    get_work,
    mark_shown,
    more_hint,
    nothing_typed,
    reveal,
    start_over,
    widget_key,
    work_key,
)

STATUS_LOOK = {  # status -> (icon, Streamlit callout)
    "correct": (":material/check_circle:", "success"),
    "close": (":material/edit_note:", "warning"),
    "ecf": (":material/call_split:", "info"),
    "mistake": (":material/psychology_alt:", "error"),
    "wrong": (":material/cancel:", "error"),
    "invalid": (":material/help:", "warning"),
    "revealed": (":material/visibility:", "info"),
}




def visible(ch: str) -> str:
    """A character as a learner can see it: a space as ␣ (a learner's own text may have one)."""
    return "␣" if ch == " " else ch


def show_network(inst: Instance, current_step: int | None, backward: bool = False) -> None:
    """Vocabulary, one-hot inputs, the parameters in LaTeX, and the unrolled network with the current step lit."""
    text = inst.text
    inputs, targets = text[:-1], text[1:]
    left, right = st.columns([1, 1])
    with left:
        st.graphviz_chart(unrolled_dot(inputs, targets, current_step, backward=backward),
                          alt=describe(inputs, targets, current_step, backward=backward))
        st.markdown(
            f"Vocabulary in order of first appearance: **{', '.join(map(visible, inst.vocab.chars))}**. "
            f"Inputs **{' '.join(map(visible, inputs))}**, targets **{' '.join(map(visible, targets))}**, $h_0 = 0$."
        )
        # inline maths, one formula per vector (in braces, so KaTeX keeps each whole): on a narrow screen they
        # wrap onto more lines instead of running off the side as one display formula did. The invisible rule
        # (a strut as tall as the vector plus a margin) keeps wrapped lines apart.
        V = inst.vocab.size
        strut = rf"\rule[-{0.5 * V:.2f}em]{{0pt}}{{{1.0 * V + 0.3:.2f}em}}"
        st.markdown("\u2003".join(rf"${{{strut}x_{{\text{{{visible(c)}}}}} = {bmatrix(inst.vocab.one_hot(c), 0)}}}$"
                                   for c in inst.vocab.chars))
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
    if fb.digits_warning and not fb.message.startswith(TOO_FEW_DIGITS):  # else the message itself says it
        notes.append(fb.digits_warning)
    if attempts:
        notes.append(f"{attempts} attempt{'s' if attempts != 1 else ''}")
    if notes:
        st.caption(" · ".join(notes))


def group_form(inst: Instance, title: str, quantities: list, lecture_labels: dict[str, str] | None = None) -> None:
    """One form: an input per quantity with its feedback, and a Check button that grades the chain."""
    work = get_work(inst)
    qids = [q.id for q in quantities]
    mark_shown(work, qids)
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
                          placeholder=f"e.g. {example_answer(q.shape)}" if q.kind in ("vector", "matrix") else None)
            fb = work.feedback.get(q.id)
            if fb is not None and fb.status != "blank":
                show_feedback(fb, work.attempts.get(q.id, 0))
            if q.id in work.revealed:
                with st.container(border=True):
                    st.markdown("**Worked solution**")
                    st.markdown(solution(inst, q.id))
        if nothing_typed(inst, qids):
            st.warning(NOTHING_TYPED, icon=":material/edit:")
        st.form_submit_button("Check", type="primary", icon=":material/task_alt:", on_click=check_group,
                              args=(inst, qids), key=f"check::{inst.definition.id}::{title}")
    with st.expander("Stuck? Hints and worked solutions"):
        hidden_left = [q.id for q in quantities if q.id not in work.revealed]
        st.button("Show the worked solution of every value here", key=f"reveal_all::{inst.definition.id}::{title}",
                  on_click=reveal, args=(inst, hidden_left), disabled=not hidden_left,
                  help="Reveals every solution of this group at once; those values then earn no credit.")
        for q in quantities:
            shown = work.hints.get(q.id, 0)
            all_hints = hints(inst, q.id)
            for i, h in enumerate(all_hints[:shown]):
                st.markdown(f"**Hint {i + 1}** for ${q.label}$: {h}")
            c1, c2 = st.columns(2)
            c1.button(f"Hint {min(shown + 1, len(all_hints))} of {len(all_hints)} for ${q.label}$",
                      key=f"hint::{inst.definition.id}::{q.id}", on_click=more_hint, args=(inst, q.id),
                      disabled=shown >= len(all_hints) or q.id in work.revealed)
            c2.button(f"Show the solution for ${q.label}$", key=f"reveal::{inst.definition.id}::{q.id}",
                      on_click=reveal, args=(inst, [q.id]), disabled=q.id in work.revealed,
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
              on_click=start_over, args=(inst,))


def format_help() -> None:
    with st.expander("How to type answers, and how they are checked"):
        st.markdown(FORMAT_HELP)
