"""The progress store's tables, their version, and the migrations from older versions.

The schema is versioned: table `schema_version` holds one row, and `MIGRATIONS[v]` upgrades v to v + 1 in
the same transaction that records the new version.

- v1: learners, attempts.
- v2: attempts get `hints_used` (earlier answers: 0); lessons can be marked as read (`lesson_reads`).
- v3: a learner has a `kind` (profile, guest or account, core.progress.identity) and, for a signed-in
  account, an `email`; the one shared "Guest" of earlier versions becomes an ordinary guest nobody holds
  the token of (so its answers are purged with the other stale guests, and nobody can read them). Attempts
  get `first_wrong` (the first wrong link of a chain, for the class view) and `source` ("here", or
  "import" for answers brought in from a file).
- v4: spaced review. `reviews` logs every rating a Check gave a skill (the truth); `cards` holds each
  (learner, skill)'s FSRS card and when it is due, a cache that `core.progress.cards` rebuilds from the
  reviews whenever they come from elsewhere (import, restore, a guest choosing a name). `fades` holds
  where each learner is in each exercise's faded worked examples.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)

from core.errors import StoreError
from core.progress.attempt import MAX_NAME
from core.progress.identity import GUEST_NAME, MAX_EMAIL

SCHEMA_VERSION = 4

metadata = MetaData()

schema_version_table = Table(
    "schema_version", metadata,
    Column("version", Integer, nullable=False),
)

learners = Table(
    "learners", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(MAX_NAME), nullable=False),  # as typed (trimmed)
    Column("name_key", String(MAX_NAME), nullable=False, unique=True),  # Learner.key: "ana", "guest:…", "oidc:…"
    Column("created_at", String(40), nullable=False),
    Column("kind", String(16), nullable=False, server_default="profile"),  # new in v3
    Column("email", String(MAX_EMAIL), nullable=True),  # new in v3: a signed-in account's, from the provider
)

attempts_table = Table(
    "attempts", metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(32), nullable=False),  # stable id of one answer: makes import idempotent
    Column("learner_id", Integer, ForeignKey("learners.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("exercise_id", String(80), nullable=False),
    Column("variant_seed", BigInteger, nullable=True),
    Column("quantity_id", String(80), nullable=False),
    Column("answer_text", Text, nullable=False),
    Column("status", String(32), nullable=False),
    Column("credit", Float, nullable=False),
    Column("diagnosis", String(120), nullable=True),
    Column("hints_used", Integer, nullable=False, server_default="0"),  # new in v2
    Column("solution_revealed", Boolean, nullable=False, server_default="0"),
    Column("lesson", String(80), nullable=True),
    Column("created_at", String(40), nullable=False),  # ISO 8601 in UTC: sorts as text, reads as text in exports
    Column("first_wrong", String(80), nullable=True),  # new in v3: the chain's first wrong link, for "ecf"
    Column("source", String(16), nullable=False, server_default="here"),  # new in v3: "here" or "import"
    UniqueConstraint("learner_id", "uid"),  # one learner holds an answer once; another may import a copy
)

lesson_reads = Table(  # new in v2
    "lesson_reads", metadata,
    Column("learner_id", Integer, ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True),
    Column("lesson", String(80), primary_key=True),
    Column("read_at", String(40), nullable=False),
)


reviews = Table(  # new in v4
    "reviews", metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(32), nullable=False),
    Column("learner_id", Integer, ForeignKey("learners.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("skill_id", String(80), nullable=False),
    Column("rating", Integer, nullable=False),  # fsrs.Rating: 1 Again, 2 Hard, 3 Good, 4 Easy
    Column("reviewed_at", String(40), nullable=False),  # ISO 8601 in UTC
    Column("source", String(16), nullable=False, server_default="here"),  # "here", "import" or "restore"
    UniqueConstraint("learner_id", "uid"),
)

cards = Table(  # new in v4
    "cards", metadata,
    Column("learner_id", Integer, ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", String(80), primary_key=True),
    Column("card", Text, nullable=False),  # fsrs.Card.to_json()
    Column("due", String(40), nullable=False, index=True),  # ISO 8601 in UTC: sorts as text
    Column("reviews", Integer, nullable=False),
    Column("lapses", Integer, nullable=False),
)


fades = Table(  # new in v4
    "fades", metadata,
    Column("learner_id", Integer, ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True),
    Column("exercise_id", String(80), primary_key=True),
    Column("stage", Integer, nullable=False),  # core.review.fading: how many values of each step are blank
    Column("seed", BigInteger, nullable=False),  # the network of this stage
    Column("hidden", Integer, nullable=False),
    Column("updated_at", String(40), nullable=False),
)


def _v1_to_v2(conn) -> None:
    """v2: attempts get hints_used (earlier answers: 0 hints) and lessons can be marked as read."""
    conn.execute(text("ALTER TABLE attempts ADD COLUMN hints_used INTEGER NOT NULL DEFAULT 0"))
    lesson_reads.create(conn)


def _v2_to_v3(conn) -> None:
    """v3: kinds of learner and their e-mail; the shared Guest becomes an orphaned guest; first_wrong, source."""
    conn.execute(text("ALTER TABLE learners ADD COLUMN kind VARCHAR(16) NOT NULL DEFAULT 'profile'"))
    conn.execute(text(f"ALTER TABLE learners ADD COLUMN email VARCHAR({MAX_EMAIL})"))
    conn.execute(update(learners).where(learners.c.name_key == GUEST_NAME.casefold())
                 .values(kind="guest", name_key=f"guest:{uuid.uuid4().hex}"))
    conn.execute(text("ALTER TABLE attempts ADD COLUMN first_wrong VARCHAR(80)"))
    conn.execute(text("ALTER TABLE attempts ADD COLUMN source VARCHAR(16) NOT NULL DEFAULT 'here'"))


def _v3_to_v4(conn) -> None:
    """v4: the review log, the review cards (empty: earlier answers were never rated) and the fades."""
    reviews.create(conn)
    cards.create(conn)
    fades.create(conn)


# version v -> the function upgrading v to v + 1
MIGRATIONS: dict[int, Callable] = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4}


def ensure_schema(conn) -> None:
    """Create the current schema in an empty database, or migrate an older one step by step."""
    names = set(inspect(conn).get_table_names())
    if "schema_version" not in names:
        if names & {"learners", "attempts"}:
            raise StoreError("the database has progress tables but no schema_version table")
        metadata.create_all(conn)
        conn.execute(insert(schema_version_table).values(version=SCHEMA_VERSION))
        return
    version = conn.execute(select(func.max(schema_version_table.c.version))).scalar()
    if version is None:
        raise StoreError("the schema_version table is empty")
    if version > SCHEMA_VERSION:
        raise StoreError(f"the database was written by a newer version of the app (schema {version}, this "
                         f"app knows {SCHEMA_VERSION})")
    while version < SCHEMA_VERSION:
        MIGRATIONS[version](conn)
        version += 1
        conn.execute(delete(schema_version_table))
        conn.execute(insert(schema_version_table).values(version=version))
