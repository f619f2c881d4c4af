"""Bringing back what a damaged progress file still holds, and backing up and restoring a store, from the
command line as an administrator would (`python -m core recover | backup | restore`)."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from core.paths import ROOT
from core.progress import Attempt, Store, account, guest
from core.progress.cards import Fade
from core.progress.recovery import backup, read_damaged, recover, restore


def answers(learner, n, text="x" * 400):
    return [Attempt(learner=learner, exercise_id="forward_hello", quantity_id=f"z[{i % 4 + 1}]",
                    answer_text=f"{i}:{text}", status="wrong", credit=0.0, variant_seed=i) for i in range(n)]


def damaged_copy(tmp_path, n=300):
    """A progress file with two of its pages scribbled over, as a failing disk leaves one; and what was in it."""
    path = tmp_path / "progress.db"
    store = Store(f"sqlite:///{path}")
    store.record_attempts(answers("Ana", n))
    store.record_attempts(answers(account("http://idp", "s1", "bo@school.edu"), 5, "bo"))
    store.record_attempts(answers(guest(), 3, "a guest's"))
    store.mark_lesson_read("Ana", "tanh")
    store.set_fade("Ana", "bptt_hello", Fade(2, 99, 3))
    original = {a.uid: a for a in store.attempts("Ana")}
    store.close()
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = con.execute("PRAGMA page_size").fetchone()[0]
    leaves = [n for (n,) in con.execute("SELECT pageno FROM dbstat WHERE name = 'attempts' AND pagetype = 'leaf' "
                                         "ORDER BY pageno")]
    con.close()
    raw = bytearray(path.read_bytes())
    first = leaves[len(leaves) // 3] - 1  # two leaf pages of the attempts table (page numbers start at 1)
    raw[first * page:(first + 2) * page] = b"\xff" * (2 * page)  # two pages in the middle of the attempts table
    damaged = tmp_path / "progress.db.corrupt-20261201-101500"
    damaged.write_bytes(bytes(raw))
    return damaged, original


def test_the_readable_rows_of_a_damaged_file_come_back_exactly_and_only_once(tmp_path):
    damaged, original = damaged_copy(tmp_path)
    with pytest.raises(sqlite3.DatabaseError):  # the file really is damaged where it matters
        sqlite3.connect(damaged).execute("SELECT count(*), max(length(answer_text)) FROM attempts").fetchall()
    before = damaged.read_bytes()
    fresh = Store(f"sqlite:///{tmp_path / 'fresh.db'}")
    report = recover(damaged, fresh)
    assert damaged.read_bytes() == before  # the set-aside file itself is never touched
    got = fresh.attempts("Ana")
    assert 200 < len(got) < 300 and report.unreadable["attempts"] > 0  # most rows back, the scribbled ones not
    assert all(a == original[a.uid] for a in got)  # every row that came back is the row that was saved
    assert len(fresh.attempts(account("http://idp", "s1"))) == 5 and "tanh" in fresh.lessons_read("Ana")
    assert fresh.fades("Ana") == {"bptt_hello": Fade(2, 99, 3)}  # the place in the worked examples too
    assert fresh.learners("guest") == []  # a guest's answers belonged to one browser session: left out
    again = recover(damaged, fresh)
    assert again.merged.answers == 0 and len(fresh.attempts("Ana")) == len(got)


def test_recover_from_the_command_line_names_what_it_brought_back(tmp_path):
    damaged, _ = damaged_copy(tmp_path)
    db = f"sqlite:///{tmp_path / 'into.db'}"
    out = subprocess.run([sys.executable, "-m", "core", "recover", str(damaged), "--db", db], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("recovered ") and "rows could not be read" in out.stdout
    missing = subprocess.run([sys.executable, "-m", "core", "recover", str(tmp_path / "nope"), "--db", db], cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and missing.stderr.startswith("error:") and "Traceback" not in missing.stderr


def test_read_damaged_takes_an_old_v1_file_too(tmp_path):
    path = tmp_path / "old.db"
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE learners (id INTEGER PRIMARY KEY, name TEXT, name_key TEXT, created_at TEXT);
        CREATE TABLE attempts (id INTEGER PRIMARY KEY, uid TEXT, learner_id INTEGER, exercise_id TEXT,
            variant_seed INTEGER, quantity_id TEXT, answer_text TEXT, status TEXT, credit REAL, diagnosis TEXT,
            solution_revealed INTEGER, lesson TEXT, created_at TEXT);
        INSERT INTO learners VALUES (1, 'Ana', 'ana', '2025-01-01T10:00:00+00:00');
        INSERT INTO learners VALUES (2, 'Guest', 'guest', '2025-01-01T10:00:00+00:00');
        INSERT INTO attempts VALUES (1, '0000000000000000000000000000000a', 1, 'forward_hello', 7, 'z[1]', '0.5',
            'correct', 1.0, NULL, 0, 'tanh', '2025-01-02T10:00:00+00:00');
        INSERT INTO attempts VALUES (2, '0000000000000000000000000000000b', 2, 'forward_hello', 7, 'z[1]', 'x',
            'wrong', 0.0, NULL, 0, 'tanh', '2025-01-02T10:00:00+00:00');
    """)
    con.close()
    rows, _ = read_damaged(path)
    assert [r["name"] for r in rows["learners"]] == ["Ana"]  # the old shared Guest is not brought back
    assert [r["uid"] for r in rows["attempts"]] == ["0000000000000000000000000000000a"]


