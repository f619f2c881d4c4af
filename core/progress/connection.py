"""The progress store's database: how it is opened, how saving stands, and its transactions (via SQLAlchemy).

One SQLite file by default (`<repo>/data/progress.db`, or the folder in RNN_TUTOR_DATA); any SQLAlchemy URL
in RNN_TUTOR_DB_URL instead (a class server points the same code at PostgreSQL, `postgresql+psycopg://…`).
The store never loses an answer on purpose, never pretends to save when it cannot, and never makes the app
crash. Its `status` says how it stands, and `notice` says it to a learner (never with a path or a URL; the
server log gets the details):

- "ok": saving. Every write is one transaction; SQLite runs in WAL mode with a busy timeout and takes its
  write lock at BEGIN (BEGIN IMMEDIATE), so concurrent writers wait instead of failing halfway. Servers
  opening one empty database together are serialised (SQLite's write lock; PostgreSQL's advisory lock).
- "read-only": the progress file can be read but not written (a read-only disk or folder). The answers in
  it are shown (read into memory and migrated there); nothing new is saved and writes say so.
- "memory": nothing could be opened or created (no writable folder, a full disk): answers are kept in an
  in-memory database for as long as the server runs, and the file is tried again every RETRY_S seconds;
  once it opens, what was kept in memory is written into it and saving goes on.
- "unavailable": a configured database server cannot be reached; it is tried again before every read and
  write (at most every RETRY_S seconds), and nothing is saved until it answers.

A file that is not a database any more is renamed `<name>.corrupt-<timestamp>` (never deleted) and a fresh
one is started; `python -m core recover` brings back what the old file still holds. The tables and
migrations are in core.progress.schema, export and import in core.progress.transfer.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, func, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from core.errors import StoreError
from core.paths import DEFAULT_DATA_DIR
from core.progress.rows import _dump, _load
from core.progress.schema import ensure_schema, schema_version_table

DB_FILENAME = "progress.db"
RETRY_S = 5.0  # how often a store that cannot save tries its database again
SCHEMA_LOCK_KEY = 0x524E4E5F5455  # PostgreSQL advisory lock held while the schema is created or migrated
log = logging.getLogger(__name__)


def resolve_url(env: dict | None = None) -> tuple[str, Path | None]:
    """(SQLAlchemy URL, SQLite file or None) from RNN_TUTOR_DB_URL, else RNN_TUTOR_DATA, else <repo>/data."""
    env = os.environ if env is None else env
    url = (env.get("RNN_TUTOR_DB_URL") or "").strip()
    if url:
        parsed = make_url(url)
        db = parsed.database if parsed.get_backend_name() == "sqlite" else None
        return url, (Path(db) if db and db != ":memory:" else None)
    folder = Path(env.get("RNN_TUTOR_DATA") or DEFAULT_DATA_DIR).expanduser().absolute()
    path = folder / DB_FILENAME
    return f"sqlite:///{path}", path


def _is_corruption(exc: BaseException) -> bool:
    """True when SQLite says the file is not a (healthy) database, as opposed to 'cannot open or write'."""
    msg = str(getattr(exc, "orig", exc)).lower()
    return any(s in msg for s in ("file is not a database", "malformed", "corrupt"))


def _redact(url: str) -> str:
    """The URL without its password, for the server log."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a message must never fail
        return "the configured database"


def _in_words(exc: BaseException, server: bool) -> str:
    """Why opening or writing failed, for a learner: no path, no host, no driver jargon."""
    if isinstance(exc, StoreError):
        return exc.args[0]
    msg = str(getattr(exc, "orig", None) or exc).lower()
    if "full" in msg or getattr(exc, "errno", None) == 28:
        return "the disk is full"
    if isinstance(exc, PermissionError) or "readonly" in msg or "read-only" in msg or "permission" in msg:
        return "the data folder cannot be written to"
    if "no module named" in msg:
        return "the database driver is not installed on the server"
    if server:
        return "the class database cannot be reached"
    return "the progress file cannot be opened"


