"""The worked-examples screen's state: where the learner is in an exercise's fade (kept in the progress store),
the network of that stage, and moving on. The fade itself is core.review.fading."""
from __future__ import annotations

import streamlit as st

from core.course.engine import Definition, Instance
from core.progress import StoreError
from core.progress.cards import Fade
from core.review.fading import BlankResult, blanks, done, next_stage, stages
from core.review.items import fresh_variant, start_seed
from ui import identity
from ui.exercise import instance
from ui.exercise_work import get_work, groups
from ui.progress import get_store, seen_variants

MEMORY = "rnn_fades"  # where a fade is kept when the store cannot save: this session only (the banner says so)


def group_ids(inst: Instance) -> list[list[str]]:
    return [[q.id for q in qs] for _, qs in groups(inst)]


def _network(definition: Definition, stage: int, after: int | None) -> Fade:
    """A fresh network for this learner's next example in this exercise (the one after seed `after`)."""
    start = start_seed(identity.active().key, definition.id, "fade", after)
    inst = fresh_variant(definition, definition.hidden, start, seen_variants(), instance)
    return Fade(stage, inst.seed, definition.hidden)


def current(definition: Definition) -> Fade:
    """Where the learner is: the stored fade, else the first (fully worked) example on a fresh network."""
    held = st.session_state.setdefault(MEMORY, {}).get((identity.active().key, definition.id))
    try:
        stored = get_store().fade(identity.active(), definition.id)
    except StoreError:
        stored = None
    fade = stored or held
    if fade is None:
        fade = _network(definition, 0, None)
        save(definition, fade)
    elif fade.hidden != definition.hidden:  # a place imported from another version: its stage, a network of ours
        fade = _network(definition, fade.stage, fade.seed)
        save(definition, fade)
    return fade


def save(definition: Definition, fade: Fade) -> None:
    st.session_state.setdefault(MEMORY, {})[(identity.active().key, definition.id)] = fade
    try:
        get_store().set_fade(identity.active(), definition.id, fade)
    except StoreError:
        pass  # the banner at the top says that saving is off; the session keeps the fade meanwhile


def results(inst: Instance, qids: list[str]) -> list[BlankResult]:
    work = get_work(inst)
    made = [qid for qid, _, _ in work.mistakes]
    return [BlankResult(status=work.feedback[q].status if q in work.feedback else "blank",
                        attempts=work.attempts.get(q, 0), hints=work.hints.get(q, 0), revealed=q in work.revealed,
                        mistakes=made.count(q)) for q in qids]


def finished(inst: Instance, stage: int) -> bool:
    qids = blanks(group_ids(inst), stage)
    return done(results(inst, qids))


def move_on(definition: Definition, fade: Fade) -> None:
    """Button callback: the next stage (by how the blanks went) on a new network."""
    inst = instance(definition.id, fade.seed, fade.hidden)
    ids = group_ids(inst)
    stage = next_stage(fade.stage, stages(ids), results(inst, blanks(ids, fade.stage)))
    save(definition, _network(definition, stage, fade.seed))
