"""The class view's Streamlit side: who is listed, the catalog of values, the cached summary, tables and downloads.

The numbers come from core.progress.class_view. Two caches: the learners' records (core KeptRecords, one per
server process: the first open reads every answer in one query, later reruns read again only the learners whose
answers changed, found with one grouped query) and the summary per activity filter, keyed on a signature of
every learner's answer count and latest answer (a filter change redoes only the summary, from the kept
records). Choosing another exercise recomputes nothing: the summary holds every exercise.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from core.course import tanh_prime
from core.course.own_text import split_stored_id
from core.formatting import md_escape
from core.progress import resolve_url
from core.progress.attempt import now_iso
from core.progress.class_export import gradebook_csv, summary_json
from core.progress.class_view import (
    BUCKETS,
    ClassSummary,
    ExerciseInfo,
    KeptRecords,
    LearnerRecord,
    ValueInfo,
    class_summary,
)
from core.progress.summary import quiz_exercise
from ui import identity
from ui.content import get_content
from ui.exercise import EXERCISE_PAGES, definitions, instance
from ui.progress import get_store

ACTIVE_DAYS = (None, 1, 7, 30, 90)  # the activity filter's choices, in days (None: any time)
TOP_MISTAKES = 15  # named mistakes in the chart


def kinds() -> tuple[str, ...]:
    """Who the class is: signed-in accounts on a class server, this computer's profiles on a personal install."""
    return ("account",) if identity.class_mode() else ("profile",)


def days_label(days: int | None) -> str:
    return "any time" if days is None else ("24 hours" if days == 1 else f"{days} days")


def short_prompt(prompt: str, limit: int = 70) -> str:
    """A quiz prompt as one short line of plain text (LaTeX dollars and Markdown marks taken out)."""
    text = re.sub(r"[$*`_]", "", " ".join(prompt.split()))
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _exercise_info(stored_id: str, text: str | None = None) -> ExerciseInfo | None:
    """An exercise's entry, its values labelled from the textbook network (of `text`, for answers on a learner's
    own text); None if that network cannot be made (a text this app would now refuse)."""
    d = definitions()[split_stored_id(stored_id)[0]]
    try:
        inst = instance(d.id, d.textbook_seed, d.hidden, text=text)
    except ValueError:
        return None
    title = d.title if text is None else f"{d.title}, on “{text}”"
    return ExerciseInfo(stored_id, title, tuple(ValueInfo(q.id, q.label, q.group) for q in inst.quantities))


def own_text_entries(records) -> tuple[ExerciseInfo, ...]:
    """An entry per learner's own text that somebody in the class answered on (an instructor's word for the class,
    say), after the exercise it is a variant of; a text stored by its hash is left to the catalog's raw ids."""
    found = sorted({ex for r in records for ex, _ in r.latest if "/" in ex})
    out = []
    for stored in found:
        base, text = split_stored_id(stored)
        if base in EXERCISE_PAGES and text:
            entry = _exercise_info(stored, text)
            if entry is not None:
                out.append(entry)
    return tuple(out)


def catalog(klass: Class | None = None) -> tuple[ExerciseInfo, ...]:
    """Every exercise and quiz with its values, as the learner meets them; labels from the textbook instance.
    With the class, also each own text somebody answered on, after the exercise it varies (cached on the class's
    signature: made again only when somebody's answers change)."""
    return _catalog("", ()) if klass is None else _catalog(klass.signature, klass.records)


@st.cache_resource(show_spinner=False, max_entries=8)
def _catalog(signature: str, _records) -> tuple[ExerciseInfo, ...]:
    extra = own_text_entries(_records)
    out = []
    for ex in EXERCISE_PAGES:  # the navigation's order: the forward pass, then BPTT
        out.append(_exercise_info(ex))
        out += [e for e in extra if split_stored_id(e.id)[0] == ex]
    out.append(ExerciseInfo(tanh_prime.EXERCISE_ID, "tanh′(z) on the activations screen",
                            (ValueInfo("tanh_prime", r"\tanh'(z)"),)))
    content = get_content()
    for lesson in sorted(content.lessons, key=lambda x: x.order):
        questions = content.quiz(lesson.slug)
        if questions:
            out.append(ExerciseInfo(quiz_exercise(lesson.slug), f"Quiz: {lesson.title}",
                                    tuple(ValueInfo(q.id, short_prompt(q.prompt), latex=False) for q in questions)))
    return tuple(out)


@st.cache_resource(show_spinner=False)
def _kept(url: str, kinds: tuple) -> KeptRecords:
    return KeptRecords()


@dataclass(frozen=True)
class Class:
    """The learners of the class and a short signature of their answers (what the summary cache is keyed on)."""

    records: tuple[LearnerRecord, ...]
    signature: str


def current_class() -> Class:
    """The class's learner records, read again only where someone's answers changed (one grouped query)."""
    store, kinds_ = get_store(), kinds()
    activity = store.activity(kinds_)
    records = _kept(resolve_url()[0], kinds_).update(activity, lambda keys: store.everyone_brief(kinds_, keys))
    seen = sorted((k, i.name, i.attempts, i.last_active or "") for k, i in activity.items())
    return Class(records, hashlib.blake2b(repr((kinds_, seen)).encode(), digest_size=16).hexdigest())


