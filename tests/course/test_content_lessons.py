"""Lessons and the quiz bank: every file loads, the maths in them is right, and the content check command
reports malformed files with the file, the question id and the problem."""
from __future__ import annotations

import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.__main__ import main as cli
from core.course.content import REQUIRED_LESSONS, load_content, load_lesson, registered_pages
from core.course.questions import load_quiz
from core.errors import ContentError
from core.paths import CONTENT_DIR, ROOT
from core.rnn.model import forward

CONTENT = load_content()

# The slips listed in the lecture notes (../shared/lecture/NOTES.md); each must be a "spot the mistake" question.
SLIPS = {"recurrence-arguments", "whh-shape", "bias-first-step", "tanh-derivative", "tanh-second-derivative",
         "softmax-threshold", "loss-sign", "sgd-sum", "notation-mix"}


def test_the_repository_content_has_no_problems():
    assert CONTENT.problems == (), "\n".join(map(str, CONTENT.problems))


def test_the_course_covers_the_lecture():
    slugs = [x.slug for x in CONTENT.lessons]
    assert set(REQUIRED_LESSONS) <= set(slugs)
    assert {"why-rnns", "unrolling", "first-step", "lstm-gru"} <= set(slugs)
    assert [x.order for x in CONTENT.lessons] == list(range(1, len(slugs) + 1))
    pages = registered_pages()
    for x in CONTENT.lessons:
        assert x.practice in pages, f"{x.slug}: practice page {x.practice} is not in the navigation"
        assert len(CONTENT.quiz(x.slug)) >= 3, f"{x.slug} has a quiz of fewer than 3 questions"


def test_the_quiz_bank_has_every_kind_and_every_slip():
    qs = CONTENT.questions
    assert len(qs) >= 40
    kinds = {q.kind for q in qs}
    assert kinds == {"single", "multiple", "numeric", "mistake"}
    assert sum(q.kind == "numeric" for q in qs) >= 10
    assert {q.slip for q in qs if q.kind == "mistake"} >= SLIPS
    assert all(q.explanation for q in qs)
    assert len({q.id for q in qs}) == len(qs)


def test_every_slip_is_taught_in_a_lesson():
    callouts = sum(x.body.count("**Lecture slip.**") for x in CONTENT.lessons)
    assert callouts >= len(SLIPS)
    body = {x.slug: x.body for x in CONTENT.lessons}
    assert r"1 - \tanh^2" in body["tanh"] and "1/4" in body["tanh"]
    assert "arg-max" in body["softmax"] and "0.5" in body["softmax"]
    assert r"E_t = -\sum" in body["cross-entropy"]
    assert r"H \times H" in body["forward-equations"] and "h_t = f(h_{t-1},\\, x_t)" in body["forward-equations"]


def test_the_notation_map_is_given_where_the_lecture_switches():
    for slug in ("forward-equations", "bptt"):
        text = CONTENT.lesson(slug).body
        for pair in ("U = W_{xh}", "W = W_{hh}", "V = W_{hy}", "s_t = h_t"):
            assert pair in text.replace("$", "") or pair.split(" = ")[1] in text, (slug, pair)
    assert "| $W_{xh}$ | $U$ |" in CONTENT.lesson("forward-equations").body


def test_the_first_step_lesson_numbers_match_a_forward_pass():
    # The matrices the lesson states; every rounded value it quotes must come out of core.rnn.model.forward.
    from core.rnn.params import Params

    p = Params(W_xh=np.array([[0.5, -0.3, 0.8, 0.1], [-0.2, 0.4, 0.1, 0.7]]),
               W_hh=np.array([[0.3, -0.1], [0.2, 0.6]]), W_hy=np.array([[0.4, -0.6], [0.9, 0.2], [-0.5, 0.3],
                                                                         [0.2, 0.8]]),
               b_h=np.array([0.1, -0.1]), b_y=np.zeros(4))
    tr = forward(p, np.array([0, 1, 2, 2]), np.array([1, 2, 2, 3]))
    body = CONTENT.lesson("first-step").body
    quoted = [*tr.h[0], *tr.y[0], *tr.p[0], tr.loss_t[0], *tr.W_hh_h_prev[1], *tr.z[1], *tr.h[1],
              *np.tanh(p.W_xh[:, 0])]
    for v in quoted:
        assert f"{v:.5f}" in body, f"the lesson should quote {v:.5f}"


def _softmax(y):
    e = np.exp(np.asarray(y, dtype=float) - np.max(y))
    return e / e.sum()


