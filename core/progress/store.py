"""Progress store: every checked answer of every learner, kept in a real database through SQLAlchemy.

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
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, delete, event, func, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from core.errors import StoreError
from core.paths import DEFAULT_DATA_DIR
from core.progress.attempt import (
    _SLUG,
    ATTEMPT_FIELDS,
    MAX_ANSWER,
    Attempt,
    Brief,
    attempt_problems,
    now_iso,
    replace_attempt,
)
from core.progress.identity import Learner, as_learner
from core.progress.schema import attempts_table, ensure_schema, learners, lesson_reads, schema_version_table
from core.progress.transfer import ImportResult, Known, export_csv_text, export_json_text, parse_export

DB_FILENAME = "progress.db"
RETRY_S = 5.0  # how often a store that cannot save tries its database again
SCHEMA_LOCK_KEY = 0x524E4E5F5455  # PostgreSQL advisory lock held while the schema is created or migrated
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LearnerInfo:
    """A learner known to the store, with how much they did and when they were last here."""

    name: str
    attempts: int
    last_active: str | None
    key: str = ""  # the store's key of the learner (Learner.key): never shown, for matching only


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


class Store:
    """Learners' answers in a database: record, read, summarise, export, import and reset."""

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
        _load(engine, kept)  # what was kept in memory goes into the file, then saving goes on there
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

    @staticmethod
    def _learner_id(conn, learner: Learner | str, create: bool) -> int | None:
        """The id of `learner` (a Learner, or a profile name), created if asked and missing.

        A signed-in account's name and e-mail come from the provider and may change: they are updated here.
        """
        who = as_learner(learner)
        row = conn.execute(select(learners.c.id, learners.c.name, learners.c.email)
                           .where(learners.c.name_key == who.key)).first()
        if row is not None:
            if who.kind == "account" and (row.name, row.email) != (who.display, who.email):
                conn.execute(update(learners).where(learners.c.id == row.id).values(name=who.display,
                                                                                    email=who.email))
            return row.id
        if not create:
            return None
        new = conn.execute(insert(learners).values(name=who.display, name_key=who.key, kind=who.kind,
                                                   email=who.email, created_at=now_iso()))
        return new.inserted_primary_key[0]

    # --- learners ----------------------------------------------------------------------------------------

    def ensure_learner(self, learner: Learner | str) -> Learner:
        """Register a learner (idempotent; a profile name is case-insensitive); the learner as stored."""
        who = as_learner(learner)

        def run(conn):
            lid = self._learner_id(conn, who, create=True)
            name = conn.execute(select(learners.c.name).where(learners.c.id == lid)).scalar()
            return Learner(who.kind, who.key, name, who.email)
        return self._write(run, "save your name")

    def learners(self, kind: str = "profile") -> list[LearnerInfo]:
        """The learners of one kind (profiles by default: never guests), the most recently active first."""
        def run(conn):
            last = func.max(attempts_table.c.created_at)
            rows = conn.execute(
                select(learners.c.name, func.count(attempts_table.c.id), last, learners.c.created_at)
                .select_from(learners.outerjoin(attempts_table)).where(learners.c.kind == kind)
                .group_by(learners.c.id, learners.c.name, learners.c.created_at)
            ).all()
            infos = [LearnerInfo(r[0], int(r[1]), r[2]) for r in rows]
            return sorted(infos, key=lambda i: (i.last_active or "", i.name), reverse=True)
        return self._read(run)

    def adopt_guest(self, guest: Learner, target: Learner | str) -> int:
        """Move a guest's answers and lesson marks to a named learner (a guest who chooses a name keeps their
        work); the guest is then gone. Returns the number of answers moved."""
        assert guest.kind == "guest", "only a guest's work is adopted"

        def run(conn):
            gid = self._learner_id(conn, guest, create=False)
            tid = self._learner_id(conn, target, create=True)
            if gid is None:
                return 0
            moved = conn.execute(update(attempts_table).where(attempts_table.c.learner_id == gid)
                                 .values(learner_id=tid)).rowcount
            have = set(conn.execute(select(lesson_reads.c.lesson).where(lesson_reads.c.learner_id == tid)).scalars())
            for lesson, when in conn.execute(select(lesson_reads.c.lesson, lesson_reads.c.read_at)
                                             .where(lesson_reads.c.learner_id == gid)).all():
                if lesson not in have:
                    conn.execute(insert(lesson_reads).values(learner_id=tid, lesson=lesson, read_at=when))
            conn.execute(delete(lesson_reads).where(lesson_reads.c.learner_id == gid))
            conn.execute(delete(learners).where(learners.c.id == gid))
            return moved
        return self._write(run, "keep your work under your name")

    def purge_guests(self, older_than: datetime) -> int:
        """Delete the guests (and their answers) not active since `older_than`; returns how many."""
        cutoff = older_than.astimezone(UTC).isoformat(timespec="microseconds")

        def run(conn):
            last = func.max(attempts_table.c.created_at)
            rows = conn.execute(select(learners.c.id, learners.c.created_at, last)
                                .select_from(learners.outerjoin(attempts_table))
                                .where(learners.c.kind == "guest").group_by(learners.c.id, learners.c.created_at)
                                ).all()
            stale = [r[0] for r in rows if (r[2] or r[1]) < cutoff]  # the last answer, else when they came
            for i in range(0, len(stale), 500):
                chunk = stale[i:i + 500]
                conn.execute(delete(lesson_reads).where(lesson_reads.c.learner_id.in_(chunk)))
                conn.execute(delete(attempts_table).where(attempts_table.c.learner_id.in_(chunk)))
                conn.execute(delete(learners).where(learners.c.id.in_(chunk)))
            return len(stale)
        return self._write(run, "tidy away old guests")

    # --- answers -----------------------------------------------------------------------------------------

    def record_attempt(self, attempt: Attempt) -> None:
        """Store one checked answer in its own transaction; ValueError if a field is invalid."""
        self.record_attempts([attempt])

    def record_attempts(self, items: Iterable[Attempt]) -> int:
        """Store several answers in one transaction (all or nothing); returns how many were stored."""
        rows = []
        for a in items:
            if len(a.answer_text) > MAX_ANSWER:
                a = replace_attempt(a, answer_text=a.answer_text[:MAX_ANSWER - 1] + "…")
            problems = attempt_problems(a)
            if problems:
                raise ValueError(f"Invalid answer record for {a.exercise_id}/{a.quantity_id}: " + "; ".join(problems))
            rows.append(a)
        if not rows:
            return 0

        who = [as_learner(a.learner) for a in rows]

        def run(conn):
            ids: dict[str, int] = {}
            for w in who:
                if w.key not in ids:
                    ids[w.key] = self._learner_id(conn, w, create=True)
            conn.execute(insert(attempts_table), [_row(a, ids[w.key]) for a, w in zip(rows, who, strict=True)])
            return len(rows)
        return self._write(run, "save your answer")

    def attempts(self, learner: Learner | str, exercise_id: str | None = None) -> list[Attempt]:
        """A learner's answers, oldest first (optionally of one exercise)."""
        def run(conn):
            lid = self._learner_id(conn, learner, create=False)
            if lid is None:
                return []
            q = select(attempts_table, learners.c.name).join(learners).where(attempts_table.c.learner_id == lid)
            if exercise_id is not None:
                q = q.where(attempts_table.c.exercise_id == exercise_id)
            q = q.order_by(attempts_table.c.created_at, attempts_table.c.id)
            return [_attempt(r) for r in conn.execute(q).mappings()]
        return self._read(run)

    def everyone(self, kinds: tuple[str, ...] = ("account",),
                 keys: Iterable[str] | None = None) -> list[tuple[LearnerInfo, list[Attempt]]]:
        """Every learner of these kinds with their answers (oldest first): what the instructor's class view reads.

        One query for all of them (a class of 300 with 100 answers each is 30,000 rows); never guests. `keys`
        (Learner.key, as LearnerInfo.key gives them) reads only those learners: a screen that keeps what it
        computed per learner reads again only those whose answers changed (see activity()).
        """
        cols = [attempts_table.c[f] for f in ATTEMPT_FIELDS if f != "learner"]
        return self._read(lambda conn: _everyone(conn, kinds, keys, cols, _attempt_of))

    def everyone_brief(self, kinds: tuple[str, ...] = ("account",),
                       keys: Iterable[str] | None = None) -> list[tuple[LearnerInfo, list[Brief]]]:
        """everyone() with each answer as a Brief (the fields a class summary reads): about a third of the time
        for a whole class, as the answer texts stay in the database."""
        cols = [attempts_table.c[f] for f in Brief._fields]
        return self._read(lambda conn: _everyone(conn, kinds, keys, cols, _brief_of))

    def activity(self, kinds: tuple[str, ...] = ("account",)) -> dict[str, LearnerInfo]:
        """{learner key: LearnerInfo} of these kinds without their answers (one grouped query): how many answers
        each has and when the latest came. A screen caching what it computed from everyone() compares this to
        see whose answers changed (a new answer, a reset, an import or a new name changes a learner's info)."""
        kinds = tuple(k for k in kinds if k != "guest")

        def run(conn):
            rows = conn.execute(
                select(learners.c.name_key, learners.c.name, func.count(attempts_table.c.id),
                       func.max(attempts_table.c.created_at))
                .select_from(learners.outerjoin(attempts_table)).where(learners.c.kind.in_(kinds))
                .group_by(learners.c.id, learners.c.name_key, learners.c.name)).all()
            return {key: LearnerInfo(name, int(n), last, key) for key, name, n, last in rows}
        return self._read(run)

    def count_attempts(self) -> int:
        """How many answers the store holds, all learners together."""
        return int(self._read(lambda c: c.execute(select(func.count(attempts_table.c.id))).scalar()))

    # --- lessons -----------------------------------------------------------------------------------------

    def mark_lesson_read(self, learner: Learner | str, lesson: str, read: bool = True) -> None:
        """Mark a lesson as read (or unread again) for a learner."""
        if not _SLUG.match(lesson):
            raise ValueError(f"{lesson!r} is not a lesson slug")

        def run(conn):
            lid = self._learner_id(conn, learner, create=True)
            conn.execute(delete(lesson_reads).where(lesson_reads.c.learner_id == lid, lesson_reads.c.lesson == lesson))
            if read:
                conn.execute(insert(lesson_reads).values(learner_id=lid, lesson=lesson, read_at=now_iso()))
        self._write(run, "mark the lesson as read")

    def lessons_read(self, learner: Learner | str) -> dict[str, str]:
        """{lesson slug: time it was marked read} for a learner."""
        def run(conn):
            lid = self._learner_id(conn, learner, create=False)
            if lid is None:
                return {}
            rows = conn.execute(select(lesson_reads.c.lesson, lesson_reads.c.read_at)
                                .where(lesson_reads.c.learner_id == lid)).all()
            return {r[0]: r[1] for r in rows}
        return self._read(run)

    # --- export, import, reset ---------------------------------------------------------------------------

    def export_json(self, learner: Learner | str) -> str:
        """A learner's whole progress as JSON text (answers and lessons read), labelled with who they are."""
        who = as_learner(learner)
        return export_json_text(who, self.attempts(who), self.lessons_read(who))

    def export_csv(self, learner: Learner | str) -> str:
        """A learner's answers as CSV text, one row per answer, header first."""
        return export_csv_text(self.attempts(learner))

    def import_data(self, learner: Learner | str, data: str | bytes, known: Known | None = None) -> ImportResult:
        """Add an export (JSON or CSV) to a learner's progress; answers already present are skipped.

        Validated first and all-or-nothing (core.progress.transfer): a file with any problem changes nothing
        and ImportRefused says why in one line. `known` (the app's exercises and lessons) rejects invented ids.
        """
        items, reads = parse_export(data, learner, known)

        def run(conn):
            lid = self._learner_id(conn, learner, create=True)
            uids = [a.uid for a in items]
            have = set()
            for i in range(0, len(uids), 500):  # keep each IN (...) list short
                chunk = uids[i:i + 500]
                have |= set(conn.execute(select(attempts_table.c.uid).where(
                    attempts_table.c.learner_id == lid, attempts_table.c.uid.in_(chunk))).scalars())
            new, seen = [], set()
            for a in items:
                if a.uid not in have and a.uid not in seen:
                    new.append(_row(a, lid))
                    seen.add(a.uid)
            if new:
                conn.execute(insert(attempts_table), new)
            already = set(conn.execute(select(lesson_reads.c.lesson).where(lesson_reads.c.learner_id == lid)).scalars())
            marks = [{"learner_id": lid, "lesson": s, "read_at": t} for s, t in reads.items() if s not in already]
            if marks:
                conn.execute(insert(lesson_reads), marks)
            return ImportResult(added=len(new), skipped=len(items) - len(new), lessons_marked=len(marks))
        return self._write(run, "import the progress file")

    def reset(self, learner: Learner | str) -> int:
        """Delete a learner's answers and lesson marks (the name stays); returns the number of answers deleted."""
        def run(conn):
            lid = self._learner_id(conn, learner, create=False)
            if lid is None:
                return 0
            conn.execute(delete(lesson_reads).where(lesson_reads.c.learner_id == lid))
            return conn.execute(delete(attempts_table).where(attempts_table.c.learner_id == lid)).rowcount
        return self._write(run, "reset your progress")


