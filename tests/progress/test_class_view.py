"""The class view's numbers, worked by hand on a small class: latest answers per value, named mistakes as
distinct learners, first wrong links of chains, scores, the activity filter, and the two downloads."""
from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from core.progress import Attempt, LearnerInfo, Store, account, profile
from core.progress.attempt import Brief
from core.progress.class_export import gradebook_csv, summary_dict, summary_json
from core.progress.class_view import (
    BUCKETS,
    ExerciseInfo,
    KeptRecords,
    ValueInfo,
    bucket,
    class_summary,
    complete_catalog,
    learner_records,
)

FWD, BPTT, QUIZ = "forward_hello", "bptt_hello", "quiz:tanh"
CATALOG = (
    ExerciseInfo(FWD, "Forward", tuple(ValueInfo(q, q.replace("[", "_{").replace("]", "}"))
                                       for q in ("W_xh_x[1]", "z[1]", "h[1]", "y[1]"))),
    ExerciseInfo(BPTT, "BPTT", (ValueInfo("dh_next[3]", "dh_{next}"), ValueInfo("dW_hh", "dW_{hh}"))),
    ExerciseInfo(QUIZ, "Quiz: tanh", (ValueInfo("tanh-half", "tanh(0.5)?", latex=False),
                                      ValueInfo("tanh-range", "Range?", latex=False))),
)


def at(minute: int) -> str:
    return (datetime(2025, 3, 1, 9, 0, tzinfo=UTC) + timedelta(minutes=minute)).isoformat()


def ans(who, ex, qid, status, minute, credit=None, **kw) -> Attempt:
    credit = {"correct": 1.0, "ecf": 0.5}.get(status, 0.0) if credit is None else credit
    return Attempt(learner=who, exercise_id=ex, quantity_id=qid, answer_text="x", status=status, credit=credit,
                   created_at=at(minute), **kw)


def small_class() -> list[tuple[LearnerInfo, list[Attempt]]]:
    """Ana fixes z₁ (after leaving the bias out) and does h₁ right by method from her wrong z₁; Ben leaves the bias
    out, carries it into h₁ and y₁ and transposes W_hh in BPTT; Cleo is close on z₁, reveals h₁ and gets a quiz
    question right; Dan has signed in but answered nothing."""
    bias, wt = "Bias left out", "W where Wᵀ belongs"
    people = {
        "Ana": [ans("Ana", FWD, "z[1]", "mistake", 0, diagnosis=bias),
                ans("Ana", FWD, "h[1]", "ecf", 0, first_wrong="z[1]"),
                ans("Ana", FWD, "z[1]", "correct", 10)],
        "Ben": [ans("Ben", FWD, "z[1]", "mistake", 1, diagnosis=bias),
                ans("Ben", FWD, "h[1]", "ecf", 1, first_wrong="z[1]"),
                ans("Ben", FWD, "y[1]", "ecf", 1, first_wrong="z[1]"),
                ans("Ben", BPTT, "dh_next[3]", "mistake", 2, diagnosis=wt),
                ans("Ben", BPTT, "dh_next[3]", "mistake", 3, diagnosis=wt)],  # the same mistake twice: one learner
        "Cleo": [ans("Cleo", FWD, "z[1]", "close", 20),
                 ans("Cleo", FWD, "h[1]", "revealed", 21, solution_revealed=True),
                 ans("Cleo", QUIZ, "tanh-half", "correct", 22)],
        "Dan": [],
    }
    return [(LearnerInfo(name, len(items), max((a.created_at for a in items), default=None)), items)
            for name, items in people.items()]


def summary(since=None):
    return class_summary(learner_records(small_class()), CATALOG, since=since)


def stats(s, ex):
    return {v.value.id: v for v in s.values[ex]}


def test_each_learner_counts_once_per_value_by_their_latest_answer():
    fwd = stats(summary(), FWD)
    assert fwd["z[1]"].counts == {"right": 1, "right by method": 0, "close": 1, "wrong": 1, "revealed": 0}
    assert fwd["h[1]"].counts == {"right": 0, "right by method": 2, "close": 0, "wrong": 0, "revealed": 1}
    assert fwd["y[1]"].counts["right by method"] == 1 and fwd["y[1]"].answered == 1
    assert fwd["W_xh_x[1]"].answered == 0 and fwd["W_xh_x[1]"].top_mistake is None
    assert list(fwd) == ["W_xh_x[1]", "z[1]", "h[1]", "y[1]"]  # the exercise's order, not the answers'