# Every numeric answer recomputed independently of the TOML files.
EXPECTED = {
    "hello-outputs": len("hell"),
    "path-length": 6 - 1,
    "parameter-count": 3 * 4 + 3 * 3 + 4 * 3 + 3 + 4,
    "one-hot-column": np.array([[0.2, -0.5, 0.9, 0.1], [0.7, 0.3, -0.4, 0.6], [-0.8, 0.05, 0.25, -0.3]]) @ np.eye(4)[2],
    "vocab-size-banana": len(dict.fromkeys("banana")),
    "z1-with-bias": np.array([0.3, -0.1, 0.5]) + 0.427 * 0 + np.array([0.1, 0.2, -0.1]),
    "lecture-first-state": math.tanh(0.2 + 0.427 * 0 + 0.567),
    "tanh-half": math.tanh(0.5),
    "tanh-derivative-from-h": 1 - 0.6 ** 2,
    "sigmoid-derivative-max": max(s * (1 - s) for s in 1 / (1 + np.exp(-np.linspace(-5, 5, 10001)))),
    "softmax-last-entry": _softmax([1, 2, 3])[2],
    "softmax-vector": _softmax(np.log([1, 2, 3, 4])),
    "loss-uniform": -math.log(0.25),
    "loss-total": -sum(math.log(p) for p in (0.5, 0.25, 0.8, 0.4)),
    "dy-vector": np.array([0.1, 0.2, 0.3, 0.4]) - np.eye(4)[1],
    "dh-raw-scalar": (1 - 0.5 ** 2) * 0.8,
    "dwhy-outer": np.outer([0.3, -0.3], [0.5, -0.2]),
    "scalar-decay": 0.5 ** 10,
    "clip-vector": np.array([6.0, 8.0]) * 5 / np.linalg.norm([6.0, 8.0]),
    "forget-gate-decay": 0.9 ** 10,
    "clip-elementwise": np.minimum(np.maximum([0.9, -1.4, 0.3], -0.5), 0.5),
    "clip-norm": np.array([0.9, -1.2]) * min(1.0, 0.5 / math.hypot(0.9, -1.2)),
    "lstm-cell-update": 0.5 * 0.8 + 0.5 * 0.6,
    "lstm-dc": 0.0 + 1.0 * 0.5 * (1 - math.tanh(0.5 * 0.8 + 0.5 * 0.6) ** 2),
    "gru-mix": 0.8 * 0.5 + (1 - 0.8) * -0.2,
    "gru-dz": 1.0 * (0.5 - -0.2),  # d/dz of z*h + (1 - z)*n is h - n
}


def test_every_numeric_answer_is_right():
    numeric = {q.id: q for q in CONTENT.questions if q.kind == "numeric"}
    assert set(numeric) == set(EXPECTED), "add the new numeric question to EXPECTED with an independent computation"
    for qid, truth in EXPECTED.items():
        np.testing.assert_allclose(np.asarray(numeric[qid].answer), truth, rtol=1e-6, atol=1e-9, err_msg=qid)


# ---- the content check command and malformed files ------------------------------------------------------

def make_copy(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root)
    return root


def problems_of(root: Path) -> list[str]:
    return [str(p) for p in load_content(root).problems]


