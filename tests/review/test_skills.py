"""The skills file: every value of every exercise in exactly one skill, and clear errors for a broken file."""
from __future__ import annotations

import pytest

from core.course.engine import load_all, make_instance
from core.errors import ContentError
from core.review.skills import (
    SKILLS_FILE,
    course_values,
    load_skills,
    parse_skills,
    skill_problems,
    template_of,
)


def test_the_shipped_skills_cover_every_value_of_every_exercise_once():
    skills = load_skills()
    definitions = load_all()
    for d in definitions.values():
        inst = make_instance(d, d.textbook_seed)
        for q in inst.quantities:
            skill = skills.of(d.id, template_of(q.id, q.step_var))
            assert skill is not None, f"{d.id}:{q.id} belongs to no skill"
    assert skills.of("activations_tanh_prime", "tanh_prime").id == "tanh-derivative"
    assert len({s.id for s in skills}) == len(skills) >= 20


def write(tmp_path, body: str):
    path = tmp_path / "skills.toml"
    path.write_text(body, encoding="utf-8")
    return path


ONE = "[[skill]]\nid = 'a'\nname = 'n'\ntitle = 't'\nlesson = 'tanh'\nvalues = ['forward_hello:z[t]']\n"


@pytest.mark.parametrize(("body", "message"), [
    (ONE.replace("id = 'a'", "id = 'Bad Id'"), "slug"),
    (ONE.replace("forward_hello:z[t]", "z[t]"), "<exercise id>:<quantity>"),
    (ONE + ONE.replace("id = 'a'", "id = 'b'"), "already a value of skill 'a'"),
    (ONE + "colour = 1", "unknown keys"),
    (ONE + "easy_s = 0", "easy_s"),
    ("[[skill]\nid = 'a'", "not valid TOML"),
    (ONE.replace("name = 'n'", "name = '$x$'"), "plain text"),
])
def test_a_broken_skills_file_names_the_skill_and_the_problem(tmp_path, body, message):
    with pytest.raises(ContentError, match=message.replace("[", r"\[")) as caught:
        parse_skills(write(tmp_path, body))
    assert "skills.toml" in str(caught.value)


def test_skills_are_checked_against_the_course(tmp_path):
    body = ONE.replace("'tanh'", "'nope'").replace("['forward_hello:z[t]']", "['forward_hello:zz[t]', 'ghost:x']")
    skills = parse_skills(write(tmp_path, body))
    problems = [str(p) for p in skill_problems(skills, course_values(load_all()), {"tanh"}, SKILLS_FILE)]
    assert any("lesson 'nope' does not exist" in p for p in problems)
    assert any("has no value 'zz[t]'" in p for p in problems)
    assert any("no exercise 'ghost'" in p for p in problems)
    assert any("forward_hello:h[t] belongs to no skill" in p for p in problems)
