"""The class view's downloads: a gradebook (CSV: one row per learner, one column per exercise and per quiz) and
the class summary (JSON). Pure functions of a core.progress.class_view.ClassSummary; neither holds anything but
the learners' names and numbers and the exercises' ids and titles (no path, no database URL).
"""
from __future__ import annotations

import csv
import io
import json

from core.progress.class_view import BUCKETS, SCORE_DEFINITION, ClassSummary

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run a cell starting so as a formula


def _text_cell(text: str) -> str:
    """A name as a spreadsheet shows it literally (a leading formula character is quoted away)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def gradebook_rows(summary: ClassSummary) -> list[list]:
    """Header, then one row per learner: name, last active (UTC), course score, a score per exercise and quiz."""
    header = ["Learner", "Last active (UTC)", "Course score"] + [e.title for e in summary.exercises]
    rows = [header]
    for r in summary.learners:
        rows.append([_text_cell(r.name), (r.last_active or "")[:19].replace("T", " "), round(r.course.score, 4)]
                    + [round(r.exercises[e.id].score, 4) for e in summary.exercises])
    return rows


def gradebook_csv(summary: ClassSummary) -> str:
    """The gradebook as CSV text (scores from 0 to 1, see SCORE_DEFINITION)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(gradebook_rows(summary))
    return out.getvalue()


def _pair(pair: tuple[str, int] | None, name: str) -> dict | None:
    return None if pair is None else {name: pair[0], "learners": pair[1]}


def _exercise(summary: ClassSummary, e) -> dict:
    return {
        "id": e.id, "title": e.title,
        "values": [{"id": s.value.id, "label": s.value.label, "group": s.value.group, "answered": s.answered,
                    "learners": dict(s.counts), "top_mistake": _pair(s.top_mistake, "mistake"),
                    "top_first_wrong": _pair(s.top_first_wrong, "link")} for s in summary.values[e.id]],
        "first_wrong_links": [{"link": c.link, "learners": c.learners, "downstream": list(c.downstream)}
                              for c in summary.links.get(e.id, ())],
    }


def summary_dict(summary: ClassSummary, generated_at: str) -> dict:
    """The class summary as plain data: definitions, every exercise's values, named mistakes, every learner."""
    return {
        "generated_at": generated_at,
        "active_since": summary.since,
        "learners_listed": summary.listed,
        "learners_shown": len(summary.learners),
        "definitions": {
            "score": SCORE_DEFINITION,
            "buckets": list(BUCKETS),
            "bucket_rule": "each learner counts once per value, by their latest answer to it; 'right by method' "
                           "is an ecf answer: the step done right from the learner's own wrong earlier value",
            "mistake_learners": "learners who made the named mistake on the value at least once",
        },
        "exercises": [_exercise(summary, e) for e in summary.exercises],
        "mistakes": [{"exercise": c.exercise_id, "value": c.quantity_id, "mistake": c.mistake,
                      "learners": c.learners} for c in summary.mistakes],
        "learners": [{"name": r.name, "last_active": r.last_active, "answers": r.answers,
                      "course_score": round(r.course.score, 4), "top_mistake": r.top_mistake,
                      "exercises": {ex: {"score": round(s.score, 4), "right": s.right, "answered": s.answered,
                                         "revealed": s.revealed, "mistakes": s.mistakes, "values": s.values}
                                    for ex, s in r.exercises.items()}}
                     for r in summary.learners],
    }


def summary_json(summary: ClassSummary, generated_at: str) -> str:
    """summary_dict as JSON text."""
    return json.dumps(summary_dict(summary, generated_at), indent=1, ensure_ascii=False)
