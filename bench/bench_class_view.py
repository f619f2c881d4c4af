"""The instructor's class view for a class of 300 learners x 100 answers: the store's reads, the core's passes,
and the page's server time in AppTest (first render, reruns after no change, a filter change, another exercise,
a new answer, and the first open on a warm server), and the store's reads on PostgreSQL if it is installed.
Medians of repeated runs."""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import numpy as np

from bench.timing import median_seconds, result

LEARNERS, ANSWERS = 300, 100
# The share of each status among the synthetic answers (a class part-way through the course).
STATUSES = {"correct": 0.50, "ecf": 0.10, "close": 0.08, "mistake": 0.20, "wrong": 0.07, "revealed": 0.05}


def _values() -> list[tuple[str, str, list[str], list[str]]]:
    """[(exercise id, value id, its mistakes' names, the values before it)] of every exercise and quiz."""
    from core.course.content import load_content
    from core.course.engine import load_all, make_instance
    from core.progress.summary import quiz_exercise

    out = []
    for d in load_all().values():
        inst = make_instance(d, d.textbook_seed, hidden=d.hidden)
        ids = [q.id for q in inst.quantities]
        out += [(d.id, q.id, [m.name for m in q.mistakes], ids[:k]) for k, q in enumerate(inst.quantities)]
    content = load_content()
    for lesson in content.lessons:
        out += [(quiz_exercise(lesson.slug), q.id, [], []) for q in content.quiz(lesson.slug)]
    return out


def synthetic_class(store, learners: int = LEARNERS, answers: int = ANSWERS, seed: int = 0) -> int:
    """Fill `store` with `learners` profiles of `answers` answers each, over the last 60 days; returns the rows.

    Each answer is to a random value of a random exercise or quiz, its status drawn from STATUSES, a mistake
    named from the value's own mistakes and a first wrong link from the values before it."""
    from core.progress import Attempt, profile

    rng = np.random.default_rng(seed)
    values = _values()
    statuses, weights = list(STATUSES), list(STATUSES.values())
    now = datetime.now(UTC)
    total = 0
    for i in range(learners):
        who = profile(f"Learner {i:03d}")
        start = now - timedelta(days=float(rng.uniform(0, 60)))
        batch = []
        for k in range(answers):
            ex, qid, mistakes, before = values[int(rng.integers(len(values)))]
            status = str(rng.choice(statuses, p=weights))
            if status == "ecf" and not before or status == "mistake" and not mistakes:
                status = "wrong"
            batch.append(Attempt(
                learner=who, exercise_id=ex, quantity_id=qid, answer_text="0.5", status=status,
                credit={"correct": 1.0, "ecf": 0.5, "close": 0.0}.get(status, 0.0), variant_seed=26,
                diagnosis=str(rng.choice(mistakes)) if status == "mistake" else None,
                solution_revealed=status == "revealed",
                first_wrong=str(rng.choice(before)) if status == "ecf" else None,
                created_at=(start + timedelta(minutes=k)).isoformat()))
        total += store.record_attempts(batch)
    return total


@contextmanager
def own_data_dir():
    """A fresh progress folder for this module only (the other benchmarks keep theirs), the repo as cwd."""
    from core.paths import ROOT

    before, cwd = os.environ.get("RNN_TUTOR_DATA"), os.getcwd()
    with tempfile.TemporaryDirectory(prefix="bench-class-") as tmp:
        os.environ["RNN_TUTOR_DATA"] = tmp
        os.chdir(ROOT)
        try:
            yield tmp
        finally:
            os.chdir(cwd)
            if before is None:
                os.environ.pop("RNN_TUTOR_DATA", None)
            else:
                os.environ["RNN_TUTOR_DATA"] = before


def _timed(at, change=None, repeat: int = 9) -> float:
    """Median seconds of `at.run()`, after `change(k)` before each run if given."""
    times = []
    for k in range(repeat):
        if change is not None:
            change(k)
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        assert not at.exception, at.exception
    return statistics.median(times)