def test_named_mistakes_count_distinct_learners_per_value():
    s = summary()
    assert [(m.exercise_id, m.quantity_id, m.mistake, m.learners) for m in s.mistakes] == [
        (FWD, "z[1]", "Bias left out", 2), (BPTT, "dh_next[3]", "W where Wᵀ belongs", 1)]
    assert stats(s, FWD)["z[1]"].top_mistake == ("Bias left out", 2)  # Ana's was fixed later: still made


def test_the_most_common_first_wrong_link_of_each_chain():
    s = summary()
    assert stats(s, FWD)["h[1]"].top_first_wrong == ("z[1]", 2)
    (link,) = s.links[FWD]
    assert (link.link, link.learners, link.downstream) == ("z[1]", 2, ("h[1]", "y[1]"))
    assert BPTT not in s.links


def test_scores_are_the_share_of_values_mastered_out_of_all_of_them():
    rows = {r.name: r for r in summary().learners}
    assert rows["Ana"].exercises[FWD].score == 1 / 4  # z₁ right; h₁ right by method is half credit, not mastered
    assert rows["Ben"].exercises[FWD].score == 0 and rows["Ben"].exercises[BPTT].mistakes == 2
    cleo = rows["Cleo"]
    assert (cleo.exercises[FWD].answered, cleo.exercises[FWD].revealed) == (1, 1)
    assert cleo.exercises[QUIZ].score == 1 / 2 and cleo.course.score == 1 / 8  # 1 of 4 + 2 + 2 values
    assert rows["Dan"].course.score == 0 and rows["Dan"].last_active is None
    assert rows["Ben"].top_mistake == "W where Wᵀ belongs"  # made twice, the bias once


def test_the_activity_filter_keeps_learners_active_since_then_and_every_column():
    s = summary(since=at(10))
    assert [r.name for r in s.learners] == ["Ana", "Cleo"] and s.listed == 4
    assert stats(s, FWD)["z[1]"].counts["wrong"] == 0  # Ben is filtered out
    assert [m.learners for m in s.mistakes] == [1]  # Ana's bias; Ben's BPTT mistake is gone
    assert [e.id for e in s.exercises] == [FWD, BPTT, QUIZ]


def test_an_empty_class_has_zero_counts_everywhere():
    s = class_summary(learner_records([]), CATALOG)
    assert s.learners == () and s.mistakes == () and s.links == {} and s.listed == 0
    assert all(v.answered == 0 for vs in s.values.values() for v in vs)
    assert gradebook_csv(s).splitlines() == ["Learner,Last active (UTC),Course score,Forward,BPTT,Quiz: tanh"]


def test_values_and_exercises_the_catalog_does_not_know_are_added_not_dropped():
    records = learner_records([(LearnerInfo("Eve", 2, at(0)), [ans("Eve", FWD, "old[1]", "correct", 0),
                                                                ans("Eve", "retired", "q", "wrong", 0)])])
    done = complete_catalog(CATALOG, records)
    assert [v.id for v in done[0].values][-1] == "old[1]" and done[-1].id == "retired"
    row = class_summary(records, CATALOG).learners[0]
    assert row.exercises[FWD].score == 1 / 5 and row.exercises["retired"].values == 1


def test_buckets_follow_the_status_and_a_shown_solution_wins():
    assert [bucket(ans("A", FWD, "z[1]", s, 0)) for s in ("correct", "ecf", "partial", "close", "mistake", "wrong")
            ] == ["right", "right by method", "close", "close", "wrong", "wrong"]
    assert bucket(ans("A", FWD, "z[1]", "revealed", 0, solution_revealed=True)) == "revealed"
    assert bucket(ans("A", FWD, "z[1]", "someday", 0, credit=1.0)) == "right"
    assert set(BUCKETS) == {"right", "right by method", "close", "wrong", "revealed"}


def test_the_gradebook_has_a_row_per_learner_and_a_score_per_exercise_and_quiz():
    people = small_class()
    people[1] = (LearnerInfo("=HYPERLINK(1)", 5, people[1][0].last_active), people[1][1])  # a hostile name
    rows = list(csv.reader(io.StringIO(gradebook_csv(class_summary(learner_records(people), CATALOG)))))
    assert rows[0] == ["Learner", "Last active (UTC)", "Course score", "Forward", "BPTT", "Quiz: tanh"]
    assert rows[1] == ["Ana", "2025-03-01 09:10:00", "0.125", "0.25", "0.0", "0.0"]
    assert rows[2][0] == "'=HYPERLINK(1)"  # a spreadsheet shows it, never runs it
    assert rows[3] == ["Cleo", "2025-03-01 09:22:00", "0.125", "0.0", "0.0", "0.5"]
    assert rows[4][:3] == ["Dan", "", "0.0"] and len(rows) == 5


