"""A learner's work on one variant of an exercise, kept in session state: answers, verdicts, hints, reveals.

State lives in one session-state object per learner and variant (`Work`), not in the widgets, so answers,
feedback, hints and revealed solutions survive page switches and reruns; a named learner's saved answers
are restored from the progress store and checked again. Checking a group grades the whole chain with the
engine, so an answer can earn credit for following from the learner's own earlier values.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import streamlit as st

from core.course.answers import parse_answer
from core.course.engine import Instance, Verdict, grade, hints
from core.progress import StoreError
from ui import identity
from ui.progress import get_store, save_checked


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
    shown_at: dict[str, float] = field(default_factory=dict)  # qid -> when its input was first drawn (time.time)
    nothing_typed: set[tuple[str, ...]] = field(default_factory=set)  # groups last checked with every input empty


NOTHING_TYPED = "Nothing was typed: fill in at least one value, then press Check."


def nothing_typed(inst: Instance, qids: list[str]) -> bool:
    """Was the group's last Check pressed with every input (that is not a revealed solution) empty?"""
    return tuple(qids) in get_work(inst).nothing_typed


def work_key(inst: Instance) -> str:
    """One Work per learner and variant: choosing another name shows that learner's work."""
    return f"work::{identity.active().key}::{inst.definition.id}::{inst.seed}::{inst.hidden}::{inst.text}"


def get_work(inst: Instance) -> Work:
    key = work_key(inst)
    if key not in st.session_state:
        st.session_state[key] = restore_work(inst)
    return st.session_state[key]


def restore_work(inst: Instance) -> Work:
    """The learner's saved answers on this variant, checked again, so work goes on where it stopped (a guest's
    are their own: only this browser session holds the guest's token)."""
    work = Work()
    learner = identity.active()
    try:
        saved = get_store().attempts(learner, inst.progress_id)  # an own text has its own id
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
        feedback = regrade(inst, work)
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


def regrade(inst: Instance, work: Work) -> dict[str, Verdict]:
    return grade(inst, work.answers, revealed=frozenset(work.revealed))


def check_group(inst: Instance, qids: list[str]) -> None:
    """Form callback: read the group's inputs, grade the whole chain, save what counts as an attempt."""
    work = get_work(inst)
    for qid in qids:
        work.answers[qid] = st.session_state.get(widget_key(inst, qid), "") or ""
    open_ids = [qid for qid in qids if qid not in work.revealed]
    if open_ids and all(not work.answers[qid].strip() for qid in open_ids):
        work.nothing_typed.add(tuple(qids))  # the form says so: an empty Check must not look like nothing happened
    else:
        work.nothing_typed.discard(tuple(qids))
    work.checked.update(qids)
    feedback = regrade(inst, work)
    work.feedback = {qid: fb for qid, fb in feedback.items() if qid in work.checked}
    # blank, unreadable, revealed, or the same answer checked again: no new attempt
    new = [(qid, feedback[qid]) for qid in qids if qid not in work.revealed and feedback[qid].counts
           and work.recorded.get(qid) != work.answers[qid]]
    now = time.time()
    if not save_checked(inst.progress_id, new, variant_seed=inst.seed, hints=work.hints,
                        lesson=inst.definition.lesson, first_try={q: not work.attempts.get(q) for q, _ in new},
                        seconds={q: now - work.shown_at[q] for q, _ in new if q in work.shown_at}):
        return  # not saved: the answers stay in the form, and checking again tries again
    for qid, fb in new:
        work.attempts[qid] = work.attempts.get(qid, 0) + 1
        work.recorded[qid] = work.answers[qid]
        if fb.mistake is not None:
            work.mistakes.append((qid, fb.mistake.name, fb.mistake.lesson))


def mark_shown(work: Work, qids) -> None:
    """Note when each value's input was first drawn: a first right answer within its skill's time rates Easy."""
    now = time.time()
    for qid in qids:
        work.shown_at.setdefault(qid, now)


def more_hint(inst: Instance, qid: str) -> None:
    work = get_work(inst)
    work.hints[qid] = min(work.hints.get(qid, 0) + 1, len(hints(inst, qid)))


def reveal(inst: Instance, qids: list[str]) -> None:
    """Show the worked solutions of `qids` (saved as revealed: no credit), in one transaction."""
    work = get_work(inst)
    qids = [q for q in qids if q not in work.revealed]
    work.revealed.update(qids)
    work.checked.update(qids)
    work.feedback = {k: fb for k, fb in regrade(inst, work).items() if k in work.checked}
    save_checked(inst.progress_id, [(q, work.feedback[q]) for q in qids], variant_seed=inst.seed,
                 hints=work.hints, lesson=inst.definition.lesson, first_try={q: not work.attempts.get(q) for q in qids})


def start_over(inst: Instance) -> None:
    st.session_state[work_key(inst)] = Work()
    for q in inst.quantities:
        st.session_state.pop(widget_key(inst, q.id), None)
