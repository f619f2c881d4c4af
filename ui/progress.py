"""Progress glue for every screen: the shared store, its notices, and `save_checked` for checked answers.

The store is one `core.progress.store.Store` per database URL, made once per server process (st.cache_resource)
and shared by all sessions; SQLAlchemy's engine is thread-safe. We build the engine ourselves instead of
through `st.connection("sql")`: the store moves a corrupt file aside, opens a read-only one read-only and runs
migrations, all around engine creation, and `core/` cannot import streamlit. Who the learner is: ui.identity.
"""
from __future__ import annotations

import streamlit as st

from core.course.verdict import Verdict
from core.progress import Store, StoreError, attempt_from, resolve_url
from core.review.rating import reviews_of_check
from core.review.skills import Skills, load_skills
from ui import identity


@st.cache_resource(show_spinner=False)
def _store_for(url: str) -> Store:
    return Store(url)


def get_store() -> Store:
    """The progress store for the configured location (RNN_TUTOR_DB_URL, RNN_TUTOR_DATA or <repo>/data)."""
    url, _ = resolve_url()
    return _store_for(url)


def status_banner() -> None:
    """At the top of every page: a plain warning while answers cannot be saved (or a damaged file was set aside)."""
    store = get_store()
    store.refresh()  # a store that cannot save tries its database again (rate-limited)
    if store.notice:
        icon = ":material/cloud_off:" if store.status in ("unavailable", "memory") else ":material/warning:"
        st.warning(store.notice, icon=icon)


@st.cache_resource(show_spinner=False)
def skills() -> Skills:
    """The course's skills (content/skills.toml, checked against the exercises and lessons)."""
    return load_skills()


def save_checked(exercise_id: str, checked: list[tuple[str, Verdict]], *, variant_seed: int | None = None,
                 hints: dict[str, int] | None = None, lesson: str | None = None,
                 first_try: dict[str, bool] | None = None, seconds: dict[str, float] | None = None) -> bool:
    """Save the checked answers [(quantity id, verdict)] of one Check for the active learner, in one transaction,
    with the ratings they give their skills' review cards (core.review.rating: `first_try` and `seconds`, per
    quantity, say whether an answer was the first and how long it took).

    True if saved (or nothing to save); otherwise a warning says why and nothing of this Check was saved.
    """
    hints = hints or {}
    attempts = [attempt_from(v, learner=identity.active(), exercise_id=exercise_id, quantity_id=qid,
                             variant_seed=variant_seed, hints_used=hints.get(qid, 0), lesson=lesson)
                for qid, v in checked]
    if not attempts:
        return True
    reviews = reviews_of_check(skills(), exercise_id, [(qid, v.status) for qid, v in checked], hints=hints,
                               first_try=first_try, seconds=seconds, at=attempts[0].created_at)
    try:
        get_store().record_attempts(attempts, reviews=reviews)
        return True
    except (StoreError, ValueError) as exc:
        n = len(attempts)
        st.warning(f"Your answer{'s were' if n > 1 else ' was'} checked but could not be saved: {exc}",
                   icon=":material/warning:")
        return False


@st.cache_data(show_spinner=False, max_entries=32)
def attempts_chart_spec(per_day: tuple) -> dict:
    """Vega-Lite spec (built with Altair) of answers per day, stacked by outcome; cached because Altair's
    validation costs ~10 ms and the data changes only when an answer is checked."""
    import altair as alt
    import pandas as pd

    days = pd.DataFrame(list(per_day), columns=["day", "outcome", "answers"])  # day as "YYYY-MM-DD"
    chart = alt.Chart(days).mark_bar().encode(
        x=alt.X("day:O", title="Day", axis=alt.Axis(labelAngle=0)),  # one bar per active day, gaps left out
        y=alt.Y("answers:Q", title="Answers checked", stack=True),
        color=alt.Color("outcome:N", title="Outcome", scale=alt.Scale(
            domain=["correct", "partly right", "wrong"], range=["green", "orange", "red"])),  # theme colours
        tooltip=[alt.Tooltip("day:O", title="Day"), "outcome:N", "answers:Q"],
    )
    return chart.to_dict()