def _short(exc: BaseException) -> str:
    """The first line of a database error, without SQLAlchemy's background link."""
    msg = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return msg[0][:200] if msg else type(exc).__name__


def _row(a: Attempt, learner_id: int) -> dict:
    """The attempts-table row of an attempt."""
    row = {f: getattr(a, f) for f in ATTEMPT_FIELDS if f != "learner"}
    row["learner_id"] = learner_id
    row["credit"] = float(a.credit)
    return row


def _attempt(r) -> Attempt:
    """An Attempt from an attempts-table row joined with the learner's name."""
    return Attempt(
        learner=r["name"], exercise_id=r["exercise_id"], quantity_id=r["quantity_id"], answer_text=r["answer_text"],
        status=r["status"], credit=float(r["credit"]), variant_seed=r["variant_seed"], diagnosis=r["diagnosis"],
        hints_used=int(r["hints_used"]), solution_revealed=bool(r["solution_revealed"]), lesson=r["lesson"],
        created_at=r["created_at"], uid=r["uid"], first_wrong=r["first_wrong"], source=r["source"],
    )


def _everyone(conn, kinds: tuple[str, ...], keys: Iterable[str] | None, cols: list, make: Callable
              ) -> list[tuple[LearnerInfo, list]]:
    """Store.everyone's query: the learners of these kinds (never guests; only `keys` if given), by name, each
    with `make(name, [their values of cols])` per answer, oldest first."""
    kinds = tuple(k for k in kinds if k != "guest")
    people = conn.execute(select(learners.c.id, learners.c.name, learners.c.name_key)
                          .where(learners.c.kind.in_(kinds))).all()
    if keys is not None:
        wanted = set(keys)
        people = [p for p in people if p[2] in wanted]
    ids = {p[0] for p in people}
    q = select(attempts_table.c.learner_id, learners.c.name, *cols).join(learners)
    q = q.where(learners.c.kind.in_(kinds) if keys is None or len(ids) > 500
                else attempts_table.c.learner_id.in_(ids))  # a short IN list, else all and filter here
    q = q.order_by(attempts_table.c.learner_id, attempts_table.c.created_at, attempts_table.c.id)
    by_id: dict[int, list] = {}
    for lid, name, *values in conn.execute(q).all():  # all(): one fetch, not a row at a time
        if lid in ids:
            by_id.setdefault(lid, []).append(make(name, values))
    out = []
    for lid, name, key in sorted(people, key=lambda r: (r[1].casefold(), r[0])):
        items = by_id.get(lid, [])
        out.append((LearnerInfo(name, len(items), max((a.created_at for a in items), default=None), key), items))
    return out


