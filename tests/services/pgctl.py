"""Throw-away PostgreSQL clusters for tests and CI (Debian's postgresql 15, no systemd, no root paths).

As a library:

    from tests.services.pgctl import throwaway_postgres, create_database
    with throwaway_postgres() as url:          # postgresql+psycopg://rnn:<pw>@127.0.0.1:<port>/rnn
        fresh = create_database(url, "race_1")  # another empty database owned by the same role
        ...

As a command (one cluster for a whole CI run):

    eval "$(python tests/services/pgctl.py start --dir /tmp/ci-pg --export RNN_TUTOR_DB_URL)"  # export VAR=...
    python tests/services/pgctl.py url  --dir /tmp/ci-pg
    python tests/services/pgctl.py stop --dir /tmp/ci-pg  # stops the server, removes the folder (--keep keeps it)

Run as root, the cluster belongs to user `postgres` (initdb refuses to run as root); the folder is chowned to it,
so every folder above it must be traversable by `postgres` (/tmp is). Run as any other user, initdb runs directly.
Either way the superuser is called `postgres`, it is reached only through the unix socket inside the folder
(trust), and TCP on 127.0.0.1 needs the password (scram-sha-256). The app's role gets LOGIN and CREATEDB.

By default the cluster is NOT durable (fsync, synchronous_commit and full_page_writes off): it is for tests, and
that makes initdb and every commit much faster. `durable=True` / `--durable` keeps PostgreSQL's defaults.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STATE = "pgctl.json"  # marks a folder made by this module (stop removes only such folders)
PG_BIN_CANDIDATES = ["/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin"]


def _bin(name: str) -> str:
    for d in PG_BIN_CANDIDATES:
        p = Path(d) / name
        if p.exists():
            return str(p)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found: apt-get install -y postgresql")
    return found


def installed() -> bool:
    """PostgreSQL's server programs are on this machine (initdb and pg_ctl)."""
    try:
        _bin("initdb"), _bin("pg_ctl")
    except RuntimeError:
        return False
    return True