def test_a_backup_restores_into_an_empty_store_all_or_nothing(new_db):
    source = Store(new_db())
    source.record_attempts(answers("Ana", 20) + answers(account("http://idp", "s1", "bo@school.edu"), 4, "bo"))
    source.record_attempts(answers(guest(), 2, "guest"))
    source.mark_lesson_read("Ana", "bptt")
    text = backup(source)
    assert {r["name"] for r in json.loads(text)["learners"]} == {"Ana", "bo@school.edu"}  # no guests
    target = Store(new_db())
    result = restore(target, text)
    assert (result.learners, result.answers, result.lessons) == (2, 24, 1)
    assert target.attempts("Ana") == source.attempts("Ana")
    assert restore(target, text).answers == 0  # restoring twice adds nothing
    only_ana = backup(source, "Ana")
    assert [r["name"] for r in json.loads(only_ana)["learners"]] == ["Ana"]
    only_bo = json.loads(backup(source, "BO@School.edu"))  # a signed-in account, named by its e-mail
    assert [r["email"] for r in only_bo["learners"]] == ["bo@school.edu"] and len(only_bo["attempts"]) == 4
    bo_alone = Store(new_db())
    assert restore(bo_alone, text, "bo@school.edu").answers == 4 and bo_alone.count_attempts() == 4
    bad = json.loads(text)
    bad["attempts"][5]["credit"] = 7
    empty = Store(new_db())
    from core.errors import StoreError
    with pytest.raises(StoreError, match="nothing was restored"):
        restore(empty, json.dumps(bad))
    assert empty.count_attempts() == 0


def test_backup_and_restore_from_the_command_line(tmp_path):
    db = f"sqlite:///{tmp_path / 'p.db'}"
    Store(db).record_attempts(answers("Ana", 3))
    out = tmp_path / "backup.json"
    made = subprocess.run([sys.executable, "-m", "core", "backup", "--db", db, "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0 and json.loads(out.read_text())["format"] == "rnn-tutor-backup"
    other = f"sqlite:///{tmp_path / 'q.db'}"
    back = subprocess.run([sys.executable, "-m", "core", "restore", str(out), "--db", other], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert back.returncode == 0 and back.stdout.startswith("restored 3 answers"), back.stderr
    assert len(Store(other).attempts("Ana")) == 3
    out.write_text("{not json")
    broken = subprocess.run([sys.executable, "-m", "core", "restore", str(out), "--db", other], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert broken.returncode == 2 and "not a backup" in broken.stderr and "Traceback" not in broken.stderr
    nobody = subprocess.run([sys.executable, "-m", "core", "backup", "--db", db, "--learner", "Zed"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert nobody.returncode == 2 and "no learner 'Zed'" in nobody.stderr
