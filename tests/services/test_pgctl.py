"""The throw-away PostgreSQL helper and the class view's reads on it: a fresh database takes the app's store,
and the command line starts a cluster, prints an URL to eval and removes the cluster again. Without Debian's
postgresql they skip (the pg_server fixture of tests/conftest.py; in CI they fail instead)."""
from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from core.progress import Attempt, Store, account, profile
from tests.services import pgctl

HERE = Path(pgctl.__file__)


def answer(who, qid: str, minute: int) -> Attempt:
    return Attempt(learner=who, exercise_id="forward_hello", quantity_id=qid, answer_text="0.5", status="correct",
                   credit=1.0, created_at=f"2025-03-01T09:{minute:02d}:00+00:00")


def test_a_fresh_database_holds_the_store_and_the_class_view_reads_it(pg_server):
    url = pg_server
    name = f"t_fresh_{uuid.uuid4().hex[:8]}"
    try:
        assert url.startswith("postgresql+psycopg://") and "@127.0.0.1:" in url
        fresh = pgctl.create_database(url, name)
        store = Store(fresh)
        assert store.persistent and store.server and store.where == "in the class database"
        ana = account("http://idp", "s1", "ana@school.edu")
        store.record_attempts([answer(ana, "z[1]", 0), answer(ana, "h[1]", 1), answer(profile("Pat"), "z[1]", 2)])
        (info, items), = store.everyone(("account",))
        assert (info.name, info.attempts, info.key) == ("ana@school.edu", 2, ana.key)
        assert [a.quantity_id for a in items] == ["z[1]", "h[1]"] and items == store.attempts(ana)
        assert store.activity(("account",))[ana.key].last_active == "2025-03-01T09:01:00+00:00"
        assert store.everyone(("account",), keys=["oidc:nobody"]) == []
        (_, briefs), = store.everyone_brief(("account",), keys=[ana.key])
        assert [(b.quantity_id, b.credit, b.solution_revealed) for b in briefs] == [("z[1]", 1.0, False),
                                                                                   ("h[1]", 1.0, False)]
        store.close()
        first = Store(pgctl.create_database(url, name + "_b"))
        assert first.count_attempts() == 0  # another database of the same server is another store
        first.close()
        pgctl.drop_database(url, name + "_b")
        with pytest.raises(ValueError):
            pgctl.create_database(url, "no; drop")
    finally:
        pgctl.drop_database(url, name)


def test_the_command_line_starts_prints_an_export_and_stops(tmp_path, pg_server):
    folder = Path("/tmp") / f"pgctl-test-{tmp_path.name[-20:]}"  # short: the unix socket lives in it
    run = [sys.executable, str(HERE)]
    out = subprocess.run([*run, "start", "--dir", str(folder), "--export", "RNN_TUTOR_DB_URL"], capture_output=True,
                         text=True, check=True).stdout
    try:
        assert out.startswith("export RNN_TUTOR_DB_URL=") and "postgresql+psycopg://" in out
        url = subprocess.run([*run, "url", "--dir", str(folder)], capture_output=True, text=True,
                             check=True).stdout.strip()
        store = Store(url)
        assert url in out and store.persistent
        store.close()
    finally:
        subprocess.run([*run, "stop", "--dir", str(folder)], check=True)
    assert not folder.exists()