def _is_root() -> bool:
    return os.geteuid() == 0


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    """Run a PostgreSQL program, as user postgres when we are root. Raises with its output on failure."""
    if _is_root():
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    res = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if res.returncode != 0:
        raise RuntimeError(f"{shlex.join(cmd)} failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
    return res


def free_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _psql(folder: Path, port: int, sql: str, db: str = "postgres") -> str:
    return _run([_bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(folder), "-p", str(port),
                 "-U", "postgres", "-d", db, "-tA", "-c", sql]).stdout


def start(folder: str | os.PathLike, port: int | None = None, *, db: str = "rnn", user: str = "rnn",
          password: str | None = None, durable: bool = False, timings: dict | None = None) -> str:
    """initdb a cluster in `folder` (must be absent or empty), start it, create role + database; returns the URL."""
    t0 = time.perf_counter()
    folder = Path(folder).absolute()
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise RuntimeError(f"{folder} is not empty")
    if len(str(folder)) > 90:  # the unix socket path (folder/.s.PGSQL.<port>) must fit in 107 bytes
        raise RuntimeError(f"{folder} is too long for a unix socket path; use a shorter folder")
    data = folder / "data"
    if _is_root():
        shutil.chown(folder, "postgres", "postgres")
    os.chmod(folder, 0o700)
    password = password or os.urandom(12).hex()
    initdb = [_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth-local=trust",
              "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"]
    if not durable:
        initdb.append("--no-sync")
    _run(initdb)
    t_initdb = time.perf_counter()
    opts = ["-p {port}", f"-k {folder}", "-c listen_addresses=127.0.0.1", "-c max_connections=200"]
    if not durable:
        opts += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
    last_err = None
    for _ in range(5):  # free_port can race with another process: try another port
        p = port or free_port()
        try:
            _run([_bin("pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w", "-t", "60",
                  "-o", " ".join(opts).replace("{port}", str(p)), "start"])
            port = p
            break
        except RuntimeError as exc:
            last_err = exc
            if port:  # a fixed port: do not try others
                raise
    else:
        raise RuntimeError(f"could not start PostgreSQL: {last_err}")
    t_start = time.perf_counter()
    # Role and database. Identifiers are ours (checked), the password is hex: no quoting problems.
    for name in (db, user):
        if not name.replace("_", "").isalnum():
            raise ValueError(f"bad identifier {name!r}")
    _psql(folder, port, f"CREATE ROLE {user} LOGIN CREATEDB PASSWORD '{password}'")
    _psql(folder, port, f"CREATE DATABASE {db} OWNER {user}")
    t_db = time.perf_counter()
    url = f"postgresql+psycopg://{user}:{password}@127.0.0.1:{port}/{db}"
    state = {"url": url, "port": port, "data": str(data), "pid": os.getpid(),
             "timings_s": {"initdb": round(t_initdb - t0, 3), "pg_ctl_start": round(t_start - t_initdb, 3),
                           "role_and_db": round(t_db - t_start, 3), "total": round(t_db - t0, 3)}}
    (folder / STATE).write_text(json.dumps(state, indent=1))
    os.chmod(folder / STATE, 0o600)  # it holds the password
    if timings is not None:
        timings.update(state["timings_s"])
    return url


def url_of(folder: str | os.PathLike) -> str:
    return json.loads((Path(folder) / STATE).read_text())["url"]


def stop(folder: str | os.PathLike, *, remove: bool = True) -> None:
    """Stop the cluster in `folder` (fast shutdown) and remove the folder if it was made by start()."""
    folder = Path(folder).absolute()
    data = folder / "data"
    if (data / "postmaster.pid").exists():
        _run([_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "-t", "60", "stop"])
    if remove and (folder / STATE).exists():
        shutil.rmtree(folder)


def pause(folder: str | os.PathLike) -> None:
    """Stop the server but keep its data (a database server that goes away, for tests)."""
    stop(folder, remove=False)


def resume(folder: str | os.PathLike) -> None:
    """Start a paused server again, on the port it had."""
    folder = Path(folder).absolute()
    state = json.loads((folder / STATE).read_text())
    opts = [f"-p {state['port']}", f"-k {folder}", "-c listen_addresses=127.0.0.1", "-c max_connections=200",
            "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
    _run([_bin("pg_ctl"), "-D", state["data"], "-l", str(folder / "server.log"), "-w", "-t", "60",
          "-o", " ".join(opts), "start"])


def create_database(url: str, name: str) -> str:
    """CREATE DATABASE `name` (owned by the URL's role, which has CREATEDB); returns its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    if not name.replace("_", "").isalnum():
        raise ValueError(f"bad database name {name!r}")
    eng = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with eng.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
    finally:
        eng.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@contextlib.contextmanager
def throwaway_postgres(*, durable: bool = False, port: int | None = None, timings: dict | None = None):
    """A running PostgreSQL in a temporary folder for the duration of the block; yields the SQLAlchemy URL."""
    folder = Path(tempfile.mkdtemp(prefix="pg-", dir="/tmp"))  # short path: the unix socket lives here
    try:
        url = start(folder, port, durable=durable, timings=timings)
        throwaway_postgres.folder = folder  # for pause()/resume() in tests of a server that goes away
        yield url
    finally:
        try:
            stop(folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def drop_database(url: str, name: str) -> None:
    """DROP DATABASE `name`, closing whatever connections it still has (PostgreSQL 13+: WITH (FORCE))."""
    from sqlalchemy import create_engine, text
    if not name.replace("_", "").isalnum():
        raise ValueError(f"bad database name {name!r}")
    eng = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with eng.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    finally:
        eng.dispose()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("start", help="initdb + start + role/database; prints the URL")
    s.add_argument("--dir", required=True)
    s.add_argument("--port", type=int, default=None, help="default: a free port")
    s.add_argument("--db", default="rnn")
    s.add_argument("--user", default="rnn")
    s.add_argument("--durable", action="store_true", help="keep fsync etc. on (default: off, for tests)")
    s.add_argument("--export", metavar="VAR", help="print `export VAR=<url>` instead of the bare URL")
    u = sub.add_parser("url", help="print the URL of a running cluster")
    u.add_argument("--dir", required=True)
    t = sub.add_parser("stop", help="stop and remove the folder")
    t.add_argument("--dir", required=True)
    t.add_argument("--keep", action="store_true", help="stop only, keep the folder")
    a = ap.parse_args(argv)
    if a.cmd == "start":
        timings: dict = {}
        url = start(a.dir, a.port, db=a.db, user=a.user, durable=a.durable, timings=timings)
        print(f"export {a.export}={shlex.quote(url)}" if a.export else url)
        print(f"pgctl: started in {timings['total']:.2f} s {timings}", file=sys.stderr)
    elif a.cmd == "url":
        print(url_of(a.dir))
    else:
        stop(a.dir, remove=not a.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