_BRIEF_CREDIT, _BRIEF_REVEALED = Brief._fields.index("credit"), Brief._fields.index("solution_revealed")


def _brief_of(name: str, values: list) -> Brief:
    """A Brief from its columns, in Brief's order (a database may give the credit as a Decimal, a flag as 0/1)."""
    values[_BRIEF_CREDIT], values[_BRIEF_REVEALED] = float(values[_BRIEF_CREDIT]), bool(values[_BRIEF_REVEALED])
    return Brief._make(values)


_COERCE = [(ATTEMPT_FIELDS.index(f) - 1, t) for f, t in (("credit", float), ("hints_used", int),
                                                          ("solution_revealed", bool))]


def _attempt_of(name: str, values: list) -> Attempt:
    """An Attempt from the attempts-table columns in ATTEMPT_FIELDS order after the learner (whose name comes
    first): the fast path of everyone(), which makes tens of thousands of them."""
    for i, kind in _COERCE:
        values[i] = kind(values[i])
    return Attempt(name, *values)


def _dump(engine: Engine) -> dict[str, list[dict]]:
    """Every row of the learners, attempts and lesson_reads tables (to move an in-memory store into a file)."""
    with engine.begin() as conn:
        return {t.name: [dict(r) for r in conn.execute(select(t)).mappings()]
                for t in (learners, attempts_table, lesson_reads)}