# cache_resource, not cache_data: the summary of a large class is hundreds of KB, and cache_data would unpickle a
# copy on every rerun; nothing changes a ClassSummary (frozen) or the catalog (a tuple) once made.
@st.cache_resource(show_spinner=False, max_entries=16)
def _summary(signature: str, since: str | None, catalog_key: tuple, _records, _catalog) -> ClassSummary:
    return class_summary(_records, _catalog, since=since)


def summary(klass: Class, days: int | None, exercises: tuple[ExerciseInfo, ...]) -> ClassSummary:
    """The class summary for the learners active in the last `days` (None: all), cached as the module says."""
    since = None
    if days is not None:  # to the minute, so reruns within a minute share the cache
        since = (datetime.now(UTC) - timedelta(days=days)).replace(second=0, microsecond=0).isoformat()
    return _summary(klass.signature, since, tuple((e.id, len(e.values)) for e in exercises), klass.records,
                    exercises)


# ------------------------------------------------------------------------------------------- what is drawn


def value_cell(v: ValueInfo) -> str:
    """A value for a Markdown table: its label (LaTeX, or plain text) and its id."""
    shown = f"${v.label}$" if v.latex else md_escape(v.label)
    return f"{shown} · `{v.id}`" if shown != md_escape(v.id) else f"`{v.id}`"


def values_table(summary: ClassSummary, exercise_id: str) -> str:
    """Per value of one exercise: learners per bucket, its most common named mistake and first wrong link."""
    head = ["Value", *(b.capitalize() for b in BUCKETS), "Most common mistake", "Most common first wrong link"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for s in summary.values[exercise_id]:
        mistake = f"{md_escape(s.top_mistake[0])} ({s.top_mistake[1]})" if s.top_mistake else ""
        link = f"`{s.top_first_wrong[0]}` ({s.top_first_wrong[1]})" if s.top_first_wrong else ""
        lines.append("| " + " | ".join([value_cell(s.value), *(str(s.counts[b]) for b in BUCKETS), mistake, link])
                     + " |")
    return "\n".join(lines)


def values_frame(summary: ClassSummary, exercise_id: str) -> pd.DataFrame:
    """The stacked bar chart's data: one row per value and bucket with learners in it."""
    rows = [{"value": s.value.id, "order": n, "bucket": b, "rank": k, "learners": s.counts[b]}
            for n, s in enumerate(summary.values[exercise_id]) for k, b in enumerate(BUCKETS) if s.counts[b]]
    return pd.DataFrame(rows, columns=["value", "order", "bucket", "rank", "learners"])


def mistakes_frame(summary: ClassSummary, exercise_id: str) -> pd.DataFrame:
    """The named mistakes of one exercise, most learners first: mistake, value, learners."""
    rows = [{"mistake": m.mistake, "value": m.quantity_id, "what": f"{m.mistake} · {m.quantity_id}",
             "learners": m.learners} for m in summary.mistakes if m.exercise_id == exercise_id]
    return pd.DataFrame(rows, columns=["mistake", "value", "what", "learners"])


def links_frame(summary: ClassSummary, exercise_id: str) -> pd.DataFrame:
    return pd.DataFrame([{"First wrong link": c.link, "Learners": c.learners,
                          "Carried into": ", ".join(c.downstream)} for c in summary.links.get(exercise_id, ())],
                        columns=["First wrong link", "Learners", "Carried into"])


def learners_frame(summary: ClassSummary, exercise_id: str) -> pd.DataFrame:
    """One row per learner: their standing on this exercise, their course score, when they were last here."""
    rows = []
    for r in summary.learners:
        s = r.exercises[exercise_id]
        rows.append({"Learner": r.name, "Score": s.score, "Right": s.right, "Answered": s.answered,
                     "Solutions shown": s.revealed, "Mistakes": s.mistakes, "Course score": r.course.score,
                     "Most frequent mistake": r.top_mistake or "",
                     "Last active (UTC)": (r.last_active or "")[:16].replace("T", " ")})
    return pd.DataFrame(rows, columns=["Learner", "Score", "Right", "Answered", "Solutions shown", "Mistakes",
                                       "Course score", "Most frequent mistake", "Last active (UTC)"])


def downloads(summary: ClassSummary) -> None:
    """The gradebook (CSV) and the class summary (JSON) of the learners shown, built when clicked."""
    day = datetime.now(UTC).date().isoformat()
    c1, c2 = st.columns(2)
    c1.download_button("Gradebook (CSV)", lambda: gradebook_csv(summary), file_name=f"class-gradebook-{day}.csv",
                       mime="text/csv", key="class_gradebook", icon=":material/download:", on_click="ignore",
                       help="One row per learner shown, one column per exercise and quiz with its score (0 to 1).")
    c2.download_button("Class summary (JSON)", lambda: summary_json(summary, now_iso()),
                       file_name=f"class-summary-{day}.json", mime="application/json", key="class_summary_json",
                       icon=":material/download:", on_click="ignore",
                       help="Every number of this page, for every exercise and quiz, for the learners shown.")