class _CorruptDatabase(Exception):
    pass



def _short(exc: BaseException) -> str:
    """The first line of a database error, without SQLAlchemy's background link."""
    msg = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return msg[0][:200] if msg else type(exc).__name__




class Connection:
    """The database behind a Store: how it was opened, how it stands (`status`, `notice`), its transactions."""

    def __init__(self, url: str | None = None, *, busy_timeout_s: float = 30.0, connect_attempts: int = 3,
                 retry_wait_s: float = 0.5):
        """Open (creating or migrating) the database at `url`, default from the environment (resolve_url)."""
        if url is None:
            url, path = resolve_url()
        else:
            path = resolve_url({"RNN_TUTOR_DB_URL": url})[1]
        self.url, self.path = url, path
        self.server = make_url(url).get_backend_name() != "sqlite"
        self.busy_timeout_s = busy_timeout_s
        self.status = "ok"
        self.notice: str | None = None  # for the learner: how progress stands, when it is not simply saved
        self.moved_to: Path | None = None  # where a corrupt file was set aside
        self._lock = nullcontext()
        self._next_retry = 0.0
        if self.server:
            self._open_server(connect_attempts, retry_wait_s)
        else:
            self._open_sqlite()

    # --- opening -----------------------------------------------------------------------------------------

    def _open_sqlite(self) -> None:
        url, path = self.url, self.path
        try:
            self.engine = self._open(url, path)
        except _CorruptDatabase:
            self.moved_to = self._move_aside(path)
            note = (f"Your progress file was damaged and could not be read. It was set aside as {self.moved_to.name} "
                    "in the data folder (nothing was deleted) and a fresh progress file was started; "
                    "`python -m core recover` brings back what the old file still holds.")
            log.warning("progress file %s was corrupt; moved to %s", path, self.moved_to)
            try:
                self.engine = self._open(url, path)
                self.notice = note
            except Exception as exc:  # noqa: BLE001 - any failure here still leaves the app usable in memory
                self._fall_back_to_memory(f"{note} But the fresh file could not be made either "
                                          f"({_in_words(exc, False)})", exc)
        except Exception as exc:  # noqa: BLE001 - unwritable folder, read-only file, newer schema...
            if path is not None and path.is_file() and os.access(path, os.R_OK) and not isinstance(exc, StoreError):
                try:
                    self._open_read_only(path, exc)
                    return
                except Exception as again:  # noqa: BLE001 - unreadable as well: memory it is
                    log.warning("progress file %s cannot be read either: %s", path, again)
            self._fall_back_to_memory(f"Progress cannot be saved ({_in_words(exc, False)})", exc)

    def _open(self, url: str, path: Path | None) -> Engine:
        """An engine on a SQLite `url` with the schema at the current version; _CorruptDatabase or another error."""
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)  # OSError here means an unwritable place
            if path.exists() and not path.is_file():
                raise StoreError("the progress file's place is taken by a folder")
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": self.busy_timeout_s})
        self._sqlite_events(engine, wal=path is not None)
        try:
            with engine.begin() as conn:
                if path is not None:
                    ok = conn.exec_driver_sql("PRAGMA quick_check").scalar()
                    if ok != "ok":
                        raise _CorruptDatabase(ok)
                ensure_schema(conn)
                # A write probe: a read-only file opens and reads fine, and fails only at the first answer.
                conn.execute(update(schema_version_table).values(version=schema_version_table.c.version))
        except DatabaseError as exc:
            engine.dispose()
            if path is not None and _is_corruption(exc):
                raise _CorruptDatabase(str(exc)) from exc
            raise
        except BaseException:
            engine.dispose()
            raise
        return engine

    def _open_server(self, attempts: int, wait_s: float) -> None:
        """Connect to a database server, a few times; if it does not answer, the store stays 'unavailable'."""
        self.engine = create_engine(self.url, pool_pre_ping=True)
        for i in range(max(1, attempts)):
            try:
                self._server_schema()
                return
            except Exception as exc:  # noqa: BLE001 - unreachable, refused, no driver, newer schema...
                last = exc
                if isinstance(exc, StoreError):
                    break  # e.g. a newer schema: trying again will not help
                if i + 1 < attempts:
                    time.sleep(wait_s)
        self._unavailable(last)

    def _server_schema(self) -> None:
        """Create or migrate the schema on a server database, one server at a time."""
        # READ COMMITTED whatever the server's default, so the statements after the advisory lock see what
        # another server committed meanwhile (under REPEATABLE READ the snapshot predates the lock).
        with self.engine.connect().execution_options(isolation_level="READ COMMITTED") as conn, conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
            ensure_schema(conn)
        if self.status != "ok":
            log.warning("the progress database %s answers again: saving goes on", _redact(self.url))
        self.status, self.notice = "ok", None

    def _unavailable(self, exc: BaseException) -> None:
        self.status = "unavailable"
        self.notice = (f"Your answers cannot be saved right now: {_in_words(exc, True)}. They are checked and "
                       "stay in the forms: check again in a moment and they will be saved.")
        self._next_retry = time.monotonic() + RETRY_S
        log.warning("progress database %s unavailable: %s", _redact(self.url), _short(exc))

    def _open_read_only(self, path: Path, why: BaseException) -> None:
        """Read the file into memory (migrated there) and serve it without saving."""
        src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if src.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise _CorruptDatabase("quick_check")
            copy = sqlite3.connect(":memory:", check_same_thread=False)
            src.backup(copy)
        finally:
            src.close()
        engine = create_engine("sqlite://", creator=lambda: copy, poolclass=StaticPool)
        self._sqlite_events(engine, wal=False)
        self._lock = threading.RLock()
        with engine.begin() as conn:
            ensure_schema(conn)
        self.engine = engine
        self.status = "read-only"
        self.notice = (f"Progress is read-only here ({_in_words(why, False)}): your saved answers are shown, but "
                       "new answers are checked without being saved.")
        log.warning("progress file %s is read-only (%s): serving it without saving", path, _short(why))

    def _sqlite_events(self, engine: Engine, wal: bool) -> None:
        """WAL, busy timeout and foreign keys on every connection; the write lock taken at BEGIN."""
        timeout_ms = int(self.busy_timeout_s * 1000)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # let SQLAlchemy's BEGIN below run instead of pysqlite's own
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout = {timeout_ms}")
            if wal:
                # Readers never block the writer, and the reverse. Switching a fresh file to WAL can fail at
                # once with "database is locked" while another process switches it (the busy timeout does not
                # cover it: seen with 8 servers opening one new file), so it is retried within the timeout.
                deadline = time.monotonic() + self.busy_timeout_s
                while True:
                    try:
                        cur.execute("PRAGMA journal_mode = WAL")
                        break
                    except sqlite3.OperationalError as exc:
                        if "locked" not in str(exc) or time.monotonic() > deadline:
                            raise
                        time.sleep(0.02)
                cur.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash loses no committed answer
            cur.execute("PRAGMA foreign_keys = ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            # IMMEDIATE: take the write lock up front, so a read-then-write transaction cannot deadlock with
            # another writer (a deferred BEGIN would fail with 'database is locked' without waiting).
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    def _move_aside(self, path: Path) -> Path:
        """Rename a corrupt file (and its WAL side files) to <name>.corrupt-<UTC time>; returns the new path."""
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        target = path.with_name(f"{path.name}.corrupt-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        path.rename(target)
        for suffix in ("-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                side.rename(target.with_name(target.name + suffix))
        return target

    def _fall_back_to_memory(self, reason: str, exc: BaseException | None = None) -> None:
        """Keep working in an in-memory database; the notice says progress will not outlive the server."""
        self.status = "memory"
        self.notice = (f"{reason}. Your answers are kept in memory only and are lost when the app stops: download "
                       "them from Your progress to keep them.")
        log.warning("progress kept in memory only (%s): %s", self.path or _redact(self.url),
                    _short(exc) if exc else reason)
        engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
        self._sqlite_events(engine, wal=False)
        self._lock = threading.RLock()  # one shared in-memory connection: one thread at a time
        with engine.begin() as conn:
            ensure_schema(conn)
        self.engine = engine
        self._next_retry = time.monotonic() + RETRY_S

    def _retry(self) -> None:
        """A store that cannot save tries its database again (at most every RETRY_S seconds)."""
        if self.status not in ("memory", "unavailable") or time.monotonic() < self._next_retry:
            return
        self._next_retry = time.monotonic() + RETRY_S
        if self.status == "unavailable":
            try:
                self._server_schema()
            except Exception as exc:  # noqa: BLE001 - still away
                log.info("progress database still unavailable: %s", _short(exc))
            return
        if self.path is None:
            return
        try:
            engine = self._open(self.url, self.path)
        except Exception as exc:  # noqa: BLE001 - still not writable
            log.info("progress file still cannot be opened: %s", _short(exc))
            return
        kept = _dump(self.engine)
        with engine.begin() as conn:
            _load(conn, kept)  # what was kept in memory goes into the file, then saving goes on there
        old, self.engine, self._lock = self.engine, engine, nullcontext()
        old.dispose()
        self.status, self.notice = "ok", None
        log.warning("progress file %s opens again: %d answers kept in memory were written to it", self.path,
                    len(kept["attempts"]))

    def refresh(self) -> str:
        """Try the database again if the store cannot save (at most every RETRY_S seconds); the status."""
        self._retry()
        return self.status

    @property
    def persistent(self) -> bool:
        """True when new answers are saved for good."""
        return self.status == "ok"

    @property
    def where(self) -> str:
        """Where progress is kept, in words a learner reads (never a path or a URL)."""
        if self.status == "memory":
            return "in memory only (not saved: it is lost when the app stops)"
        if self.status == "read-only":
            return "in a read-only progress file (new answers are not saved)"
        if self.status == "unavailable":
            return "in the class database, which cannot be reached right now"
        return "in the class database" if self.server else "on this computer"

    def schema_version(self) -> int:
        """The schema version recorded in the database."""
        return int(self._read(lambda c: c.execute(select(func.max(schema_version_table.c.version))).scalar()))

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    # --- transactions ------------------------------------------------------------------------------------

    def _write(self, fn: Callable, what: str):
        """Run fn(conn) in one transaction (retried once after a unique-key race); StoreError on failure."""
        self._retry()
        if self.status == "read-only":
            raise StoreError(f"Could not {what}: progress is read-only here.")
        if self.status == "unavailable":
            raise StoreError(f"Could not {what}: the class database cannot be reached right now.")
        for attempt in range(2):
            try:
                with self._lock, self.engine.begin() as conn:
                    return fn(conn)
            except IntegrityError as exc:
                if attempt == 1:
                    raise StoreError(f"Could not {what}: {_in_words(exc, self.server)}.") from exc
            except SQLAlchemyError as exc:
                self._failed(exc)
                raise StoreError(f"Could not {what}: {_in_words(exc, self.server)}.") from exc
        raise AssertionError("unreachable")

    def _read(self, fn: Callable, what: str = "read your progress"):
        """Run fn(conn) in one transaction and return its result; StoreError on failure."""
        self._retry()
        if self.status == "unavailable":
            raise StoreError(f"Could not {what}: the class database cannot be reached right now.")
        try:
            with self._lock, self.engine.begin() as conn:
                return fn(conn)
        except SQLAlchemyError as exc:
            self._failed(exc)
            raise StoreError(f"Could not {what}: {_in_words(exc, self.server)}.") from exc

    def _failed(self, exc: BaseException) -> None:
        """A database server that stops answering makes the store 'unavailable' until it answers again."""
        log.warning("progress store error on %s: %s", self.path or _redact(self.url), _short(exc))
        if self.server and (getattr(exc, "connection_invalidated", False) or isinstance(exc, OperationalError)):
            self._unavailable(exc)

