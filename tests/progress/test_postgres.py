"""PostgreSQL as a first-class backend: servers opening an empty database together, concurrent writers in
several processes (on SQLite too), and a database server that goes away and comes back (nothing is pretended saved)."""
from __future__ import annotations

import multiprocessing as mp

import pytest

from core.progress import SCHEMA_VERSION, Attempt, Store, StoreError

SERVERS = 8


def _open_together(url: str, barrier, results) -> None:
    barrier.wait()  # every 'server' opens the empty database at the same moment
    store = Store(url, connect_attempts=1)
    results.put((store.status, store.notice))
    store.close()


@pytest.mark.parametrize("round_no", range(3))
def test_eight_servers_opening_an_empty_database_together_all_get_it(pg_server, round_no):
    from tests.services.pgctl import create_database, drop_database

    name = f"race_{round_no}_{mp.current_process().pid}"
    url = create_database(pg_server, name)
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(SERVERS), ctx.Queue()
    procs = [ctx.Process(target=_open_together, args=(url, barrier, results)) for _ in range(SERVERS)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(60)
    try:
        assert outcomes == [("ok", None)] * SERVERS, outcomes  # none fell back, none failed
        assert Store(url).schema_version() == SCHEMA_VERSION
    finally:
        drop_database(pg_server, name)


def _write(url: str, k: int, n: int) -> None:
    store = Store(url)
    for i in range(n):
        store.record_attempt(Attempt(learner=f"learner {k % 3}", exercise_id="forward_hello", quantity_id=f"z[{i % 9}]",
                                     answer_text=f"{k}-{i}", status="wrong", credit=0.0, variant_seed=k))
    store.close()


def test_eight_processes_writing_together_lose_nothing(new_db):
    """On both backends (new_db: SQLite and PostgreSQL), eight processes, as eight servers would, each record
    150 answers at the same time: every one is there afterwards."""
    url = new_db()
    Store(url).close()  # the schema first, as a running server would have it
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_write, args=(url, k, 150)) for k in range(8)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(180)
    assert all(p.exitcode == 0 for p in procs), [p.exitcode for p in procs]
    store = Store(url)
    got = {a.answer_text for name in ("learner 0", "learner 1", "learner 2") for a in store.attempts(name)}
    assert got == {f"{k}-{i}" for k in range(8) for i in range(150)} and store.count_attempts() == 1200
    store.close()


def test_a_database_that_goes_away_is_said_plainly_and_saving_resumes_when_it_is_back(monkeypatch):
    from tests.services import pgctl

    monkeypatch.setattr("core.progress.connection.RETRY_S", 0.0)
    try:
        with pgctl.throwaway_postgres() as url:
            folder = pgctl.throwaway_postgres.folder
            store = Store(url)
            store.record_attempt(Attempt(learner="Ana", exercise_id="forward_hello", quantity_id="z[1]",
                                         answer_text="before", status="correct", credit=1.0))
            pgctl.pause(folder)
            with pytest.raises(StoreError, match="cannot be reached") as err:
                store.record_attempt(Attempt(learner="Ana", exercise_id="forward_hello", quantity_id="z[2]",
                                             answer_text="while away", status="correct", credit=1.0))
            assert "127.0.0.1" not in str(err.value) and "postgresql" not in str(err.value)
            assert store.status == "unavailable" and "cannot be saved right now" in store.notice
            pgctl.resume(folder)
            assert store.refresh() == "ok" and store.notice is None
            store.record_attempt(Attempt(learner="Ana", exercise_id="forward_hello", quantity_id="z[2]",
                                         answer_text="checked again", status="correct", credit=1.0))
            assert [a.answer_text for a in store.attempts("Ana")] == ["before", "checked again"]
    except RuntimeError as exc:
        if "not found" in str(exc) and not __import__("os").environ.get("CI"):
            pytest.skip(f"no PostgreSQL here: {exc}")
        raise
