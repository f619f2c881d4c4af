"""Progress store: survives restarts, loses nothing under concurrent writers, survives corrupt files and
unwritable paths, migrates old schemas with their data, and exports/imports without loss or duplicates."""
from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import asdict, replace

import pytest

from core.progress import (
    SCHEMA_VERSION,
    Attempt,
    ImportRefused,
    Store,
    StoreError,
    normalize_learner,
    parse_export,
    resolve_url,
)
from tests.progress.conftest import run_sql


def url_of(path) -> str:
    return f"sqlite:///{path}"


def sample(learner="Ana", i=0, **kw) -> Attempt:
    revealed = i % 5 == 4  # as the app saves a revealed solution: status "revealed", no credit
    base = dict(learner=learner, exercise_id="forward-hello", quantity_id=f"h_{i % 4 + 1}",
                answer_text=f"[0.{i}, -0.2, 0.3]", status="revealed" if revealed else "wrong" if i % 3 else "correct",
                credit=0.0 if i % 3 or revealed else 1.0, variant_seed=1000 + i,
                diagnosis="bias left out" if i % 3 and not revealed else None, hints_used=i % 3,
                solution_revealed=revealed, lesson="forward-equations")
    base.update(kw)
    return Attempt(**base)


def without_learner(a: Attempt) -> dict:
    d = asdict(a)
    d.pop("learner")
    return d


def test_progress_survives_a_restart(new_db):
    url = new_db()
    first = Store(url)
    assert first.persistent and first.notice is None
    written = [sample(i=i) for i in range(7)]
    for a in written:
        first.record_attempt(a)
    first.mark_lesson_read("Ana", "tanh")
    first.close()

    again = Store(url)  # a new process would do exactly this
    assert again.attempts("Ana") == written  # every field, in order
    assert set(again.lessons_read("Ana")) == {"tanh"}
    assert again.schema_version() == SCHEMA_VERSION


def test_learner_names_are_trimmed_and_case_insensitive(new_db):
    store = Store(new_db())
    store.record_attempt(sample(learner="  Ana   Lee "))
    store.record_attempt(sample(learner="ana lee", i=1))
    assert [i.name for i in store.learners()] == ["Ana Lee"]
    assert len(store.attempts("ANA LEE")) == 2
    for bad in ["", "   ", "x" * 41, "bell\x07"]:
        with pytest.raises(ValueError):
            normalize_learner(bad)


def test_eight_threads_writing_500_answers_each_lose_nothing(new_db):
    url = new_db()
    store = Store(url)
    errors = []

    def writer(k: int):
        try:
            for i in range(500):
                store.record_attempt(sample(learner=f"learner {k % 3}", i=i, variant_seed=k, quantity_id=f"q{k}-{i}"))
        except Exception as exc:  # noqa: BLE001 - any failure must fail the test below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    reopened = Store(url)
    assert reopened.count_attempts() == 8 * 500
    got = {(a.variant_seed, a.quantity_id) for name in ("learner 0", "learner 1", "learner 2")
           for a in reopened.attempts(name)}
    assert got == {(k, f"q{k}-{i}") for k in range(8) for i in range(500)}
    if url.startswith("sqlite"):  # the file really is in WAL mode: readers and the writer proceed together
        assert sqlite3.connect(url.split("///", 1)[1]).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_batch_is_one_transaction(new_db):
    store = Store(new_db())
    good = sample(i=1)
    store.record_attempt(good)
    with pytest.raises(ValueError, match="credit"):
        store.record_attempts([sample(i=2), sample(i=3, credit=1.5)])
    clash = sample(i=4, uid=good.uid)  # same learner, same uid: the database refuses the row
    with pytest.raises(Exception, match="Could not save"):
        store.record_attempts([sample(i=5), clash])
    assert store.attempts("Ana") == [good]  # neither batch left anything behind


def test_a_corrupt_file_is_moved_aside_and_a_fresh_one_started(tmp_path):
    path = tmp_path / "progress.db"
    garbage = b"this is not a database " * 200
    path.write_bytes(garbage)
    store = Store(url_of(path))
    assert store.persistent
    assert store.moved_to is not None and store.moved_to.name.startswith("progress.db.corrupt-")
    assert store.moved_to.read_bytes() == garbage  # kept, never deleted
    assert store.moved_to.name in store.notice and "fresh" in store.notice and "python -m core recover" in store.notice
    assert str(tmp_path) not in store.notice  # the learner is told the file's name, not the server's folders
    store.record_attempt(sample())
    assert len(Store(url_of(path)).attempts("Ana")) == 1  # the fresh file works and persists


