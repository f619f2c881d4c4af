"""The simulated learner's schedule (python -m core schedule): reproducible, and the plan does what it says."""
from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

from fsrs import Rating

from core.paths import ROOT
from core.review.simulate import START, STRUGGLES, simulate
from core.review.skills import load_skills

SKILLS = load_skills()


def test_a_simulated_fortnight_is_reproducible_and_struggles_come_back_first():
    events = simulate(SKILLS, days=14, seed=3)
    assert events == simulate(SKILLS, days=14, seed=3)
    first = {}
    for e in events:
        first.setdefault(e.skill_id, e)
    assert set(first) == {s.id for s in SKILLS}  # every skill practised on day 0
    for sid in STRUGGLES:  # failed on day 0: back in the same sitting, and reviewed again before the rest
        mine = [e for e in events if e.skill_id == sid]
        assert mine[0].rating == Rating.Again and mine[1].day == 0
        assert mine[0].due - mine[0].at <= timedelta(minutes=10)
    easy = next(e for e in events if e.skill_id == "pre-activation")
    assert easy.due - easy.at >= timedelta(days=2)
    assert max(e.day for e in events) <= 14 and all(e.at >= START for e in events)


def test_the_schedule_command_prints_the_table():
    done = subprocess.run([sys.executable, "-m", "core", "schedule", "--days", "7"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{len(SKILLS)} skills; one simulated learner over 7 days")
    assert "recurrent-term: day 0 Again" in done.stdout
    bad = subprocess.run([sys.executable, "-m", "core", "schedule", "--days", "0"], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