def test_the_json_summary_holds_the_same_numbers():
    data = json.loads(summary_json(summary(), "2025-03-02T00:00:00+00:00"))
    assert data == summary_dict(summary(), "2025-03-02T00:00:00+00:00")
    fwd = next(e for e in data["exercises"] if e["id"] == FWD)
    z1 = next(v for v in fwd["values"] if v["id"] == "z[1]")
    assert z1["learners"] == {"right": 1, "right by method": 0, "close": 1, "wrong": 1, "revealed": 0}
    assert z1["top_mistake"] == {"mistake": "Bias left out", "learners": 2}
    assert fwd["first_wrong_links"] == [{"link": "z[1]", "learners": 2, "downstream": ["h[1]", "y[1]"]}]
    cleo = next(r for r in data["learners"] if r["name"] == "Cleo")
    assert cleo["course_score"] == 0.125 and cleo["exercises"][QUIZ]["score"] == 0.5
    assert "score" in data["definitions"] and data["learners_shown"] == 4


def test_everyone_reads_the_class_or_some_of_it_and_activity_says_whose_answers_changed(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'p.db'}")
    ana, bo = account("http://idp", "s1", "ana@school.edu"), account("http://idp", "s2", "bo@school.edu")
    assert store.activity(("account",)) == {} and store.everyone(("account",)) == []
    store.ensure_learner(bo)
    written = [ans(ana, FWD, "z[1]", "correct", 0, variant_seed=26, hints_used=2, lesson="forward-equations"),
               ans(ana, FWD, "h[1]", "ecf", 1, first_wrong="z[1]"), ans(profile("Pat"), FWD, "z[1]", "wrong", 2)]
    store.record_attempts(written)
    people = store.everyone(("account",))
    assert [(i.name, i.attempts, i.last_active, i.key) for i, _ in people] == [
        ("ana@school.edu", 2, at(1), ana.key), ("bo@school.edu", 0, None, bo.key)]
    assert people[0][1] == store.attempts(ana) and people[0][1][0].hints_used == 2  # every field, oldest first
    assert [i.name for i, _ in store.everyone(("account",), keys=[bo.key])] == ["bo@school.edu"]
    brief = store.everyone_brief(("account",))
    assert [i for i, _ in brief] == [i for i, _ in people]
    assert brief[0][1] == [Brief(*(getattr(a, f) for f in Brief._fields)) for a in people[0][1]]
    assert learner_records(brief) == learner_records(people)  # the records need no more than a Brief
    assert store.activity(("account",)) == {ana.key: LearnerInfo("ana@school.edu", 2, at(1), ana.key),
                                             bo.key: LearnerInfo("bo@school.edu", 0, None, bo.key)}
    assert [i.name for i in store.activity(("profile", "guest")).values()] == ["Pat"]  # never guests
    store.reset(ana)
    assert store.activity(("account",))[ana.key].attempts == 0


def test_kept_records_read_again_only_the_learners_whose_answers_changed(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'p.db'}")
    kinds = ("profile",)
    store.record_attempts([ans(profile(n), FWD, "z[1]", "wrong", 0) for n in ("Ana", "Ben", "Cleo")])
    kept, asked = KeptRecords(), []

    def read(keys):
        asked.append(sorted(keys))
        return store.everyone_brief(kinds, keys=keys)

    first = kept.update(store.activity(kinds), read)
    assert [r.name for r in first] == ["Ana", "Ben", "Cleo"] and asked == [["ana", "ben", "cleo"]]
    assert kept.update(store.activity(kinds), read) == first and len(asked) == 1  # nothing changed: no read
    store.record_attempt(ans(profile("Ben"), FWD, "z[1]", "correct", 5))
    again = kept.update(store.activity(kinds), read)
    assert asked[-1] == ["ben"] and again[1].latest[(FWD, "z[1]")] == ("right", True)
    assert again[0] is first[0]  # Ana's record is the one kept
    store.ensure_learner("Dan")
    store.reset("Cleo")
    assert [r.name for r in kept.update(store.activity(kinds), read)] == ["Ana", "Ben", "Cleo", "Dan"]
    assert asked[-1] == ["cleo", "dan"]