def test_a_damaged_database_page_is_detected(tmp_path):
    path = tmp_path / "progress.db"
    store = Store(url_of(path))
    store.record_attempts([sample(i=i, answer_text="x" * 500) for i in range(200)])
    store.close()
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    raw = bytearray(path.read_bytes())
    page = 4096
    assert len(raw) > 6 * page
    raw[3 * page:5 * page] = b"\xff" * (2 * page)  # scribble over two pages behind a valid header
    path.write_bytes(bytes(raw))
    fresh = Store(url_of(path))
    assert fresh.moved_to is not None and fresh.moved_to.exists(), fresh.notice
    assert fresh.attempts("Ana") == [] and fresh.persistent


def test_an_unwritable_path_falls_back_to_memory_with_a_warning(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")  # mkdir below it fails, even for root
    store = Store(url_of(blocker / "data" / "progress.db"))
    assert not store.persistent and store.status == "memory"
    assert "cannot be saved" in store.notice and "memory" in store.notice and str(tmp_path) not in store.notice
    assert store.where.startswith("in memory only")
    store.record_attempt(sample())
    assert len(store.attempts("Ana")) == 1  # the app keeps working

    errors = []

    def writer(k):
        try:
            for i in range(50):
                store.record_attempt(sample(learner="Bo", i=i, quantity_id=f"{k}-{i}"))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(store.attempts("Bo")) == 200


def test_a_folder_in_place_of_the_file_falls_back_to_memory(tmp_path):
    (tmp_path / "progress.db").mkdir()
    store = Store(url_of(tmp_path / "progress.db"))
    assert not store.persistent and "taken by a folder" in store.notice
    assert (tmp_path / "progress.db").is_dir()  # nothing was moved or deleted


V1_SCHEMA = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE learners (id {pk}, name VARCHAR(40) NOT NULL, name_key VARCHAR(40) NOT NULL UNIQUE,
                       created_at VARCHAR(40) NOT NULL);
CREATE TABLE attempts (id {pk}, uid VARCHAR(32) NOT NULL,
                       learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
                       exercise_id VARCHAR(80) NOT NULL, variant_seed BIGINT, quantity_id VARCHAR(80) NOT NULL,
                       answer_text TEXT NOT NULL, status VARCHAR(32) NOT NULL, credit FLOAT NOT NULL,
                       diagnosis VARCHAR(120), solution_revealed BOOLEAN NOT NULL DEFAULT FALSE, lesson VARCHAR(80),
                       created_at VARCHAR(40) NOT NULL, UNIQUE (learner_id, uid));
INSERT INTO schema_version VALUES (1);
INSERT INTO learners (name, name_key, created_at) VALUES ('Ana', 'ana', '2024-01-01T10:00:00+00:00')
"""


def test_migration_from_v1_keeps_every_answer(new_db):
    url = new_db()
    run_sql(url, V1_SCHEMA)  # the schema as version 1 wrote it: no hints_used, no lesson_reads, no kinds
    rows = [dict(uid=f"{i:032x}", ex="forward-hello", seed=7, q=f"h_{i}", text=f"0.{i}",
                 status="correct" if i % 2 else "wrong", credit=float(i % 2),
                 diag=None if i % 2 else "tanh left out", lesson="tanh", at=f"2024-01-0{i + 1}T10:00:00+00:00")
            for i in range(5)]
    for r in rows:
        run_sql(url, "INSERT INTO attempts (uid, learner_id, exercise_id, variant_seed, quantity_id, answer_text, "
                     "status, credit, diagnosis, solution_revealed, lesson, created_at) VALUES (:uid, 1, :ex, :seed, "
                     ":q, :text, :status, :credit, :diag, FALSE, :lesson, :at)", **r)

    store = Store(url)
    assert store.persistent and store.notice is None
    assert store.schema_version() == SCHEMA_VERSION
    got = store.attempts("Ana")
    assert [(a.uid, a.quantity_id, a.answer_text, a.status, a.credit, a.diagnosis, a.created_at) for a in got] == \
        [(r["uid"], r["q"], r["text"], r["status"], r["credit"], r["diag"], r["at"]) for r in rows]
    assert all(a.hints_used == 0 and a.source == "here" for a in got)  # the columns the migrations added
    store.record_attempt(sample(hints_used=2))
    store.mark_lesson_read("Ana", "bptt")  # the table the migration added
    store.close()
    again = Store(url)  # opening again does not migrate twice
    assert again.schema_version() == SCHEMA_VERSION and len(again.attempts("Ana")) == 6
    assert again.attempts("Ana")[-1].hints_used == 2 and "bptt" in again.lessons_read("Ana")


def test_a_database_from_a_newer_app_is_left_alone(tmp_path):
    path = tmp_path / "progress.db"
    Store(url_of(path)).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE schema_version SET version = 99")
    con.commit()
    con.close()
    before = path.read_bytes()
    store = Store(url_of(path))
    assert not store.persistent and "newer version" in store.notice
    assert path.read_bytes() == before


def test_json_export_import_round_trips_and_is_idempotent(new_db):
    store = Store(new_db())
    store.record_attempts([sample(i=i) for i in range(9)])
    store.mark_lesson_read("Ana", "softmax")
    text = store.export_json("Ana")
    assert json.loads(text)["learner"] == "Ana"

    other = Store(new_db())  # Ana's other computer
    first = other.import_data("Ana", text)
    assert (first.added, first.skipped, first.lessons_marked) == (9, 0, 1)
    imported = [without_learner(a) for a in other.attempts("Ana")]
    assert all(a.pop("source") == "import" for a in imported)
    assert imported == [{k: v for k, v in without_learner(a).items() if k != "source"} for a in store.attempts("Ana")]
    second = other.import_data("ana", text.encode())  # the same name, typed another way
    assert (second.added, second.skipped, second.lessons_marked) == (0, 9, 0)
    assert len(other.attempts("Ana")) == 9
    # the file says whose progress it is: another learner cannot take it as theirs
    with pytest.raises(ImportRefused, match="holds the progress of “Ana”, not yours \\(Cy\\)"):
        store.import_data("Cy", text)
    assert store.attempts("Cy") == [] and len(store.attempts("Ana")) == 9


def test_csv_export_import_round_trips(new_db):
    store = Store(new_db())
    store.record_attempts([sample(i=i) for i in range(6)] + [sample(i=6, variant_seed=None, lesson=None)])
    text = store.export_csv("Ana")
    assert text.splitlines()[0].startswith("exercise_id,quantity_id,answer_text")
    other = Store(new_db())
    assert other.import_data("Ana", text).added == 7
    assert other.attempts("Ana") == [replace(a, source="import") for a in store.attempts("Ana")]
    assert other.import_data("Ana", text).added == 0


@pytest.mark.parametrize("bad, message", [
    ("", "empty"),
    ("{not json", "not valid JSON"),
    ('{"format": "something else"}', "not a progress export"),
    ("a,b\n1,2\n", "header lacks"),
    (b"\xff\xfe\x00", "UTF-8"),
])
def test_import_rejects_files_that_are_not_exports(new_db, bad, message):
    store = Store(new_db())
    with pytest.raises(ValueError, match=message):
        store.import_data("Ana", bad)
    assert store.attempts("Ana") == []


def test_import_with_one_bad_row_imports_nothing_and_names_the_row(new_db):
    store = Store(new_db())
    store.record_attempts([sample(i=i) for i in range(3)])
    doc = json.loads(store.export_json("Ana"))
    doc["attempts"][1]["credit"] = 7
    doc["attempts"][2]["created_at"] = "yesterday"
    other = Store(new_db())
    with pytest.raises(ValueError) as err:
        other.import_data("Ana", json.dumps(doc))
    assert "row 2: credit" in str(err.value) and "row 3: created_at" in str(err.value)
    assert other.attempts("Ana") == []


def test_reset_deletes_one_learner_only(new_db):
    store = Store(new_db())
    store.record_attempts([sample(i=i) for i in range(4)] + [sample(learner="Bo", i=9)])
    store.mark_lesson_read("Ana", "tanh")
    assert store.reset("Ana") == 4
    assert store.attempts("Ana") == [] and store.lessons_read("Ana") == {}
    assert len(store.attempts("Bo")) == 1
    assert store.reset("Nobody") == 0


def test_attempt_fields_are_validated(new_db):
    store = Store(new_db())
    for bad in [dict(credit=-0.1), dict(credit=float("nan")), dict(status=""), dict(exercise_id=""),
                dict(hints_used=-1), dict(variant_seed="7"), dict(created_at="2024-01-01T00:00:00"),
                dict(lesson="Not A Slug")]:
        with pytest.raises(ValueError):
            store.record_attempt(replace(sample(), **bad))
    long = sample(answer_text="9" * 5000)
    store.record_attempt(long)
    assert len(store.attempts("Ana")[0].answer_text) == 2000  # cut, not refused: the answer is still counted


def test_location_comes_from_the_environment(tmp_path, monkeypatch):
    url, path = resolve_url({"RNN_TUTOR_DATA": str(tmp_path / "deep" / "er")})
    assert path == tmp_path / "deep" / "er" / "progress.db" and url == url_of(path)
    url, path = resolve_url({"RNN_TUTOR_DB_URL": "postgresql://u:secret@db.example/rnn",
                             "RNN_TUTOR_DATA": str(tmp_path)})
    assert url.startswith("postgresql://") and path is None
    monkeypatch.setenv("RNN_TUTOR_DATA", str(tmp_path / "new" / "folder"))
    monkeypatch.delenv("RNN_TUTOR_DB_URL", raising=False)
    store = Store()  # created on first run
    assert (tmp_path / "new" / "folder" / "progress.db").is_file() and store.persistent


def test_an_unreachable_server_is_unavailable_never_silently_in_memory(caplog):
    # Nothing listens on port 9: the store says it cannot save, keeps the address out of sight, and refuses to
    # pretend: a write raises (the screen keeps the answer in its form), it is not kept in a memory store.
    store = Store("postgresql+psycopg://tutor:s3cret-pw@127.0.0.1:9/rnn", connect_attempts=2, retry_wait_s=0.01)
    assert store.status == "unavailable" and not store.persistent
    assert "cannot be reached" in store.notice
    assert "s3cret-pw" not in store.notice and "127.0.0.1" not in store.notice and "postgresql" not in store.notice
    assert "127.0.0.1:9" in caplog.text and "s3cret-pw" not in caplog.text  # the log says where, not the password
    with pytest.raises(StoreError, match="cannot be reached") as err:
        store.record_attempt(sample())
    assert "127.0.0.1" not in str(err.value)
    with pytest.raises(StoreError):
        store.attempts("Ana")


def test_an_empty_export_reads_back_empty(new_db):
    items, reads = parse_export(Store(new_db()).export_json("Nobody"), "Nobody")
    assert items == [] and reads == {}


def test_a_store_that_cannot_write_its_file_opens_it_read_only(tmp_path, monkeypatch):
    """The first write fails the way it does on a read-only disk or folder (permission bits do not stop root, who
    runs CI, so the failure is injected where the store meets SQLite)."""
    path = tmp_path / "progress.db"
    store = Store(url_of(path))
    store.record_attempts([sample(i=i) for i in range(3)])
    store.close()
    real_open = Store._open

    def read_only_disk(self, url, p):
        raise sqlite3.OperationalError("attempt to write a readonly database")
    monkeypatch.setattr(Store, "_open", read_only_disk)
    ro = Store(url_of(path))
    assert ro.status == "read-only" and len(ro.attempts("Ana")) == 3
    assert ro.schema_version() == SCHEMA_VERSION and ro.where.startswith("in a read-only")
    with pytest.raises(StoreError, match="read-only"):
        ro.record_attempt(sample(i=9))
    monkeypatch.setattr(Store, "_open", real_open)
    assert len(Store(url_of(path)).attempts("Ana")) == 3  # the file itself was never touched


def test_a_store_kept_in_memory_writes_its_answers_to_the_file_once_it_opens(tmp_path, monkeypatch):
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data folder should be")
    store = Store(url_of(blocker / "progress.db"))
    assert store.status == "memory"
    store.record_attempts([sample(i=i) for i in range(4)])
    store.mark_lesson_read("Ana", "tanh")
    blocker.unlink()  # the folder can be made now
    monkeypatch.setattr("core.progress.connection.RETRY_S", 0.0)
    store._next_retry = 0.0
    store.record_attempt(sample(i=4))  # the next write finds the file, moves what memory kept, and saves
    assert store.status == "ok" and store.notice is None
    on_disk = Store(url_of(blocker / "progress.db"))
    assert len(on_disk.attempts("Ana")) == 5 and "tanh" in on_disk.lessons_read("Ana")
