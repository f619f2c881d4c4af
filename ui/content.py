"""Lessons and quizzes for the screens: loaded once per content change, and the lesson shared between screens.

Content is re-read when a file under content/ changes (the cache key is every file's modification time),
so an author sees an edit on the next rerun without restarting the server.
"""
from __future__ import annotations

import re

import streamlit as st

from core.course.content import Content, load_content
from core.paths import APP_FILE, CONTENT_DIR

LESSON_KEY = "rnn_lesson"  # the lesson chosen on the lessons or quiz screen (kept across page switches)


def _signature() -> tuple:
    """Paths and modification times of every content file and of the entry file (cheap to compute)."""
    files = [p for p in CONTENT_DIR.rglob("*") if p.suffix in (".md", ".toml")] + [APP_FILE]
    return tuple(sorted((str(p), p.stat().st_mtime_ns) for p in files if p.exists()))


@st.cache_data(show_spinner=False, max_entries=4)
def _load(signature: tuple) -> Content:
    return load_content()


def get_content() -> Content:
    """Every valid lesson and question, and the problems found (shown by show_problems)."""
    return _load(_signature())


def show_problems(content: Content) -> None:
    """A warning listing content problems, so an author sees them and a learner still gets the rest."""
    if content.problems:
        n = len(content.problems)
        st.warning(f"{n} problem{'s' if n != 1 else ''} in the course content; the affected lessons or questions "
                   "are left out. Authors: run `python -m core content check`.", icon=":material/warning:")
        with st.expander("Show the problems"):
            st.markdown("\n".join(f"- `{p}`" for p in content.problems))


def set_lesson(slug: str) -> None:
    """Make `slug` the chosen lesson on every screen, and put it in the address (shareable, reload-proof)."""
    st.session_state[LESSON_KEY] = slug
    st.query_params["lesson"] = slug


def choose_lesson(content: Content, widget_key: str, label: str = "Lesson") -> str | None:
    """A lesson picker synced with `?lesson=<slug>` and with the other screens; returns the chosen slug."""
    slugs = [x.slug for x in content.lessons]
    if not slugs:
        return None
    titles = {x.slug: f"{x.order}. {x.title}" for x in content.lessons}
    asked = st.query_params.get("lesson")
    if asked in slugs:
        st.session_state[LESSON_KEY] = asked  # a link (st.page_link with query_params) or a reload
    if st.session_state.get(LESSON_KEY) not in slugs:
        st.session_state[LESSON_KEY] = slugs[0]
    st.session_state[widget_key] = st.session_state[LESSON_KEY]  # the widget's own state is lost on page switches
    st.selectbox(label, slugs, format_func=titles.get, key=widget_key,
                 on_change=lambda: set_lesson(st.session_state[widget_key]))
    return st.session_state[LESSON_KEY]


def lesson_markdown(body: str) -> str:
    """A lesson body with its headings one level down, so they sit under the page's lesson header."""
    return re.sub(r"^(#{2,5}) ", r"#\1 ", body, flags=re.M)
