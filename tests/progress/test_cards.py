"""Spaced review in the store, on SQLite and PostgreSQL: ratings written with their answers, cards moved on
by FSRS with the clock passed in, kept across restarts, and carried by export, import, backups, guests
choosing a name; a reset or a purge takes them away."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Rating

from core.progress import Attempt, ImportRefused, Store, StoreError, guest
from core.progress.cards import Fade, Review
from core.progress.recovery import backup, restore
from tests.progress.conftest import run_sql

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)  # in the past: an import refuses times to come


def at(days: float = 0, minutes: float = 0) -> str:
    return (T0 + timedelta(days=days, minutes=minutes)).isoformat(timespec="microseconds")


def answer(learner, status="correct", when=T0, qid="p[2]") -> Attempt:
    credit = 1.0 if status == "correct" else 0.0
    return Attempt(learner=learner, exercise_id="forward_hello", quantity_id=qid, answer_text="x", status=status,
                   credit=credit, variant_seed=7, created_at=when.isoformat(timespec="microseconds"))


def check(store, learner, rating, when_days=0.0, skill="softmax", status="correct"):
    when = T0 + timedelta(days=when_days)
    store.record_attempts([answer(learner, status, when)],
                          reviews=[Review(skill, int(rating), when.isoformat(timespec="microseconds"))])


def test_a_learner_who_fails_a_skill_sees_it_due_sooner_than_one_who_gets_it_right(new_db):
    url = new_db()
    store = Store(url)
    check(store, "Ana", Rating.Again, status="mistake")
    check(store, "Bo", Rating.Good)
    ana, bo = store.cards("Ana")["softmax"], store.cards("Bo")["softmax"]
    assert T0 < ana.due < bo.due and ana.reviews == bo.reviews == 1
    check(store, "Ana", Rating.Good, when_days=ana.due.timestamp() / 86400 - T0.timestamp() / 86400)
    assert store.cards("Ana")["softmax"].reviews == 2
    again = Store(url)  # a restart: the schedule is in the database, not in memory
    assert again.cards("Ana") == store.cards("Ana") and again.cards("Bo")["softmax"].due == bo.due
    assert [r.rating for r in again.reviews("Ana")] == [Rating.Again, Rating.Good]
    assert again.cards("Nobody") == {}


def test_reviews_go_with_their_answers_all_or_nothing(new_db):
    store = Store(new_db())
    with pytest.raises(ValueError, match="rating"):
        store.record_attempts([answer("Ana")], reviews=[Review("softmax", 7, at())])
    with pytest.raises(ValueError, match="one learner"):
        store.record_attempts([answer("Ana"), answer("Bo")], reviews=[Review("softmax", 3, at())])
    assert store.count_attempts() == 0 and store.cards("Ana") == {}


def test_export_and_import_carry_the_schedule(new_db):
    source = Store(new_db())
    for d, r in ((0, Rating.Good), (2, Rating.Again), (2.01, Rating.Good)):
        check(source, "Ana", r, when_days=d)
    text = source.export_json("Ana")
    assert len(json.loads(text)["reviews"]) == 3
    target = Store(new_db())
    target.import_data("Ana", text)
    assert target.cards("Ana") == source.cards("Ana")  # made again from the ratings: the same card
    assert all(r.source == "import" for r in target.reviews("Ana"))
    target.import_data("Ana", text)  # twice: nothing doubles
    assert len(target.reviews("Ana")) == 3
    bad = json.loads(text)
    bad["reviews"][1]["rating"] = 9
    with pytest.raises(ImportRefused, match="review 2"):
        Store(new_db()).import_data("Ana", json.dumps(bad))
    bad["reviews"][1] = {**bad["reviews"][1], "rating": 3, "reviewed_at": "9999-01-01T00:00:00+00:00"}
    with pytest.raises(ImportRefused, match="review 2"):
        Store(new_db()).import_data("Ana", json.dumps(bad))


def test_export_and_import_carry_the_places_in_the_worked_examples(new_db):
    from core.progress.transfer import Known

    source = Store(new_db())
    source.set_fade("Ana", "forward_hello", Fade(3, 1234, 3))
    source.set_fade("Ana", "bptt_hello", Fade(0, 77, 3))
    text = source.export_json("Ana")
    assert {f["exercise_id"]: f["stage"] for f in json.loads(text)["fades"]} == {"forward_hello": 3, "bptt_hello": 0}
    target = Store(new_db())
    target.set_fade("Ana", "bptt_hello", Fade(5, 9, 3))  # a place the learner has here stays
    result = target.import_data("Ana", text)
    assert result.fades_added == 1
    assert target.fades("Ana") == {"forward_hello": Fade(3, 1234, 3), "bptt_hello": Fade(5, 9, 3)}
    assert target.import_data("Ana", text).fades_added == 0  # twice: nothing changes
    known = Known(exercises=frozenset({"forward_hello", "bptt_hello"}))
    for field, value, says in (("stage", -1, "stage must be"), ("stage", "3", "stage must be"),
                               ("stage", True, "stage must be"), ("seed", 2 ** 64, "seed must be"),
                               ("hidden", 0, "hidden must be"), ("exercise_id", "made_up", "not an exercise"),
                               ("exercise_id", "quiz:rnn-basics", "not an exercise")):
        bad = json.loads(text)
        bad["fades"][1][field] = value
        fresh = Store(new_db())
        with pytest.raises(ImportRefused, match=f"worked-examples place 2 of the file: .*{says}"):
            fresh.import_data("Ana", json.dumps(bad), known)
        assert fresh.fades("Ana") == {} and fresh.count_attempts() == 0, "all or nothing"
    many = json.loads(text)
    many["fades"] = many["fades"] * 101
    with pytest.raises(ImportRefused, match="at most 200"):
        Store(new_db()).import_data("Ana", json.dumps(many))
    old = json.loads(text)
    del old["fades"]  # an export made before the worked examples
    assert Store(new_db()).import_data("Ana", json.dumps(old)).fades_added == 0


def test_backup_restore_guests_reset_and_purge(new_db):
    store = Store(new_db())
    check(store, "Ana", Rating.Good)
    copy = Store(new_db())
    restore(copy, backup(store))
    assert copy.cards("Ana") == store.cards("Ana")
    visitor = guest()
    check(store, visitor, Rating.Again, skill="scores", status="wrong")
    store.set_fade(visitor, "forward_hello", Fade(2, 123, 3))
    store.set_fade(visitor, "forward_hello", Fade(3, 456, 2))  # saved again: moved on
    check(store, "Ana", Rating.Hard, when_days=3)
    store.adopt_guest(visitor, "Ana")  # the guest chooses the name Ana: their schedule comes along
    assert set(store.cards("Ana")) == {"softmax", "scores"} and store.cards(visitor) == {}
    assert store.fade("Ana", "forward_hello") == Fade(3, 456, 2) and store.fade("Ana", "bptt_hello") is None
    assert store.reset("Ana") == 3
    assert store.cards("Ana") == {} and store.reviews("Ana") == [] and store.fade("Ana", "forward_hello") is None
    stale = guest()
    check(store, stale, Rating.Good)
    assert store.purge_guests(datetime.now(UTC) + timedelta(days=1)) == 1
    assert store.reviews(stale) == []


def test_backups_carry_the_places_in_the_worked_examples_and_a_bad_one_restores_nothing(new_db):
    store = Store(new_db())
    store.set_fade("Ana", "forward_hello", Fade(4, 321, 3))
    store.set_fade("Bo", "gru_step", Fade(1, 5, 2))
    copy = Store(new_db())
    copy.set_fade("Bo", "gru_step", Fade(6, 8, 2))  # what is there stays
    restore(copy, backup(store))
    assert copy.fades("Ana") == {"forward_hello": Fade(4, 321, 3)} and copy.fades("Bo") == {"gru_step": Fade(6, 8, 2)}
    one = Store(new_db())
    restore(one, backup(store, "Ana"))
    assert one.fades("Ana") == {"forward_hello": Fade(4, 321, 3)} and one.fades("Bo") == {}
    doc = json.loads(backup(store))
    doc["fades"][0]["stage"] = "four"
    empty = Store(new_db())
    with pytest.raises(StoreError, match="invalid worked-examples place"):
        restore(empty, json.dumps(doc))
    assert empty.fades("Ana") == {} and empty.count_attempts() == 0


V3 = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version VALUES (3);
CREATE TABLE learners (id {pk}, name VARCHAR(40) NOT NULL, name_key VARCHAR(40) NOT NULL UNIQUE,
    created_at VARCHAR(40) NOT NULL, kind VARCHAR(16) NOT NULL DEFAULT 'profile', email VARCHAR(254));
CREATE TABLE attempts (id {pk}, uid VARCHAR(32) NOT NULL, learner_id INTEGER NOT NULL REFERENCES learners (id)
    ON DELETE CASCADE, exercise_id VARCHAR(80) NOT NULL, variant_seed BIGINT, quantity_id VARCHAR(80) NOT NULL,
    answer_text TEXT NOT NULL, status VARCHAR(32) NOT NULL, credit FLOAT NOT NULL, diagnosis VARCHAR(120),
    hints_used INTEGER NOT NULL DEFAULT 0, solution_revealed BOOLEAN NOT NULL DEFAULT FALSE,
    lesson VARCHAR(80), created_at VARCHAR(40) NOT NULL, first_wrong VARCHAR(80),
    source VARCHAR(16) NOT NULL DEFAULT 'here', UNIQUE (learner_id, uid));
CREATE TABLE lesson_reads (learner_id INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    lesson VARCHAR(80) NOT NULL, read_at VARCHAR(40) NOT NULL, PRIMARY KEY (learner_id, lesson));
INSERT INTO learners (name, name_key, created_at) VALUES ('Ana', 'ana', '2026-01-01T10:00:00+00:00');
INSERT INTO attempts (uid, learner_id, exercise_id, quantity_id, answer_text, status, credit, created_at)
    VALUES ('00000000000000000000000000000001', 1, 'forward_hello', 'z[1]', 'ana', 'correct', 1.0,
            '2026-01-02T10:00:00+00:00');
"""


def test_a_v3_store_migrates_to_v4_with_an_empty_schedule_and_keeps_its_answers(new_db):
    url = new_db()
    run_sql(url, V3)
    store = Store(url)
    assert store.schema_version() == 4 and store.notice is None
    assert len(store.attempts("Ana")) == 1 and store.cards("Ana") == {}
    check(store, "Ana", Rating.Good)
    assert store.cards("Ana")["softmax"].reviews == 1
