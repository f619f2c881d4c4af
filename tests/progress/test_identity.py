"""Who a learner is: profiles, session-only guests and signed-in accounts never see each other's progress."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.progress import SCHEMA_VERSION, Attempt, Store, account, guest, profile
from core.progress.identity import GUEST_NAME
from tests.progress.conftest import run_sql


def answer(learner, i=0, **kw) -> Attempt:
    base = dict(learner=learner, exercise_id="forward_hello", quantity_id=f"z[{i % 4 + 1}]", answer_text=f"{i}",
                status="correct", credit=1.0, variant_seed=26, lesson="forward-equations")
    return Attempt(**{**base, **kw})


def test_a_profile_is_its_name_in_any_case_and_reserved_names_are_refused():
    assert profile("  Ana   Lee ").key == profile("ana lee").key == "ana lee"
    assert profile("Ana").display == "Ana" and profile("Ana").kind == "profile"
    for bad in ("Guest", " guest ", "guest:0123", "OIDC:x"):
        with pytest.raises(ValueError):
            profile(bad)


def test_guests_are_random_and_accounts_are_keyed_by_issuer_and_subject_not_email():
    a, b = guest(), guest()
    assert a.key != b.key and a.display == b.display == GUEST_NAME and a.kind == "guest"
    with pytest.raises(ValueError):
        guest("not hex")
    alice = account("https://idp.school.edu", "sub-123", "alice@school.edu", "Alice")
    renamed = account("https://idp.school.edu", "sub-123", "alice.smith@school.edu", "Alice Smith")
    assert alice.key == renamed.key and alice.display == "alice@school.edu"  # the e-mail is shown, not keyed
    assert account("https://other.idp", "sub-123").key != alice.key  # the same sub at another provider
    assert account("https://idp.school.edu", "sub-124").key != alice.key
    with pytest.raises(ValueError):
        account("https://idp", "")
    assert len(alice.key) <= 40 and len(guest().key) <= 40  # they fit the learners table's key column


def test_no_learner_reads_another_ones_answers(new_db):
    store = Store(new_db())
    ana, g1, g2 = profile("Ana"), guest(), guest()
    alice = account("https://idp", "s1", "alice@x.edu")
    bob = account("https://idp", "s2", "bob@x.edu")
    store.record_attempts([answer(ana, 0), answer(g1, 1), answer(g1, 2), answer(alice, 3), answer(bob, 4)])
    assert [a.answer_text for a in store.attempts(ana)] == ["0"]
    assert [a.answer_text for a in store.attempts(g1)] == ["1", "2"]
    assert store.attempts(g2) == []  # another browser session's guest sees nothing
    assert [a.answer_text for a in store.attempts(alice)] == ["3"]
    assert [a.answer_text for a in store.attempts(bob)] == ["4"]
    assert store.attempts("Guest".lower() + "x") == []
    # only profiles are listed (a personal install shows them on Home); never guests, never accounts
    assert [i.name for i in store.learners()] == ["Ana"]
    assert sorted(i.name for i in store.learners("account")) == ["alice@x.edu", "bob@x.edu"]


def test_an_account_keeps_its_answers_when_its_email_changes(new_db):
    store = Store(new_db())
    store.record_attempt(answer(account("https://idp", "s1", "alice@old.edu"), 0))
    moved = account("https://idp", "s1", "alice@new.edu")
    assert [a.answer_text for a in store.attempts(moved)] == ["0"]
    assert [i.name for i in store.learners("account")] == ["alice@new.edu"]  # the shown name follows the provider


def test_a_guest_who_chooses_a_name_keeps_their_work(new_db):
    store = Store(new_db())
    g = guest()
    store.record_attempts([answer(g, 0), answer(g, 1)])
    store.mark_lesson_read(g, "tanh")
    store.record_attempt(answer("Ana", 2))
    store.mark_lesson_read("Ana", "tanh")  # already read: no duplicate mark
    assert store.adopt_guest(g, profile("Ana")) == 2
    assert sorted(a.answer_text for a in store.attempts("Ana")) == ["0", "1", "2"]
    assert set(store.lessons_read("Ana")) == {"tanh"}
    assert store.attempts(g) == [] and store.learners("guest") == []


def test_stale_guests_are_purged_and_active_ones_kept(new_db):
    store = Store(new_db())
    old, recent = guest(), guest()
    store.record_attempt(answer(old, 0, created_at="2025-01-01T10:00:00+00:00"))
    store.record_attempt(answer(recent, 1))
    store.record_attempt(answer("Ana", 2, created_at="2025-01-01T10:00:00+00:00"))
    assert store.purge_guests(datetime.now(UTC) - timedelta(days=1)) == 1
    assert store.attempts(old) == [] and len(store.attempts(recent)) == 1
    assert len(store.attempts("Ana")) == 1  # a profile is never purged, however old


V2 = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version VALUES (2);
CREATE TABLE learners (id {pk}, name VARCHAR(40) NOT NULL, name_key VARCHAR(40) NOT NULL UNIQUE,
                       created_at VARCHAR(40) NOT NULL);
CREATE TABLE attempts (id {pk}, uid VARCHAR(32) NOT NULL, learner_id INTEGER NOT NULL
    REFERENCES learners (id) ON DELETE CASCADE, exercise_id VARCHAR(80) NOT NULL, variant_seed BIGINT,
    quantity_id VARCHAR(80) NOT NULL, answer_text TEXT NOT NULL, status VARCHAR(32) NOT NULL, credit FLOAT NOT NULL,
    diagnosis VARCHAR(120), hints_used INTEGER NOT NULL DEFAULT 0, solution_revealed BOOLEAN NOT NULL DEFAULT FALSE,
    lesson VARCHAR(80), created_at VARCHAR(40) NOT NULL, UNIQUE (learner_id, uid));
CREATE TABLE lesson_reads (learner_id INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    lesson VARCHAR(80) NOT NULL, read_at VARCHAR(40) NOT NULL, PRIMARY KEY (learner_id, lesson));
INSERT INTO learners (name, name_key, created_at) VALUES ('Ana', 'ana', '2025-01-01T10:00:00+00:00');
INSERT INTO learners (name, name_key, created_at) VALUES ('Guest', 'guest', '2025-01-01T10:00:00+00:00');
INSERT INTO attempts (uid, learner_id, exercise_id, quantity_id, answer_text, status, credit, created_at)
    VALUES ('00000000000000000000000000000001', 1, 'forward_hello', 'z[1]', 'ana', 'correct', 1.0,
            '2025-01-02T10:00:00+00:00');
INSERT INTO attempts (uid, learner_id, exercise_id, quantity_id, answer_text, status, credit, created_at)
    VALUES ('00000000000000000000000000000002', 2, 'forward_hello', 'z[1]', 'a stranger', 'wrong', 0.0,
            '2025-01-02T11:00:00+00:00');
"""


def test_migration_to_v3_keeps_profiles_and_locks_away_the_old_shared_guest(new_db):
    url = new_db()
    run_sql(url, V2)
    store = Store(url)
    assert store.schema_version() == SCHEMA_VERSION and store.notice is None
    (ana,) = store.attempts("Ana")
    assert ana.answer_text == "ana" and ana.source == "here" and ana.first_wrong is None
    assert [i.name for i in store.learners()] == ["Ana"]  # the shared Guest is no longer a profile...
    with pytest.raises(ValueError):
        profile("Guest")  # ...nobody can ask for it by name...
    assert store.purge_guests(datetime.now(UTC)) == 1  # ...and it goes with the stale guests
    assert store.count_attempts() == 1