def _load(engine: Engine, rows: dict[str, list[dict]]) -> None:
    """Add dumped rows to another store's tables in one transaction, matching learners by key, skipping
    answers it already holds (by uid) and lessons already marked."""
    with engine.begin() as conn:
        ids = {}
        for r in rows["learners"]:
            found = conn.execute(select(learners.c.id).where(learners.c.name_key == r["name_key"])).scalar()
            if found is None:
                found = conn.execute(insert(learners).values({k: v for k, v in r.items() if k != "id"})
                                     ).inserted_primary_key[0]
            ids[r["id"]] = found
        for r in rows["attempts"]:
            lid = ids[r["learner_id"]]
            if conn.execute(select(attempts_table.c.id).where(attempts_table.c.learner_id == lid,
                                                              attempts_table.c.uid == r["uid"])).first() is None:
                conn.execute(insert(attempts_table).values({**{k: v for k, v in r.items() if k != "id"},
                                                            "learner_id": lid}))
        for r in rows["lesson_reads"]:
            lid = ids[r["learner_id"]]
            if conn.execute(select(lesson_reads.c.lesson).where(lesson_reads.c.learner_id == lid,
                                                                lesson_reads.c.lesson == r["lesson"])).first() is None:
                conn.execute(insert(lesson_reads).values({**r, "learner_id": lid}))
