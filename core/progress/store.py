"""The progress store: every checked answer of every learner, and what a screen asks of them.

Store is a Connection (core.progress.connection: how the database is opened, how saving stands, the
transactions) with the operations on learners, answers, lessons, export, import, reset, backups and the
class view's read. Rows and dumps: core.progress.rows; tables: core.progress.schema.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import delete, func, insert, select, update

from core.progress import class_reads
from core.progress.attempt import _SLUG, MAX_ANSWER, Attempt, Brief, attempt_problems, now_iso, replace_attempt
from core.progress.cards import (
    Fade,
    Review,
    apply_reviews,
    delete_reviews,
    move_fades,
    read_cards,
    read_fade,
    read_fades,
    read_reviews,
    rebuild_cards,
    review_problems,
    write_fade,
)
from core.progress.connection import DB_FILENAME, RETRY_S, Connection, resolve_url
from core.progress.identity import Learner, as_learner
from core.progress.rows import LearnerInfo, MergeResult, _attempt, _dump_rows, _load, _row
from core.progress.schema import attempts_table, learners, lesson_reads, reviews
from core.progress.transfer import ImportResult, Known, export_csv_text, export_json_text, read_export
from core.review.schedule import CardState

__all__ = ["DB_FILENAME", "RETRY_S", "LearnerInfo", "MergeResult", "Store", "resolve_url"]




class Store(Connection):
    """Learners' answers in a database: record, read, summarise, export, import, reset, back up and restore."""

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
            move_fades(conn, gid, tid)
            if conn.execute(update(reviews).where(reviews.c.learner_id == gid).values(learner_id=tid)).rowcount:
                rebuild_cards(conn, tid)  # the moved reviews and the learner's own make the cards again
            delete_reviews(conn, [gid])  # what is left of the guest: their cards and fades
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
                delete_reviews(conn, chunk)
                conn.execute(delete(attempts_table).where(attempts_table.c.learner_id.in_(chunk)))
                conn.execute(delete(learners).where(learners.c.id.in_(chunk)))
            return len(stale)
        return self._write(run, "tidy away old guests")

    # --- answers -----------------------------------------------------------------------------------------

    def record_attempt(self, attempt: Attempt) -> None:
        """Store one checked answer in its own transaction; ValueError if a field is invalid."""
        self.record_attempts([attempt])

    def record_attempts(self, items: Iterable[Attempt], reviews: Iterable[Review] = ()) -> int:
        """Store several answers in one transaction (all or nothing); returns how many were stored.

        `reviews` (the ratings this Check gave skills) go to the answers' learner in the same transaction, and
        move that learner's review cards on.
        """
        rated = list(reviews)
        for r in rated:
            problems = review_problems(r)
            if problems:
                raise ValueError(f"Invalid review of {r.skill_id!r}: " + "; ".join(problems))
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
        if rated and len({w.key for w in who}) != 1:
            raise ValueError("reviews are recorded with the answers of one learner")

        def run(conn):
            ids: dict[str, int] = {}
            for w in who:
                if w.key not in ids:
                    ids[w.key] = self._learner_id(conn, w, create=True)
            conn.execute(insert(attempts_table), [_row(a, ids[w.key]) for a, w in zip(rows, who, strict=True)])
            apply_reviews(conn, ids[who[0].key], rated)
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
        return self._read(lambda conn: class_reads.everyone(conn, kinds, keys, brief=False))

    def everyone_brief(self, kinds: tuple[str, ...] = ("account",),
                       keys: Iterable[str] | None = None) -> list[tuple[LearnerInfo, list[Brief]]]:
        """everyone() with each answer as a Brief (the fields a class summary reads): about a third of the time
        for a whole class, as the answer texts stay in the database."""
        return self._read(lambda conn: class_reads.everyone(conn, kinds, keys, brief=True))

    def activity(self, kinds: tuple[str, ...] = ("account",)) -> dict[str, LearnerInfo]:
        """{learner key: LearnerInfo} of these kinds without their answers (one grouped query): how many answers
        each has and when the latest came. A screen caching what it computed from everyone() compares this to
        see whose answers changed (a new answer, a reset, an import or a new name changes a learner's info)."""
        return self._read(lambda conn: class_reads.activity(conn, kinds))

    # --- spaced review -----------------------------------------------------------------------------------

    def cards(self, learner: Learner | str) -> dict[str, CardState]:
        """{skill id: review card} of a learner (skills never rated have no card)."""
        def run(conn):
            lid = self._learner_id(conn, learner, create=False)
            return {} if lid is None else read_cards(conn, lid)
        return self._read(run)

    def reviews(self, learner: Learner | str) -> list[Review]:
        """A learner's review ratings, oldest first."""
        def run(conn):
            lid = self._learner_id(conn, learner, create=False)
            return [] if lid is None else read_reviews(conn, lid)
        return self._read(run)

    def fade(self, learner: Learner | str, exercise_id: str) -> Fade | None:
        """Where a learner is in an exercise's faded worked examples (None: not started)."""
        def run(conn):
            lid = self._learner_id(conn, learner, create=False)
            return None if lid is None else read_fade(conn, lid, exercise_id)
        return self._read(run)

    def fades(self, learner: Learner | str) -> dict[str, Fade]:
        """{exercise id: Fade} of every exercise the learner has started in the worked examples."""
        def run(conn):
            lid = self._learner_id(conn, learner, create=False)
            return {} if lid is None else read_fades(conn, lid)
        return self._read(run)

    def set_fade(self, learner: Learner | str, exercise_id: str, fade: Fade) -> None:
        """Save where a learner is in an exercise's faded worked examples."""
        def run(conn):
            write_fade(conn, self._learner_id(conn, learner, create=True), exercise_id, fade)
        self._write(run, "save where you are in the worked examples")

    # --- backups -----------------------------------------------------------------------------------------

    def dump(self, kinds: tuple[str, ...] = ("profile", "account")) -> dict[str, list[dict]]:
        """The raw rows of the learners of `kinds` and their answers and lesson marks (for backups)."""
        return self._read(lambda conn: _dump_rows(conn, kinds))

    def merge(self, rows: dict[str, list[dict]]) -> MergeResult:
        """Add raw rows (a dump, a backup, a recovered file) in one transaction; what is there already stays."""
        return self._write(lambda conn: _load(conn, rows), "restore the progress")

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
        """A learner's whole progress as JSON text (answers, lessons read, review ratings, places in the worked
        examples), labelled with who they are."""
        who = as_learner(learner)
        return export_json_text(who, self.attempts(who), self.lessons_read(who), self.reviews(who), self.fades(who))

    def export_csv(self, learner: Learner | str) -> str:
        """A learner's answers as CSV text, one row per answer, header first."""
        return export_csv_text(self.attempts(learner))

    def import_data(self, learner: Learner | str, data: str | bytes, known: Known | None = None) -> ImportResult:
        """Add an export (JSON or CSV) to a learner's progress; answers already present are skipped.

        Validated first and all-or-nothing (core.progress.transfer): a file with any problem changes nothing
        and ImportRefused says why in one line. `known` (the app's exercises and lessons) rejects invented ids.
        """
        got = read_export(data, learner, known)
        items, reads, ratings = got.attempts, got.lessons_read, got.reviews

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
            held = set(conn.execute(select(reviews.c.uid).where(reviews.c.learner_id == lid)).scalars())
            fresh = list({r.uid: r for r in ratings if r.uid not in held}.values())
            if fresh:
                conn.execute(insert(reviews), [{"uid": r.uid, "learner_id": lid, "skill_id": r.skill_id,
                                                "rating": r.rating, "reviewed_at": r.reviewed_at,
                                                "source": "import"} for r in fresh])
                rebuild_cards(conn, lid)
            places = read_fades(conn, lid)  # a place the learner has here stays; the file's fills the others
            taken = {e: f for e, f in got.fades.items() if e not in places}
            for e, f in taken.items():
                write_fade(conn, lid, e, f)
            return ImportResult(added=len(new), skipped=len(items) - len(new), lessons_marked=len(marks),
                                fades_added=len(taken))
        return self._write(run, "import the progress file")

    def reset(self, learner: Learner | str) -> int:
        """Delete a learner's answers, lesson marks and review schedule (the name stays); returns the number of
        answers deleted."""
        def run(conn):
            lid = self._learner_id(conn, learner, create=False)
            if lid is None:
                return 0
            conn.execute(delete(lesson_reads).where(lesson_reads.c.learner_id == lid))
            delete_reviews(conn, [lid])
            return conn.execute(delete(attempts_table).where(attempts_table.c.learner_id == lid)).rowcount
        return self._write(run, "reset your progress")


