"""The dashboard's export, import and reset: each acts on the learner themselves, never on anyone else.

Import is a personal-mode tool: on a class server a learner's progress is what they did there, so import is
off (a file could claim credit for work done elsewhere). Every refusal says why in one line.
"""
from __future__ import annotations

import streamlit as st

from core.course import tanh_prime
from core.formatting import md_escape
from core.progress import ImportRefused, Known, Learner, Store, StoreError
from ui import identity
from ui.content import get_content
from ui.exercise import definitions

MESSAGE_KEY = "dash_message"  # (kind, text) shown once after an import or a reset


def known_ids() -> Known:
    """The exercises and lessons of this app, which an imported file may name."""
    lessons = frozenset(x.slug for x in get_content().lessons)
    return Known(exercises=frozenset(definitions()) | {tanh_prime.EXERCISE_ID}, lessons=lessons)


def show_message() -> None:
    kind, text = st.session_state.pop(MESSAGE_KEY, (None, None))
    if kind:
        getattr(st, kind)(text)


def export_import_reset(store: Store, learner: Learner, answers: int) -> None:
    """Download buttons, the import (personal mode) and the reset, for `learner` only."""
    stem = "".join(ch if ch.isalnum() else "-" for ch in learner.display).strip("-") or "learner"
    e1, e2 = st.columns(2)
    # Deferred: the export is built from the database when the button is clicked, not on every rerun.
    e1.download_button("Download progress (JSON)", lambda: store.export_json(learner),
                       file_name=f"rnn-progress-{stem}.json", mime="application/json", key="dash_export_json",
                       icon=":material/download:", on_click="ignore")
    e2.download_button("Download answers (CSV)", lambda: store.export_csv(learner),
                       file_name=f"rnn-progress-{stem}.csv", mime="text/csv", key="dash_export_csv",
                       icon=":material/download:", on_click="ignore")
    if identity.class_mode():
        st.caption("On a class server your progress is what you do here, so importing a file is switched off.")
    else:
        _import(store, learner)
    _reset(store, learner, answers)


def _import(store: Store, learner: Learner) -> None:
    upload = st.file_uploader("Import a progress file (.json or .csv exported here, at most 10 MB)",
                              type=["json", "csv"], key="dash_import_file")
    if st.button("Import", key="dash_import", disabled=upload is None):
        try:
            result = store.import_data(learner, upload.getvalue(), known_ids())
            st.session_state[MESSAGE_KEY] = (
                "success", f"Imported {result.added} answers into {md_escape(learner.display)}'s progress "
                           f"({result.skipped} were already there, {result.lessons_marked} lessons marked as read"
                           + (f", your place in {result.fades_added} worked example"
                              f"{'s' if result.fades_added != 1 else ''}" if result.fades_added else "") + ").")
        except (ImportRefused, StoreError, ValueError) as exc:
            st.session_state[MESSAGE_KEY] = ("error", f"Nothing was imported. {exc}")
        st.rerun()


def _reset(store: Store, learner: Learner, answers: int) -> None:
    with st.expander("Reset my progress"):
        st.markdown(f"This deletes **all {answers} answers** and lesson marks of **{md_escape(learner.display)}**. "
                    "Download a copy first if you may want them back.")
        typed = st.text_input(f"Type **{md_escape(learner.display)}** to confirm", key="dash_reset_confirm")
        if st.button("Delete all my progress", key="dash_reset", type="primary",
                     disabled=typed.strip() != learner.display):
            try:
                n = store.reset(learner)
                st.session_state[MESSAGE_KEY] = ("success", f"Progress reset: {n} answers deleted.")
            except StoreError as exc:
                st.session_state[MESSAGE_KEY] = ("error", str(exc))
            st.session_state.pop("dash_reset_confirm", None)
            st.rerun()