def test_content_check_command_passes_on_the_repository():
    out = subprocess.run([sys.executable, "-m", "core", "content", "check"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "OK:" in out.stdout and "no problems" in out.stdout


def test_content_check_command_lists_every_problem_and_fails(tmp_path, capsys):
    root = make_copy(tmp_path)
    tanh = root / "quizzes" / "tanh.toml"
    tanh.write_text(tanh.read_text().replace("answer = 0.64", "answer = 0.64\nanswr = 1", 1))
    soft = root / "quizzes" / "softmax.toml"
    soft.write_text(soft.read_text().replace('answer = 0\nexplanation = \'\'\'The prediction', 'answer = 9\n'
                                             'explanation = \'\'\'The prediction', 1))
    (root / "lessons" / "cross-entropy.md").unlink()
    skills = root / "skills.toml"
    skills.write_text(skills.read_text().replace('values = ["forward_hello:z[t]"]', 'values = ["forward_hello:zz[t]"]'))
    code = cli(["content", "check", "--root", str(root)])
    out = capsys.readouterr()
    assert code == 1
    lines = out.out.strip().splitlines()
    assert any("tanh.toml: question 'tanh-derivative-from-h': unknown keys ['answr']" in x for x in lines)
    assert any("softmax.toml: question 'argmax-prediction': 'answer' 9 is out of range" in x for x in lines)
    assert any("cross-entropy.md: is missing" in x for x in lines)
    assert any("cross-entropy.toml" in x and "lesson 'cross-entropy' does not exist" in x for x in lines)
    assert any("skills.toml" in x and "has no value 'zz[t]'" in x for x in lines)
    assert any("skills.toml" in x and "forward_hello:z[t] belongs to no skill" in x for x in lines)
    assert "problems found" in out.err


def test_content_check_on_a_missing_folder_is_an_error(tmp_path, capsys):
    assert cli(["content", "check", "--root", str(tmp_path / "nowhere")]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_the_trace_command_still_works(capsys):
    assert cli(["trace", "--text", "hi", "--hidden", "1"]) == 0
    assert '"text": "hi"' in capsys.readouterr().out


@pytest.mark.parametrize("edit, expected", [
    (lambda s: s.replace("[[questions]]", "[[questions]", 1), "is not valid TOML"),
    (lambda s: s.replace('kind = "numeric"', 'kind = "essay"', 1), "kind must be one of"),
    (lambda s: s.replace("prompt = '''Compute $\\tanh(0.5)$.'''", 'prompt = "Compute $\\tanh(0.5)$."', 1),
     "control characters"),
    (lambda s: s.replace("prompt = '''Compute $\\tanh(0.5)$.'''", "prompt = '''Compute $\\tanh(0.5).'''", 1),
     "odd number of $"),
    (lambda s: s.replace("answer = 0.25", "answer = 'a quarter'", 1), "'answer' must be a finite number"),
    (lambda s: s.replace("answer = [0, 1, 2]", "answer = [0, 0]", 1), "lists a choice twice"),
    (lambda s: s.replace('id = "tanh-half"', 'id = "why-tanh"', 1), "the id is used twice in this file"),
    (lambda s: s.replace('lesson = "tanh"', 'lesson = "softmax"', 1), "must match the file name"),
    (lambda s: s.replace("answer = 0.64", "answer = 0.64\ntolerance = { rel = 0.0 }", 1), "'tolerance' is not usable"),
    (lambda s: s.replace("slip = \"tanh-derivative\"\n", "", 1), "needs 'slip'"),
])
def test_a_malformed_quiz_is_reported_with_file_and_problem(tmp_path, edit, expected):
    root = make_copy(tmp_path)
    path = root / "quizzes" / "tanh.toml"
    before = path.read_text()
    after = edit(before)
    assert after != before, "the edit did not apply"
    path.write_text(after)
    found = problems_of(root)
    assert any(expected in p and "tanh.toml" in p for p in found), found
    content = load_content(root)
    assert len(content.lessons) == len(CONTENT.lessons)  # other files still load
    assert len(content.quiz("softmax")) == len(CONTENT.quiz("softmax"))


def test_the_same_id_in_two_files_is_reported(tmp_path):
    root = make_copy(tmp_path)
    path = root / "quizzes" / "softmax.toml"
    path.write_text(path.read_text().replace('id = "softmax-shift"', 'id = "tanh-half"', 1))
    assert any("question 'tanh-half': the id is also used in" in p for p in problems_of(root))


@pytest.mark.parametrize("edit, expected", [
    (lambda s: s.split("+++", 2)[2], "must start with a front matter block"),
    (lambda s: s.replace('slug = "tanh"', 'slug = "tanh-lesson"', 1), "must match the file name"),
    (lambda s: re.sub(r'^practice = ".*"$', 'practice = "pages/nowhere.py"', s, count=1, flags=re.M),
     "does not exist"),
    (lambda s: re.sub(r'^practice = ".*"$', 'practice = "tests/conftest.py"', s, count=1, flags=re.M),
     "is not registered"),
    (lambda s: s.replace("order = 6", "order = 7", 1), "order 7 is also used"),
    (lambda s: s.replace("order = 6", "order = 6\ncolour = 'red'", 1), "unknown front matter keys"),
    (lambda s: s.replace("$\\tanh(0.5) = 0.46212$", "$\\tanh(0.5) = 0.46212", 1), "odd number of $"),
])
def test_a_malformed_lesson_is_reported_with_file_and_problem(tmp_path, edit, expected):
    root = make_copy(tmp_path)
    path = root / "lessons" / "tanh.md"
    before = path.read_text()
    after = edit(before)
    assert after != before, "the edit did not apply"
    path.write_text(after)
    found = problems_of(root)
    assert any(expected in p and "lessons/tanh.md" in p for p in found), found


def test_loaders_raise_content_error_naming_file_and_question(tmp_path):
    bad = tmp_path / "tanh.toml"
    bad.write_text('lesson = "tanh"\n[[questions]]\nid = "q-one"\nkind = "single"\nprompt = "P"\n'
                   'explanation = "E"\nchoices = ["a", "b"]\nanswer = 2\n')
    with pytest.raises(ContentError) as err:
        load_quiz(bad)
    assert err.value.where == "question 'q-one'" and "tanh.toml" in err.value.file
    assert "out of range" in err.value.problem
    assert re.match(r".*tanh\.toml: question 'q-one': 'answer' 2 is out of range", str(err.value))
    lesson = tmp_path / "x.md"
    lesson.write_text("no front matter here")
    with pytest.raises(ContentError, match="x.md: the file must start"):
        load_lesson(lesson)
    assert load_lesson(CONTENT_DIR / "lessons" / "tanh.md").title.startswith("tanh")
