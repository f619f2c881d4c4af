"""Throw-away PostgreSQL clusters for tests, benchmarks and CI (Debian's postgresql, no systemd, no root paths).

As a library:

    from tests.services.pgctl import throwaway_postgres, create_database
    with throwaway_postgres() as url:           # postgresql+psycopg://rnn:<password>@127.0.0.1:<port>/rnn
        fresh = create_database(url, "race_1")   # another empty database owned by the same role

As a command (one cluster for a whole CI run):

    eval "$(python tests/services/pgctl.py start --dir /tmp/ci-pg --export RNN_TUTOR_DB_URL)"
    python tests/services/pgctl.py url  --dir /tmp/ci-pg
    python tests/services/pgctl.py stop --dir /tmp/ci-pg      # stops it and removes the folder (--keep keeps it)

initdb refuses to run as root, so as root every PostgreSQL program runs as user `postgres` (runuser) and the
folder is chowned to it: every folder above it must be traversable by `postgres` (/tmp is). As any other user
they run directly. Either way the superuser `postgres` is reached only through the unix socket inside the
folder (trust), TCP on 127.0.0.1 needs the password (scram-sha-256), and the app's role has LOGIN and CREATEDB.

The cluster is NOT durable by default (fsync, synchronous_commit and full_page_writes off): it is for tests,
and that makes initdb and every commit much faster. `durable=True` / `--durable` keeps PostgreSQL's defaults.
Nothing here imports the app; SQLAlchemy is imported only by create_database.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STATE = "pgctl.json"  # marks a folder made by start(); stop() removes only such folders (it holds the password)
BIN_DIRS = [f"/usr/lib/postgresql/{v}/bin" for v in (15, 16, 17, 14, 13)]
_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def pg_bin(name: str) -> str | None:
    """The path of a PostgreSQL program (Debian keeps them off PATH), or None if it is not installed."""
    for d in BIN_DIRS:
        if (Path(d) / name).exists():
            return str(Path(d) / name)
    return shutil.which(name)


def installed() -> bool:
    """Whether initdb, pg_ctl and psql are there (apt-get install postgresql)."""
    return all(pg_bin(n) for n in ("initdb", "pg_ctl", "psql"))


def _run(cmd: list[str]) -> str:
    """Run a PostgreSQL program (as user postgres when we are root); its stdout, or RuntimeError with its output."""
    prog = pg_bin(cmd[0])
    if prog is None:
        raise RuntimeError(f"{cmd[0]} not found: apt-get install -y postgresql")
    cmd = [prog, *cmd[1:]]
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"{shlex.join(cmd)} failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
    return res.stdout


def free_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _psql(folder: Path, port: int, sql: str) -> str:
    return _run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(folder), "-p", str(port), "-U", "postgres",
                 "-d", "postgres", "-tA", "-c", sql])


def _initdb(folder: Path, durable: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise RuntimeError(f"{folder} is not empty")
    if len(str(folder)) > 90:  # the unix socket (folder/.s.PGSQL.<port>) must fit in 107 bytes
        raise RuntimeError(f"{folder} is too long for a unix socket path; use a shorter folder")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    os.chmod(folder, 0o700)
    data = folder / "data"
    _run(["initdb", "-D", str(data), "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256",
          "-E", "UTF8", "--locale=C.UTF-8", *([] if durable else ["--no-sync"])])
    return data


def _pg_start(folder: Path, data: Path, port: int | None, durable: bool) -> int:
    """Start the server on `port`, or on a free port (trying another if one is taken meanwhile); the port."""
    opts = [f"-k {folder}", "-c listen_addresses=127.0.0.1", "-c max_connections=200"]
    if not durable:
        opts += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
    last = None
    for _ in range(1 if port else 5):
        p = port or free_port()
        try:
            _run(["pg_ctl", "-D", str(data), "-l", str(folder / "server.log"), "-w", "-t", "60",
                  "-o", " ".join([f"-p {p}", *opts]), "start"])
            return p
        except RuntimeError as exc:
            last = exc
    raise RuntimeError(f"could not start PostgreSQL: {last}")


def start(folder: str | os.PathLike, port: int | None = None, *, db: str = "rnn", user: str = "rnn",
          password: str | None = None, durable: bool = False, timings: dict | None = None) -> str:
    """initdb a cluster in `folder` (absent or empty), start it, create the role and its database; the URL."""
    for name in (db, user):
        if not _IDENT.match(name):
            raise ValueError(f"{name!r} is not a plain lower-case SQL identifier")
    t0 = time.perf_counter()
    folder = Path(folder).absolute()
    data = _initdb(folder, durable)
    t_initdb = time.perf_counter()
    port = _pg_start(folder, data, port, durable)
    t_start = time.perf_counter()
    password = password or os.urandom(12).hex()
    if not re.fullmatch(r"[A-Za-z0-9]+", password):
        raise ValueError("use letters and digits only in the password (it goes into SQL and a URL)")
    _psql(folder, port, f"CREATE ROLE {user} LOGIN CREATEDB PASSWORD '{password}'")
    _psql(folder, port, f"CREATE DATABASE {db} OWNER {user}")
    url = f"postgresql+psycopg://{user}:{password}@127.0.0.1:{port}/{db}"
    spent = {"initdb": t_initdb - t0, "pg_ctl_start": t_start - t_initdb, "role_and_db": time.perf_counter() - t_start}
    spent["total"] = sum(spent.values())
    (folder / STATE).write_text(json.dumps({"url": url, "port": port, "data": str(data),
                                            "timings_s": {k: round(v, 3) for k, v in spent.items()}}, indent=1))
    os.chmod(folder / STATE, 0o600)
    if timings is not None:
        timings.update(spent)
    return url


def url_of(folder: str | os.PathLike) -> str:
    """The URL of the cluster start() made in `folder`."""
    return json.loads((Path(folder) / STATE).read_text())["url"]


def stop(folder: str | os.PathLike, *, remove: bool = True) -> None:
    """Stop the cluster in `folder` (fast shutdown) and, if start() made the folder, remove it."""
    folder = Path(folder).absolute()
    data = folder / "data"
    if (data / "postmaster.pid").exists():
        _run(["pg_ctl", "-D", str(data), "-m", "fast", "-w", "-t", "60", "stop"])
    if remove and (folder / STATE).exists():
        shutil.rmtree(folder)


def create_database(url: str, name: str) -> str:
    """CREATE DATABASE `name`, owned by the URL's role (which has CREATEDB); the new database's URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    if not _IDENT.match(name):
        raise ValueError(f"{name!r} is not a plain lower-case SQL identifier")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
    finally:
        engine.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@contextlib.contextmanager
