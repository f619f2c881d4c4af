"""What every page has around its own content: the pages this visitor may open, who is learning (in the
sidebar), and, at the top, whether progress is being saved.

streamlit_app.py registers every page and runs `st.navigation(shell.visible(pages))`, then `shell.frame()`,
then the page. In class mode a visitor who is not signed in gets Home only (the sign-in button, nothing of
anyone's progress); instructor-only pages are listed for instructors only, so nobody else can open them,
not even by their address.
"""
from __future__ import annotations

from core.gradients import jit
from ui import identity
from ui.progress import status_banner

INSTRUCTOR_ONLY = {"class"}  # url paths of the pages only instructors (or a personal install's owner) open


def visible(pages: dict[str, list]) -> dict[str, list]:
    """The sections and pages this visitor may open (the registered ones, filtered by who they are)."""
    identity.keep_in_address()
    identity.purge_old_guests_once()
    if identity.class_mode() and identity.current() is None:
        home = [p for section in pages.values() for p in section if p.url_path == ""]
        return {"": home}
    teacher = identity.is_instructor()
    out = {}
    for section, entries in pages.items():
        kept = [p for p in entries if teacher or p.url_path not in INSTRUCTOR_ONLY]
        if kept:
            out[section] = kept
    return out


def frame() -> None:
    """The sidebar's learner box and, at the top of the page, how saving stands (when it is not simply fine).

    Also starts, once per server process, the background compile of the gradients screen's loops (a fresh
    install: ~20 s; later: loaded in about a second), so the first visit to that screen does not wait for it."""
    jit.start_background()
    identity.sidebar()
    status_banner()
