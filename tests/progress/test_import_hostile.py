"""Importing a progress file cannot hurt: every malformed, hostile or oversized file gets a one-line reason,
changes nothing, and never raises past the caller's `except ValueError`."""
from __future__ import annotations

import json
import time
import tracemalloc

import pytest

from core.progress import Attempt, ImportRefused, Known, Store, account, profile
from core.progress.transfer import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, parse_export

KNOWN = Known(exercises=frozenset({"forward_hello", "bptt_hello"}), lessons=frozenset({"tanh", "bptt", "softmax"}))


def url_of(path) -> str:
    return f"sqlite:///{path}"


def row(i=0, **kw) -> dict:
    base = {"exercise_id": "forward_hello", "quantity_id": f"z[{i % 4 + 1}]", "answer_text": "0.5",
            "status": "wrong", "credit": 0.0, "variant_seed": 26, "diagnosis": None, "hints_used": 0,
            "solution_revealed": False, "lesson": "tanh", "created_at": "2026-11-30T10:00:00+00:00",
            "uid": f"{i:032x}"}
    return {**base, **kw}


def export(rows, learner="Ana", **head) -> str:
    doc = {"format": "rnn-tutor-progress", "schema_version": 3, "learner": learner, "attempts": rows,
           "lessons_read": {}, **head}
    return json.dumps(doc)


@pytest.fixture
def store(tmp_path):
    s = Store(url_of(tmp_path / "p.db"))
    s.record_attempt(Attempt(learner="Ana", exercise_id="forward_hello", quantity_id="z[1]", answer_text="kept",
                             status="correct", credit=1.0))
    yield s
    s.close()


def refused(store, data, match, learner="Ana", known=KNOWN):
    """The import is refused with a one-line reason, and Ana's progress is exactly as it was."""
    before = store.attempts("Ana")
    with pytest.raises(ImportRefused, match=match) as err:
        store.import_data(learner, data, known)
    message = str(err.value)
    assert "\n" not in message and len(message) < 600 and "Traceback" not in message
    assert "Exceeds the limit" not in message  # Python's internal wording never reaches the learner
    assert store.attempts("Ana") == before
    return message


HOSTILE = [
    ("[" * 100_000 + "]" * 100_000, "not a progress export"),  # a list, not an object
    ("a,b\n" + "x" * 200_000 + ",1\n", "header lacks"),
    ("exercise_id,quantity_id,answer_text,status,credit,created_at,uid\n" + '"' + "x" * 200_000 + '"' + ",1\n",
     "cannot be read"),
    ('{"format": "rnn-tutor-progress", "schema_version": 3, "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
     "nested far deeper"),
    ('{"format": "rnn-tutor-progress", "schema_version": ' + "9" * 5000 + ', "attempts": []}', "5,000 digits"),
    ('{"format": "rnn-tutor-progress", "schema_version": 99, "attempts": []}', "schema version 99"),
    ('{"format": "rnn-tutor-progress", "schema_version": 3.5, "attempts": []}', "schema version"),
    ('{"format": "rnn-tutor-progress", "schema_version": 3, "attempts": [], "x": NaN}', "NaN"),
    (export([row(variant_seed=10**400)]), "401 digits"),
    (export([row(credit=1.0, status="correct", created_at="9999-12-31T23:59:59+00:00")]), "is not a time"),
    (export([row(created_at="1999-01-01T00:00:00+00:00")]), "is not a time"),
    (export([row(created_at="2026-11-30T10:00:00")]), "time zone"),
    (export([row(credit=1.0, status="wrong", solution_revealed=True)]), "do not go with the status"),
    (export([row(credit=1.0, status="revealed", solution_revealed=True)]), "do not go with the status"),
    (export([row(status="correct", credit=0.4)]), "do not go with the status"),
    (export([row(credit=float("1e308") * 10)]).replace("Infinity", "1e999"), "credit"),
    (export([row(exercise_id="hack_the_school")]), "not an exercise or quiz"),
    (export([row(exercise_id="quiz:invented-lesson")]), "not an exercise or quiz"),
    (export([row(lesson="invented-lesson")]), "not a lesson"),
    (export([row(quantity_id="<script>alert(1)</script>")]), "not a value of an exercise"),
    (export([row(status="blank")]), "not a verdict"),
    (export([row(uid="xyz")]), "uid"),
    (export([row(answer_text="x" * 5000)]), "longer than"),
    (export([row(i) for i in range(3)], lessons_read={f"lesson-{i}": "2026-11-30T10:00:00+00:00"
                                                     for i in range(100_000)}), "lessons_read"),
    (export([row()], lessons_read={"tanh": "9999-01-01T00:00:00+00:00"}), "valid time"),
    (export([row()], learner="Bob"), "holds the progress of “Bob”, not yours"),
    (export([5]), "not a record"),
    ("exercise_id,quantity_id\n", "header lacks"),
    (b"\x00\xff" * 10, "not UTF-8"),
    ("   \n ", "empty"),
]


