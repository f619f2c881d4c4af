"""What the Review screen, Home and the dashboard share: the learner's review cards, the question on screen,
and the tanh′ review form. The schedule itself is core.review (FSRS through py-fsrs); the cards are in the
progress store."""
from __future__ import annotations

import time
from datetime import UTC, datetime

import streamlit as st

from core.course import tanh_prime as tp
from core.course.templates import latex_value
from core.progress import StoreError
from core.review.items import ReviewItem, review_item
from core.review.plan import SkillStatus, due_now, in_words, next_due
from core.review.schedule import CardState
from ui import identity
from ui.exercise import definitions, instance
from ui.progress import get_store, save_checked, seen_variants, skills

PIN = "rnn_review_item"  # the question on screen, kept until the learner moves on (its card changes once rated)
TANH_KEY = "rnn_review_tanh"


def now() -> datetime:
    return datetime.now(UTC)


def learner_cards() -> dict[str, CardState] | None:
    """The active learner's review cards; None when the store cannot be read (the banner says why)."""
    try:
        return get_store().cards(identity.active())
    except StoreError:
        return None


def pinned() -> ReviewItem | None:
    held = st.session_state.get(PIN)
    if held and held["learner"] == identity.active().key:
        return held["item"]
    return None


def pin(item: ReviewItem | None) -> None:
    if item is None:
        st.session_state.pop(PIN, None)
    else:
        st.session_state[PIN] = {"learner": identity.active().key, "item": item}
    st.session_state.pop(TANH_KEY, None)


def next_item(cards: dict[str, CardState], skill_id: str | None = None) -> ReviewItem | None:
    """The question for the first due skill (or for `skill_id`, practised before it is due), on a network the
    learner has not answered on; None when nothing is due."""
    if skill_id is None:
        queue = due_now(skills(), cards, now())
        if not queue:
            return None
        skill = queue[0].skill
    else:
        skill = skills().get(skill_id)
    reviews = cards[skill.id].reviews if skill.id in cards else 0
    return review_item(skill, definitions(), identity.active().key, reviews, seen_variants(), instance=instance)


def givens(inst, qid: str) -> None:
    """The earlier values the asked one is computed from, worked out: the learner computes one step."""
    q = inst.quantity(qid)
    if not q.deps:
        return
    st.markdown("**Given** (computed for you):")
    st.latex(r" \qquad ".join(f"{inst.quantity(d).label} = {latex_value(inst.quantity(d).truth)}" for d in q.deps))


def tanh_form(item: ReviewItem) -> str | None:
    """The tanh′ review: one number for a new z. Returns the status of the last check (None before one)."""
    z = tp.exercise_z(item.seed)
    work = st.session_state.setdefault(TANH_KEY, {"attempts": 0, "check": None, "shown_at": time.time()})
    st.markdown(f"For **z = {z:g}**, compute $\\tanh'(z)$ to at least three significant digits.")
    with st.form(f"review_tanh_{item.seed}", border=True):
        answer = st.text_input("tanh′(z) =", key=f"review_tanh_answer_{item.seed}", placeholder="e.g. 0.4200")
        pressed = st.form_submit_button("Check", type="primary", icon=":material/task_alt:")
    if pressed:
        check = tp.check_tanh_prime(answer, z)
        work["check"] = check
        if check.counts:
            save_checked(tp.EXERCISE_ID, [("tanh_prime", check)], variant_seed=item.seed, lesson="tanh",
                         first_try={"tanh_prime": work["attempts"] == 0},
                         seconds={"tanh_prime": time.time() - work["shown_at"]})
            work["attempts"] += 1
    check = work["check"]
    if check is None:
        return None
    look = {"correct": st.success, "close": st.warning, "mistake": st.error, "wrong": st.error}
    look.get(check.status, st.warning)(check.message)
    return check.status


def level_words(status: SkillStatus) -> str:
    return {"new": "not practised yet", "due": "due now", "learning": "learning (back in minutes)",
            "weak": "fading", "strong": "held"}[status.level]


def home_summary() -> None:
    """Home's line on review: how many skills are due now and when the next one falls due."""
    cards = learner_cards()
    if not cards:
        return
    at = now()
    due = sum(1 for c in cards.values() if c.due <= at and skills().get(c.skill_id))
    when = next_due(cards, at, skills())
    later = f" The next one falls due {in_words(when - at)}." if when else ""
    if due:
        st.markdown(f"**{due} skill{'s are' if due != 1 else ' is'} due for review** today: each comes back on a "
                    f"network you have not seen.{later}")
        st.page_link("pages/review.py", label="Start the review", icon=":material/event_repeat:")
    else:
        st.markdown(f"No skill is due for review now.{later}")


def dashboard_section() -> None:
    """The dashboard's skills: how well each is held now (FSRS), when it comes back, what to practise next."""
    import pandas as pd

    from core.review.plan import practise_next, statuses

    st.subheader("Skills")
    cards = learner_cards()
    if not cards:
        st.caption("Each kind of value you compute is a skill. Skills appear here once you check values on the "
                   "exercise screens, and Review brings each back when it is due.")
        return
    at = now()
    rows = []
    for status in statuses(skills(), cards, at):
        card = status.card
        rows.append({
            "Skill": status.skill.name, "Status": level_words(status),
            "Recall now": status.retrievability,
            "Stability (days)": None if card is None else round(card.stability_days, 1),
            "Reviews": 0 if card is None else card.reviews,
            "Next review": "—" if card is None else ("now" if card.due <= at else in_words(card.due - at)[3:]
                                                      if in_words(card.due - at).startswith("in ")
                                                      else in_words(card.due - at)),
        })
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=35 * (len(rows) + 1) + 3,
                 column_config={"Recall now": st.column_config.ProgressColumn(
                     "Recall now", min_value=0.0, max_value=1.0, format="percent",
                     help="FSRS's estimate of the chance you recall this skill now")})
    st.caption("Recall now is the memory model's estimate that you would get the skill right today; stability is "
               "how many days it takes to fall to 90 %. A skill is due when its recall drops to 90 %.")
    suggestions = practise_next(skills(), cards, at, n=3)
    if suggestions:
        st.markdown("**Practise next:** " + ", ".join(f"{s.skill.name} ({level_words(s)})" for s in suggestions))
        st.page_link("pages/review.py", label="Go to Review", icon=":material/event_repeat:")
