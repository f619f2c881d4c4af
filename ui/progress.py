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


def attempts_chart_alt(per_day: tuple) -> str:
    """The answers-per-day chart in words, for screen readers."""
    days = sorted({d for d, _, _ in per_day})
    total = sum(n for _, _, n in per_day)
    return (f"Bar chart: answers checked per day, each day's bar split into correct, partly right and wrong; "
            f"{total} answer{'s' if total != 1 else ''} on {len(days)} day{'s' if len(days) != 1 else ''}"
            + (f", from {days[0]} to {days[-1]}." if days else "."))


@st.cache_data(show_spinner=False, max_entries=32)
def attempts_chart_spec(per_day: tuple) -> dict:
    """Vega-Lite spec (built with Altair) of answers per day, stacked by outcome; cached because Altair's
    validation costs ~10 ms and the data changes only when an answer is checked.

    The day axis is a time axis spanning at least the last week, each bar one day wide: with one active day the
    bar is a narrow one on a week, not a single bar across the whole chart."""
    import altair as alt
    import pandas as pd

    from core.progress.summary import day_window

    days = pd.DataFrame(list(per_day), columns=["day", "outcome", "answers"])  # day as "YYYY-MM-DD"
    first, last = day_window([d for d, _, _ in per_day])
    # from the first day's midnight to just before the last day's end: a tick (and label) at the start of each day
    # shown, none for the day after
    start, end = f"{first}T00:00:00Z", f"{last}T23:59:59Z"
    chart = alt.Chart(days).mark_bar().encode(
        # UTC throughout: the days are the store's UTC dates, and a date-only string is read as UTC midnight
        x=alt.X("utcyearmonthdate(day):T", title="Day", scale=alt.Scale(type="utc", domain=[start, end]),
                axis=alt.Axis(format="%d %b", labelAngle=0, grid=False)),
        y=alt.Y("answers:Q", title="Answers checked", stack=True),
        color=alt.Color("outcome:N", title="Outcome", scale=alt.Scale(
            domain=["correct", "partly right", "wrong"], range=["green", "orange", "red"])),  # theme colours
        tooltip=[alt.Tooltip("utcyearmonthdate(day):T", title="Day", format="%d %b %Y"), "outcome:N", "answers:Q"],
    )
    return chart.to_dict()


def seen_variants() -> set[tuple[str, int]]:
    """(exercise, seed) of every network the active learner has answered on: a review or a worked example
    never shows one of them again."""
    try:
        return {(a.exercise_id, a.variant_seed) for a in get_store().attempts(identity.active())
                if a.variant_seed is not None}
    except StoreError:
        return set()
