"""The class view's reads: every learner of some kinds with their answers in one query (whole Attempts, or
Briefs without the answer texts), and each learner's count and latest answer as a cheap signature."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import func, select

from core.progress.attempt import ATTEMPT_FIELDS, Attempt, Brief
from core.progress.rows import LearnerInfo
from core.progress.schema import attempts_table, learners


def everyone(conn, kinds: tuple[str, ...], keys: Iterable[str] | None, brief: bool) -> list[tuple[LearnerInfo, list]]:
    """The learners of these kinds (never guests; only `keys` if given), by name, each with their answers
    oldest first, as Briefs or Attempts."""
    if brief:
        return _everyone(conn, kinds, keys, [attempts_table.c[f] for f in Brief._fields], _brief_of)
    return _everyone(conn, kinds, keys, [attempts_table.c[f] for f in ATTEMPT_FIELDS if f != "learner"],
                     _attempt_of)


def activity(conn, kinds: tuple[str, ...]) -> dict[str, LearnerInfo]:
    """{learner key: LearnerInfo} of these kinds (never guests), from one grouped query."""
    kinds = tuple(k for k in kinds if k != "guest")
    rows = conn.execute(
        select(learners.c.name_key, learners.c.name, func.count(attempts_table.c.id),
               func.max(attempts_table.c.created_at))
        .select_from(learners.outerjoin(attempts_table)).where(learners.c.kind.in_(kinds))
        .group_by(learners.c.id, learners.c.name_key, learners.c.name)).all()
    return {key: LearnerInfo(name, int(n), last, key) for key, name, n, last in rows}


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