def page_times(store) -> dict[str, float]:
    """Seconds: first render (cold caches), rerun, rerun after a filter change, after choosing another exercise,
    after a new answer, and the first open of the class view on a warm server."""
    from bench.timing import open_page
    from core.progress import Attempt, profile
    from ui import class_view

    at, first = open_page("pages/class_view.py")
    assert at.metric[0].value == str(LEARNERS), [m.value for m in at.metric]
    out = {"first render": first, "rerun": _timed(at)}

    def new_filter(k):  # the summary for this filter is not cached: it is recomputed from the cached records
        class_view._summary.clear()
        at.selectbox(key="class_days").set_value((30, 90)[k % 2])
    out["rerun after a filter change"] = _timed(at, new_filter)
    out["rerun after choosing another exercise"] = _timed(
        at, lambda k: at.selectbox(key="class_exercise").set_value(("bptt_hello", "forward_hello")[k % 2]))

    def new_answer(k):  # someone checks an answer: the signature changes, everything is read and counted again
        store.record_attempt(Attempt(learner=profile("Learner 000"), exercise_id="forward_hello",
                                     quantity_id="z[1]", answer_text=str(k), status="wrong", credit=0.0))
    out["rerun after a new answer"] = _timed(at, new_answer, repeat=5)

    def forget_the_class(k):  # as the first open on a server whose other pages are warm: every answer is read
        class_view._kept.clear()
        class_view._summary.clear()
    out["first open on a warm server"] = _timed(at, forget_the_class, repeat=5)
    return out


def benchmarks() -> list[dict]:
    from core.progress import Store
    from core.progress.class_view import class_summary, learner_records
    from ui.class_view import catalog

    out = []
    with own_data_dir():
        store = Store()
        t0 = time.perf_counter()
        rows = synthetic_class(store)
        out.append(result(f"class_fill_{LEARNERS}x{ANSWERS}_answers", time.perf_counter() - t0, "s",
                          target=f"{rows} rows"))
        kinds = ("profile",)
        out.append(result("class_store_activity", median_seconds(lambda: store.activity(kinds)) * 1e3, "ms",
                          target="per-learner counts"))
        out.append(result("class_store_everyone_read", median_seconds(lambda: store.everyone(kinds),
                                                                      repeat=5) * 1e3, "ms", target="all answers"))
        one = [next(iter(store.activity(kinds)))]
        out.append(result("class_store_everyone_brief_read", median_seconds(lambda: store.everyone_brief(kinds),
                                                                            repeat=5) * 1e3, "ms",
                          target="all answers, briefly"))
        out.append(result("class_store_everyone_brief_one_learner",
                          median_seconds(lambda: store.everyone_brief(kinds, keys=one)) * 1e3, "ms"))
        everyone = store.everyone_brief(kinds)
        out.append(result("class_core_learner_records", median_seconds(lambda: learner_records(everyone),
                                                                       repeat=5) * 1e3, "ms"))
        records, exercises = learner_records(everyone), _catalog_outside_streamlit(catalog)
        out.append(result("class_core_summary", median_seconds(lambda: class_summary(records, exercises),
                                                               repeat=5) * 1e3, "ms"))
        for name, seconds in page_times(store).items():
            out.append(result(f"class_view_page_{name.replace(' ', '_')}", seconds * 1e3, "ms",
                              target="<= 300 ms" if "rerun" in name else None))
        store.close()
    return out + postgres_reads()


def postgres_reads() -> list[dict]:
    """The same store reads on a throw-away PostgreSQL (what a class server uses), if PostgreSQL is installed."""
    from core.progress import Store
    from tests.services.pgctl import installed, throwaway_postgres

    if not installed():
        return []
    out = []
    with throwaway_postgres() as url:
        store = Store(url)
        synthetic_class(store)
        kinds = ("profile",)
        one = [next(iter(store.activity(kinds)))]
        out.append(result("class_pg_store_activity", median_seconds(lambda: store.activity(kinds)) * 1e3, "ms"))
        out.append(result("class_pg_store_everyone_read", median_seconds(lambda: store.everyone(kinds), repeat=5)
                          * 1e3, "ms", target="all answers"))
        out.append(result("class_pg_store_everyone_brief_read",
                          median_seconds(lambda: store.everyone_brief(kinds), repeat=5) * 1e3, "ms"))
        out.append(result("class_pg_store_everyone_brief_one_learner",
                          median_seconds(lambda: store.everyone_brief(kinds, keys=one)) * 1e3, "ms"))
        store.close()
    return out


def _catalog_outside_streamlit(catalog):
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    return catalog()
