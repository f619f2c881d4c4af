"""The progress store's tests run against both backends: SQLite (a file per test) and PostgreSQL (a fresh
database per test on the session's server, the `pg_server` fixture of tests/conftest.py)."""
from __future__ import annotations

import uuid

import pytest


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
