"""Progress glue for every screen: the shared store, the current learner, and `save_checked` for checked answers.

The store is one `core.progress.store.Store` per database URL, made once per server process (st.cache_resource) and
shared by all sessions; SQLAlchemy's engine is thread-safe. We build the engine ourselves instead of through
`st.connection("sql")`: the store must move a corrupt file aside and reopen, fall back to an in-memory
database when the path is unwritable, and run migrations, all of which happen around engine creation, and
`core/` cannot import streamlit. The same URL setting still reaches PostgreSQL (RNN_TUTOR_DB_URL).

The learner is a name typed on the home page, kept in session state (which survives page switches) and
also read from `?learner=<name>` in the address, so a bookmark brings a learner straight back. Without a
name, answers are saved under "Guest".
"""
from __future__ import annotations

import streamlit as st

from core.course.verdict import Verdict
from core.formatting import md_escape
from core.progress import Store, StoreError, attempt_from, normalize_learner, resolve_url

LEARNER_KEY = "rnn_learner"  # session-state key of the chosen name (not a widget key, so it survives page switches)
GUEST = "Guest"


@st.cache_resource(show_spinner=False)
def _store_for(url: str) -> Store:
    return Store(url)


def get_store() -> Store:
    """The progress store for the configured location (RNN_TUTOR_DB_URL, RNN_TUTOR_DATA or <repo>/data)."""
    url, _ = resolve_url()
    return _store_for(url)


def current_learner() -> str | None:
    """The chosen learner name, from session state or the `learner` query parameter; None if none chosen."""
    name = st.session_state.get(LEARNER_KEY)
    if name:
        return name
    raw = st.query_params.get("learner")
    if raw:
        try:
            name = learner_name(raw)
        except ValueError:
            return None
        st.session_state[LEARNER_KEY] = name
        return name
    return None


def active_learner() -> str:
    """The learner answers are saved under: the chosen name, or Guest."""
    return current_learner() or GUEST


def learner_name(raw: str) -> str:
    """A name a learner may choose: normalised, and not the shared guest name (ValueError with a reason)."""
    name = normalize_learner(raw)
    if name.casefold() == GUEST.casefold():
        raise ValueError(f"“{GUEST}” is where answers without a name go, shared by everybody who has not chosen "
                         "one: pick a name of your own.")
    return name


def set_learner(name: str) -> str:
    """Choose a learner (registered in the store if possible); ValueError with a reason for an unusable name."""
    name = learner_name(name)
    try:
        name = get_store().ensure_learner(name)
    except StoreError:
        pass  # the name still works for this session; save_checked will show the store's problem
    st.session_state[LEARNER_KEY] = name
    return name


def show_store_notice() -> None:
    """A warning when progress is not going where the learner expects (corrupt file moved, memory only)."""
    store = get_store()
    if store.notice:
        st.warning(store.notice, icon=":material/warning:")


def save_checked(exercise_id: str, checked: list[tuple[str, Verdict]], *, variant_seed: int | None = None,
                 hints: dict[str, int] | None = None, lesson: str | None = None) -> bool:
    """Save the checked answers [(quantity id, verdict)] of one Check for the active learner, in one transaction.

    True if saved (or nothing to save); otherwise a warning says why and nothing of this Check was saved.
    """
    hints = hints or {}
    attempts = [attempt_from(v, learner=active_learner(), exercise_id=exercise_id, quantity_id=qid,
                             variant_seed=variant_seed, hints_used=hints.get(qid, 0), lesson=lesson)
                for qid, v in checked]
    if not attempts:
        return True
    try:
        get_store().record_attempts(attempts)
        return True
    except (StoreError, ValueError) as exc:
        n = len(attempts)
        st.warning(f"Your answer{'s were' if n > 1 else ' was'} checked but could not be saved: {exc}",
                   icon=":material/warning:")
        return False


def learner_caption() -> None:
    """One line saying whose progress this is, with a pointer to the home page when no name is chosen."""
    name = current_learner()
    if name:
        st.caption(f"Saving progress as **{md_escape(name)}**.")
    else:
        st.caption(f"Saving progress as **{GUEST}**: choose your name on the Home page to keep it under your name.")


def learner_box() -> None:
    """The home page's 'Your name' section: choose or switch the learner progress is saved under."""
    st.subheader("Your name")
    show_store_notice()
    name = current_learner()
    if name:
        st.success(f"Your progress is saved as **{md_escape(name)}**. Welcome back whenever you like: type the "
                   "same name.",
                   icon=":material/person:")
    else:
        st.markdown("Type a name to save your progress under it (no password; use the same name next time). "
                    f"Until then, answers are saved as **{GUEST}**.")
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    typed = c1.text_input("Your name", key="home_learner_input", max_chars=40, placeholder="e.g. Ana")
    if c2.button("Use this name", key="home_learner_save", type="primary"):
        try:
            chosen = set_learner(typed)
            st.query_params["learner"] = chosen  # a bookmark of this page keeps the name
            st.rerun()
        except ValueError as exc:
            st.error(str(exc))
    try:
        known = [i for i in get_store().learners() if i.name not in (name, GUEST)][:5]  # most recent first
    except StoreError:
        known = []
    if known:
        st.caption("Coming back? Continue with one click:")
        cols = st.columns(len(known))
        for k, (col, info) in enumerate(zip(cols, known, strict=True)):
            if col.button(f"Continue as {md_escape(info.name)}", key=f"home_continue_{k}",
                          help=f"{info.attempts} answers saved under this name"):
                st.query_params["learner"] = set_learner(info.name)
                st.rerun()


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
            domain=["correct", "partly right", "wrong"], range=["#2e7d32", "#f9a825", "#c62828"])),
        tooltip=[alt.Tooltip("day:O", title="Day"), "outcome:N", "answers:Q"],
    )
    return chart.to_dict()