def throwaway_postgres(*, durable: bool = False, port: int | None = None, timings: dict | None = None):
    """A running PostgreSQL in a fresh folder under /tmp for the duration of the block; yields its URL."""
    folder = Path(tempfile.mkdtemp(prefix="pg-", dir="/tmp"))  # a short path: the unix socket lives in it
    try:
        yield start(folder, port, durable=durable, timings=timings)
    finally:
        try:
            stop(folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="pgctl.py", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("start", help="initdb, start, create the role and database; print the URL")
    s.add_argument("--dir", required=True)
    s.add_argument("--port", type=int, default=None, help="default: a free port")
    s.add_argument("--db", default="rnn")
    s.add_argument("--user", default="rnn")
    s.add_argument("--durable", action="store_true", help="keep fsync and the rest on (default: off, for tests)")
    s.add_argument("--export", metavar="VAR", help="print `export VAR=<url>` (for eval) instead of the URL")
    sub.add_parser("url", help="print the URL of a running cluster").add_argument("--dir", required=True)
    t = sub.add_parser("stop", help="stop the cluster and remove its folder")
    t.add_argument("--dir", required=True)
    t.add_argument("--keep", action="store_true", help="stop only, keep the folder")
    a = ap.parse_args(argv)
    if a.cmd == "start":
        spent: dict = {}
        url = start(a.dir, a.port, db=a.db, user=a.user, durable=a.durable, timings=spent)
        print(f"export {a.export}={shlex.quote(url)}" if a.export else url)
        print(f"pgctl: started in {spent['total']:.2f} s", file=sys.stderr)
    elif a.cmd == "url":
        print(url_of(a.dir))
    else:
        stop(a.dir, remove=not a.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
