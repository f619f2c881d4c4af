"""The Review screen as a learner uses it: nothing due at first; a skill rated Again days ago comes back on a
network the learner has not seen, one value with its givens; a right answer moves the card days ahead, a
wrong one brings it back in minutes; Home says how many are due."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fsrs import Rating

from core.course.engine import load_all, make_instance
from core.progress import Attempt, Store, resolve_url
from core.progress.cards import Review

DEFS = load_all()


def store() -> Store:
    return Store(resolve_url()[0])


def seed_due_skill(skill="pre-activation", days_ago=3, learner="Ana") -> None:
    """Ana answered z[2] of the textbook network wrong `days_ago` days ago: the skill is due now."""
    when = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat(timespec="microseconds")
    d = DEFS["forward_hello"]
    store().record_attempts(
        [Attempt(learner=learner, exercise_id=d.id, quantity_id="z[2]", answer_text="[1, 2, 3]", status="wrong",
                 credit=0.0, variant_seed=d.textbook_seed, created_at=when)],
        reviews=[Review(skill, int(Rating.Again), when)])


def open_review(app, learner="Ana"):
    at = app("pages/review.py")
    at.query_params["learner"] = learner
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def asked(at):
    """(instance, quantity id) of the value on screen, from its input's key in::<exercise>::<seed>::<hidden>::<qid>."""
    (box,) = [t for t in at.text_input if t.key and t.key.startswith("in::")]
    _, exercise, seed, hidden, qid = box.key.split("::")
    return make_instance(DEFS[exercise], int(seed), hidden=int(hidden)), qid, box


def test_nothing_to_review_at_first(app):
    at = open_review(app)
    assert any("Nothing to review yet" in i.value for i in at.info)
    assert not [t for t in at.text_input if t.key and t.key.startswith("in::")]


def test_a_due_skill_comes_back_on_an_unseen_network_and_a_right_answer_moves_it_days_ahead(app):
    seed_due_skill()
    at = open_review(app)
    assert any("pre-activation" in s.value for s in at.subheader)
    inst, qid, box = asked(at)
    assert qid.startswith("z[") and inst.seed != DEFS["forward_hello"].textbook_seed  # not the network seen
    assert any("Given" in m.value for m in at.markdown)  # the terms z is the sum of are shown worked out
    box.input(inst.answer_text(qid))
    at.button(key="check::forward_hello::review::pre-activation").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value.startswith("Right") or "correct" in s.value.lower() for s in at.success), \
        [s.value for s in at.success]
    card = store().cards("Ana")["pre-activation"]
    assert card.reviews == 2 and card.due > datetime.now(UTC) + timedelta(hours=12)
    saved = [a for a in store().attempts("Ana") if a.variant_seed == inst.seed]
    assert [(a.quantity_id, a.status) for a in saved] == [(qid, "correct")]
    at.button(key="review_next").click().run()
    assert any("Nothing is due now" in s.value for s in at.success)  # the one due skill is done


def test_a_wrong_answer_brings_the_skill_back_within_minutes(app):
    seed_due_skill()
    at = open_review(app)
    inst, qid, box = asked(at)
    box.input("[" + ", ".join(["0.5"] * inst.hidden) + "]")
    at.button(key="check::forward_hello::review::pre-activation").click().run()
    card = store().cards("Ana")["pre-activation"]
    assert card.reviews == 2 and card.due < datetime.now(UTC) + timedelta(minutes=11)


def test_home_says_how_many_skills_are_due(app):
    seed_due_skill()
    seed_due_skill("softmax")
    at = app()
    at.query_params["learner"] = "Ana"
    at.run()
    assert any("2 skills are due for review" in m.value for m in at.markdown), [m.value for m in at.markdown]


def test_the_dashboard_shows_each_skills_recall_and_what_to_practise_next(app):
    seed_due_skill()
    at = app("pages/dashboard.py")
    at.query_params["learner"] = "Ana"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(d.value for d in at.dataframe if "Recall now" in d.value.columns)
    row = table[table["Skill"] == "Pre-activation"].iloc[0]
    assert row["Status"] == "due now" and row["Reviews"] == 1 and row["Next review"] == "now"
    assert 0 < row["Recall now"] < 0.9
    assert table[table["Skill"] == "Softmax"].iloc[0]["Status"] == "not practised yet"
    assert any(m.value.startswith("**Practise next:** Pre-activation (due now)") for m in at.markdown)