@pytest.mark.parametrize("data, match", HOSTILE, ids=[f"hostile-{i}" for i in range(len(HOSTILE))])
def test_a_hostile_file_is_refused_with_a_reason_and_changes_nothing(store, data, match):
    refused(store, data, match)


def test_one_bad_row_among_good_ones_imports_none_of_them(store):
    rows = [row(i) for i in range(50)] + [row(50, lesson="not-ours")]
    message = refused(store, export(rows), "row 51")
    assert "lesson" in message


def test_an_oversized_file_is_refused_before_it_is_read_quickly_and_in_little_memory(store):
    big = export([row(i) for i in range(1)]) + " " * (48 * 1024 * 1024)  # the 48 MB file of the issue
    tracemalloc.start()
    t0 = time.perf_counter()
    refused(store, big.encode(), "at most 10 MB")
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 2.0 and peak < 120 * 2**20, (elapsed, peak)  # it is refused on its size, not parsed
    fields = ["forward_hello", "z[1]", "1", "wrong", "0", "", "", "0", "false", "", "2026-11-30T10:00:00+00:00"]
    rows = "\n".join(",".join([*fields, f"{i:032x}"]) for i in range(MAX_IMPORT_ROWS + 1))
    header = "exercise_id,quantity_id,answer_text,status,credit,variant_seed,diagnosis,hints_used,solution_revealed," \
             "lesson,created_at,uid\n"
    assert len((header + rows).encode()) < MAX_IMPORT_BYTES
    refused(store, header + rows, f"more than {MAX_IMPORT_ROWS:,} answers")


def test_the_largest_allowed_file_imports_in_bounded_time_and_memory(new_db):
    rows = [row(i) for i in range(MAX_IMPORT_ROWS)]
    text = export(rows)
    assert len(text.encode()) < MAX_IMPORT_BYTES
    store = Store(new_db())
    tracemalloc.start()
    t0 = time.perf_counter()
    result = store.import_data("Ana", text, KNOWN)
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.added == MAX_IMPORT_ROWS and len(store.attempts("Ana")) == MAX_IMPORT_ROWS
    print(f"\nimport of {MAX_IMPORT_ROWS:,} answers ({len(text.encode()) / 1e6:.1f} MB): {elapsed:.2f} s, "
          f"peak {peak / 2**20:.0f} MiB traced")
    assert peak < 400 * 2**20  # a generous bound: the 48 MB file of the issue took ~550 MiB


def test_imported_answers_are_marked_as_imported_and_a_guest_file_fits_anyone(new_db):
    store = Store(new_db())
    store.import_data("Ana", export([row(1)], learner="Guest"), KNOWN)
    (imported,) = [a for a in store.attempts("Ana") if a.answer_text == "0.5"]
    assert imported.source == "import" and imported.lesson == "tanh"


def test_an_account_cannot_take_someone_elses_file_and_is_not_told_to_switch_profile(new_db):
    store = Store(new_db())
    alice = account("https://idp", "s1", "alice@school.edu")
    message = refused(store, export([row()], learner="bob@school.edu"), "not yours", learner=alice)
    assert "Home" not in message
    store.import_data(alice, export([row()], learner="alice@school.edu"), KNOWN)
    assert len(store.attempts(alice)) == 1


def test_parse_export_alone_checks_times_against_the_clock_it_is_given():
    from datetime import UTC, datetime
    text = export([row(created_at="2026-11-30T10:00:00+00:00")])
    parse_export(text, profile("Ana"), KNOWN, now=datetime(2026, 12, 1, tzinfo=UTC))
    with pytest.raises(ImportRefused, match="is not a time"):
        parse_export(text, profile("Ana"), KNOWN, now=datetime(2026, 1, 1, tzinfo=UTC))
