"""Progress store: every checked answer of every learner, kept in a real database through SQLAlchemy.

One SQLite file by default (`<repo>/data/progress.db`, or the folder in RNN_TUTOR_DATA); any SQLAlchemy URL
in RNN_TUTOR_DB_URL instead (a class server points the same code at PostgreSQL that way). The store never
loses an answer on purpose and never makes the app crash:

- every write is one transaction; SQLite runs in WAL mode with a busy timeout and takes its write lock at
  BEGIN (BEGIN IMMEDIATE), so concurrent writers wait instead of failing halfway;
- a file that is not a database any more is renamed `<name>.corrupt-<timestamp>` (never deleted) and a fresh
  one is started, with a `notice` for the UI that says where the old file went;
- a path that cannot be written (no such folder, read-only disk) falls back to an in-memory database, with a
  `notice`, so the session keeps working; such progress ends with the server process.

The tables and migrations are in core.progress.schema, export and import in core.progress.transfer.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, delete, event, func, insert, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError, IntegrityError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from core.errors import StoreError
from core.paths import DEFAULT_DATA_DIR
from core.progress.attempt import (
    _SLUG,
    MAX_ANSWER,
    Attempt,
    attempt_problems,
    normalize_learner,
    now_iso,
    replace_attempt,
)
from core.progress.schema import attempts_table, ensure_schema, learners, lesson_reads, schema_version_table
from core.progress.transfer import ImportResult, export_csv_text, export_json_text, parse_export

DB_FILENAME = "progress.db"


@dataclass(frozen=True)
class LearnerInfo:
    """A learner known to the store, with how much they did and when they were last here."""

    name: str
    attempts: int
    last_active: str | None


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
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a message must never fail
        return "the configured database"


class _CorruptDatabase(Exception):
    pass


class Store:
    """Learners' answers in a database: record, read, summarise, export, import and reset."""

    def __init__(self, url: str | None = None, *, busy_timeout_s: float = 30.0):
        """Open (creating or migrating) the database at `url`, default from the environment (resolve_url)."""
        if url is None:
            url, path = resolve_url()
        else:
            path = resolve_url({"RNN_TUTOR_DB_URL": url})[1]
        self.url, self.path = url, path
        self.busy_timeout_s = busy_timeout_s
        self.notice: str | None = None  # a message for the learner about where progress goes, if unusual
        self.moved_to: Path | None = None  # where a corrupt file was moved
        self.persistent = True
        self._lock = nullcontext()
        try:
            self.engine = self._open(url, path)
        except _CorruptDatabase:
            self.moved_to = self._move_aside(path)
            self.notice = (f"Your progress file {path} was damaged and could not be read. It was kept as "
                           f"{self.moved_to} (nothing was deleted) and a fresh progress file was started.")
            try:
                self.engine = self._open(url, path)
            except Exception as exc:  # noqa: BLE001 - any failure here still leaves the app usable in memory
                self._fall_back_to_memory(f"{self.notice} But the fresh file could not be created either ({exc}).")
        except Exception as exc:  # noqa: BLE001 - unwritable path, unreachable server, newer schema...
            where = str(path) if path is not None else _redact(url)
            reason = exc.args[0] if isinstance(exc, StoreError) else _short(exc)
            self._fall_back_to_memory(f"Progress cannot be saved to {where} ({reason}).")

    # --- opening -----------------------------------------------------------------------------------------

    def _open(self, url: str, path: Path | None) -> Engine:
        """An engine on `url` with the schema at the current version; raises _CorruptDatabase or another error."""
        is_sqlite = make_url(url).get_backend_name() == "sqlite"
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)  # OSError here means an unwritable place
            if path.exists() and not path.is_file():
                raise StoreError(f"{path} is not a file")
        if is_sqlite:
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": self.busy_timeout_s})
            self._sqlite_events(engine, wal=path is not None)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        try:
            with engine.begin() as conn:
                if is_sqlite and path is not None:
                    ok = conn.exec_driver_sql("PRAGMA quick_check").scalar()
                    if ok != "ok":
                        raise _CorruptDatabase(ok)
                ensure_schema(conn)
                # A write probe: a read-only file opens and reads fine, and fails only at the first answer.
                conn.execute(update(schema_version_table).values(version=schema_version_table.c.version))
        except DatabaseError as exc:
            engine.dispose()
            if is_sqlite and path is not None and _is_corruption(exc):
                raise _CorruptDatabase(str(exc)) from exc
            raise
        except BaseException:
            engine.dispose()
            raise
        return engine

    def _sqlite_events(self, engine: Engine, wal: bool) -> None:
        """WAL, busy timeout and foreign keys on every connection; the write lock taken at BEGIN."""
        timeout_ms = int(self.busy_timeout_s * 1000)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # let SQLAlchemy's BEGIN below run instead of pysqlite's own
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout = {timeout_ms}")
            if wal:
                cur.execute("PRAGMA journal_mode = WAL")  # readers never block the writer, and the reverse
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

    def _fall_back_to_memory(self, reason: str) -> None:
        """Keep working in an in-memory database; the notice says progress will not outlive the server."""
        self.persistent = False
        self.notice = (f"{reason} Your answers are kept in memory only and will be lost when the app stops; "
                       f"export them from the dashboard to keep them.")
        engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
        self._sqlite_events(engine, wal=False)
        self._lock = threading.RLock()  # one shared in-memory connection: one thread at a time
        with engine.begin() as conn:
            ensure_schema(conn)
        self.engine = engine

    @property
    def location(self) -> str:
        """Where progress is kept, in words."""
        if not self.persistent:
            return "memory (not saved)"
        return str(self.path) if self.path is not None else _redact(self.url)

    def schema_version(self) -> int:
        """The schema version recorded in the database."""
        return int(self._read(lambda c: c.execute(select(func.max(schema_version_table.c.version))).scalar()))

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    # --- transactions ------------------------------------------------------------------------------------

    def _write(self, fn: Callable, what: str):
        """Run fn(conn) in one transaction (retried once after a unique-key race); StoreError on failure."""
        for attempt in range(2):
            try:
                with self._lock, self.engine.begin() as conn:
                    return fn(conn)
            except IntegrityError as exc:
                if attempt == 1:
                    raise StoreError(f"Could not {what}: {_short(exc)}") from exc
            except SQLAlchemyError as exc:
                raise StoreError(f"Could not {what}: {_short(exc)}") from exc
        raise AssertionError("unreachable")

    def _read(self, fn: Callable, what: str = "read your progress"):
        """Run fn(conn) in one transaction and return its result; StoreError on failure."""
        try:
            with self._lock, self.engine.begin() as conn:
                return fn(conn)
        except SQLAlchemyError as exc:
            raise StoreError(f"Could not {what}: {_short(exc)}") from exc

    @staticmethod
    def _learner_id(conn, name: str, create: bool) -> int | None:
        """The id of learner `name` (normalised), created if asked and missing."""
        name = normalize_learner(name)
        key = name.casefold()
        found = conn.execute(select(learners.c.id).where(learners.c.name_key == key)).scalar()
        if found is not None or not create:
            return found
        new = conn.execute(insert(learners).values(name=name, name_key=key, created_at=now_iso()))
        return new.inserted_primary_key[0]

    # --- learners ----------------------------------------------------------------------------------------

    def ensure_learner(self, name: str) -> str:
        """Register a learner (idempotent, case-insensitive) and return the name as stored."""
        def run(conn):
            lid = self._learner_id(conn, name, create=True)
            return conn.execute(select(learners.c.name).where(learners.c.id == lid)).scalar()
        return self._write(run, "save your name")

    def learners(self) -> list[LearnerInfo]:
        """All learners, the most recently active first."""
        def run(conn):
            last = func.max(attempts_table.c.created_at)
            rows = conn.execute(
                select(learners.c.name, func.count(attempts_table.c.id), last, learners.c.created_at)
                .select_from(learners.outerjoin(attempts_table))
                .group_by(learners.c.id, learners.c.name, learners.c.created_at)
            ).all()
            infos = [LearnerInfo(r[0], int(r[1]), r[2]) for r in rows]
            return sorted(infos, key=lambda i: (i.last_active or "", i.name), reverse=True)
        return self._read(run)

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

        def run(conn):
            ids: dict[str, int] = {}
            for a in rows:
                key = normalize_learner(a.learner).casefold()
                if key not in ids:
                    ids[key] = self._learner_id(conn, a.learner, create=True)
            conn.execute(insert(attempts_table), [_row(a, ids[normalize_learner(a.learner).casefold()]) for a in rows])
            return len(rows)
        return self._write(run, "save your answer")

    def attempts(self, learner: str, exercise_id: str | None = None) -> list[Attempt]:
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

    def count_attempts(self) -> int:
        """How many answers the store holds, all learners together."""
        return int(self._read(lambda c: c.execute(select(func.count(attempts_table.c.id))).scalar()))

    # --- lessons -----------------------------------------------------------------------------------------

    def mark_lesson_read(self, learner: str, lesson: str, read: bool = True) -> None:
        """Mark a lesson as read (or unread again) for a learner."""
        if not _SLUG.match(lesson):
            raise ValueError(f"{lesson!r} is not a lesson slug")

        def run(conn):
            lid = self._learner_id(conn, learner, create=True)
            conn.execute(delete(lesson_reads).where(lesson_reads.c.learner_id == lid, lesson_reads.c.lesson == lesson))
            if read:
                conn.execute(insert(lesson_reads).values(learner_id=lid, lesson=lesson, read_at=now_iso()))
        self._write(run, "mark the lesson as read")

    def lessons_read(self, learner: str) -> dict[str, str]:
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

    def export_json(self, learner: str) -> str:
        """A learner's whole progress as JSON text (answers and lessons read)."""
        return export_json_text(learner, self.attempts(learner), self.lessons_read(learner))

    def export_csv(self, learner: str) -> str:
        """A learner's answers as CSV text, one row per answer, header first."""
        return export_csv_text(self.attempts(learner))

    def import_data(self, learner: str, data: str | bytes) -> ImportResult:
        """Add an export (JSON or CSV) to a learner's progress; answers already present are skipped.

        Validated first and all-or-nothing: a file with any invalid row changes nothing and the ValueError
        lists the first problems with their row numbers.
        """
        items, reads = parse_export(data, learner)

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

    def reset(self, learner: str) -> int:
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
    row = {k: v for k, v in asdict(a).items() if k != "learner"}
    row["learner_id"] = learner_id
    row["credit"] = float(a.credit)
    return row


def _attempt(r) -> Attempt:
    """An Attempt from an attempts-table row joined with the learner's name."""
    return Attempt(
        learner=r["name"], exercise_id=r["exercise_id"], quantity_id=r["quantity_id"], answer_text=r["answer_text"],
        status=r["status"], credit=float(r["credit"]), variant_seed=r["variant_seed"], diagnosis=r["diagnosis"],
        hints_used=int(r["hints_used"]), solution_revealed=bool(r["solution_revealed"]), lesson=r["lesson"],
        created_at=r["created_at"], uid=r["uid"],
    )


