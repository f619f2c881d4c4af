"""The progress store's tests run against both backends: SQLite (a file per test) and PostgreSQL (a fresh
database per test in one throw-away cluster). .ci/run starts the cluster and exports its URL in
RNN_TUTOR_TEST_PG_URL; locally, a cluster is started for the session when Debian's postgresql is installed,
and otherwise the PostgreSQL runs skip with that reason (in CI they fail instead: they must run there)."""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

PG_ENV = "RNN_TUTOR_TEST_PG_URL"


def _no_postgres(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"the PostgreSQL tests must run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server():
    """The URL of a PostgreSQL server the tests may create databases on."""
    url = os.environ.get(PG_ENV)
    if url:
        yield url
        return
    from tests.services.pgctl import PG_BIN_CANDIDATES, throwaway_postgres

    if not (shutil.which("initdb") or any((Path(d) / "initdb").exists() for d in PG_BIN_CANDIDATES)):
        _no_postgres(f"no PostgreSQL here: install Debian's postgresql, or set {PG_ENV}")
    with throwaway_postgres() as started:
        yield started


@pytest.fixture(params=["sqlite", "postgresql"])
def new_db(request, tmp_path):
    """A factory of fresh, empty databases of one backend: new_db() -> SQLAlchemy URL (each call a new one)."""
    made: list[str] = []
    if request.param == "sqlite":
        def make() -> str:
            made.append(f"sqlite:///{tmp_path / f'progress-{len(made)}.db'}")
            return made[-1]
        yield make
        return
    from tests.services.pgctl import create_database, drop_database

    server = request.getfixturevalue("pg_server")

    def make_pg() -> str:
        name = f"t_{uuid.uuid4().hex[:16]}"
        made.append(name)
        return create_database(server, name)
    yield make_pg
    for name in made:
        drop_database(server, name)


def run_sql(url: str, script: str, **params) -> None:
    """Run a ';'-separated SQL script on either backend (old schemas written the way older versions did);
    {pk} becomes the backend's auto-increment primary key, :name placeholders take `params`."""
    from sqlalchemy import create_engine, text

    pk = "SERIAL PRIMARY KEY" if url.startswith("postgresql") else "INTEGER PRIMARY KEY"
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in script.replace("{pk}", pk).split(";"):
                if statement.strip():
                    conn.execute(text(statement), params)
    finally:
        engine.dispose()
