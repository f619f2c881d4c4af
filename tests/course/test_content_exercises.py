"""Every shipped exercise definition: valid, sensible, and graded right on 200 vetted variants each;
malformed definition files are rejected with messages naming the file and the key."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from core.course.engine import (
    ContentError,
    grade_one,
    is_vetted,
    load_all,
    load_exercise,
    make_instance,
)
from core.paths import EXERCISE_DIR, ROOT
from tests.course.variants import check_variant, vetted_seeds

N_SEEDS = 200
DEFS = load_all()


def test_the_shipped_definitions_load():
    assert {"forward_hello", "bptt_hello"} <= set(DEFS)
    for d in DEFS.values():
        assert d.path.startswith("content/exercises/") and d.title and d.lesson


def test_every_lesson_pointer_leads_to_a_lesson():
    lessons = ROOT / "content" / "lessons"
    for d in DEFS.values():
        inst = make_instance(d, d.textbook_seed)
        slugs = {d.lesson} | {m.lesson for q in inst.quantities for m in q.mistakes}
        for slug in slugs:
            assert (lessons / f"{slug}.md").exists(), f"{d.id} points to a missing lesson {slug!r}"


@pytest.mark.parametrize("name", sorted(DEFS))
def test_two_hundred_variants(name):
    """For 200 vetted seeds of every shipped exercise, at its default hidden size: see check_variant; every
    (quantity, mistake) pair is covered across the seeds."""
    d = DEFS[name]
    seeds = vetted_seeds(d, N_SEEDS)
    assert d.textbook_seed in vetted_seeds(d, d.textbook_seed + 1) or is_vetted(d, d.textbook_seed)
    covered: set[tuple[str, str]] = set()
    pairs: set[tuple[str, str]] = set()
    ecf_checked = sum(check_variant(make_instance(d, seed), n, covered, pairs) for n, seed in enumerate(seeds))
    assert covered == pairs, f"mistakes never exercised: {sorted(pairs - covered)[:5]}"
    assert ecf_checked > N_SEEDS // 2


@pytest.mark.parametrize("name", sorted(DEFS))
def test_every_practice_hidden_size_has_clear_variants(name):
    """The other hidden sizes offered for practice: 40 vetted seeds each, checked the same way."""
    d = DEFS[name]
    for hidden in d.practice_hidden:
        if hidden == d.hidden:
            continue
        covered: set = set()
        pairs: set = set()
        for n, seed in enumerate(vetted_seeds(d, 40, hidden=hidden)):
            check_variant(make_instance(d, seed, hidden=hidden), n, covered, pairs)


# ---- malformed definitions --------------------------------------------------------------------------------

GOOD = textwrap.dedent('''
    id = "{stem}"
    title = "A small forward exercise"
    lesson = "forward-equations"
    text = "hello"
    hidden = 3
    textbook_seed = 26

    [[block]]
    over = "t = 1..T"
    title = "Step {{{{t}}}}"

    [[block.quantity]]
    id = "z[t]"
    label = 'z_{{ {{{{t}}}} }}'
    hints = ["Add the three terms.", "Do not forget $b_h$."]
    solution = '$z = {{{{z[t]}}}}$'

    [[block.quantity]]
    id = "h[t]"
    label = 'h_{{ {{{{t}}}} }}'
    hints = ["tanh of z.", "Element by element."]
    solution = '$h = {{{{h[t]}}}}$'
''')


def _write(tmp_path: Path, body: str, stem: str = "mini") -> Path:
    p = tmp_path / f"{stem}.toml"
    p.write_text(body, encoding="utf-8")
    return p


def test_a_minimal_definition_loads(tmp_path):
    d = load_exercise(_write(tmp_path, GOOD.format(stem="mini")))
    inst = make_instance(d, d.textbook_seed)
    assert [q.id for q in inst.quantities][:2] == ["z[1]", "h[1]"]
    assert grade_one(inst, "h[1]", inst.answer_text("h[1]")).status == "correct"


BAD = [
    # (what to change, the key the message must name, a fragment of the problem)
    (lambda s: s.replace('title = "A small', 'title = "A small\n'), "(file)", "not valid TOML"),
    (lambda s: s.replace('id = "mini"', 'id = "other"'), "id", "must match the file name"),
    (lambda s: s.replace('id = "mini"', 'id = "Mini Ex"'), "id", "lower-case"),
    (lambda s: 'colour = "red"\n' + s, "colour", "unknown top-level key"),
    (lambda s: s.replace('lesson = "forward-equations"', 'lesson = "Forward Equations"'), "lesson", "slug"),
    (lambda s: s.replace('text = "hello"', 'text = "aaaa"'), "text", "two different"),
    (lambda s: s.replace("hidden = 3", "hidden = 40"), "hidden", "from 1 to 8"),
    (lambda s: s.replace("textbook_seed = 26", 'textbook_seed = "x"'), "textbook_seed", "whole number"),
    (lambda s: s.replace('over = "t = 1..T"', 'over = "every step"'), "block[1].over", "once"),
    (lambda s: s.replace('over = "t = 1..T"', 'over = "k = 1..K"'), "block[1].over", "chain_T"),
    (lambda s: s.replace('id = "z[t]"', 'id = "zz[t]"'), 'block[1].quantity[1] "zz[t]".id', "known: W_xh_x[t]"),
    (lambda s: s.replace('id = "z[t]"', 'id = "loss"'), 'block[1].quantity[1] "loss".id', "over = 'once'"),
    (lambda s: s.replace('hints = ["Add the three terms.", "Do not forget $b_h$."]', 'hints = ["Only one."]'),
     'block[1].quantity[1] "z[t]".hints', "two or three"),
    (lambda s: s.replace('hints = ["Add the three terms.", "Do not forget $b_h$."]',
                         'hints = ["a", "b", "c", "d"]'), 'block[1].quantity[1] "z[t]".hints', "two or three"),
    (lambda s: s.replace('"Do not forget $b_h$."', '"Do not forget $b_h."'),
     'block[1].quantity[1] "z[t]".hints[2]', "odd number of $"),
    (lambda s: s.replace('label = \'z_{ {{t}} }\'', 'label = \'z_{ {{t}} }\'\nmistakes = ["no_softmax"]'),
     'block[1].quantity[1] "z[t]".mistakes', "has no mistake 'no_softmax'"),
    (lambda s: s.replace('label = \'z_{ {{t}} }\'', 'label = \'z_{ {{t}} }\'\nwhen = "t >> 2"'),
     'block[1].quantity[1] "z[t]".when', "condition"),
    (lambda s: s.replace('label = \'z_{ {{t}} }\'', 'label = \'z_{ {{t}} }\'\ntolerance = { rel = 2 }'),
     'block[1].quantity[1] "z[t]".tolerance', "between 0 and 1"),
    (lambda s: s.replace('label = \'z_{ {{t}} }\'', 'label = \'z_{ {{t}} }\'\ncolour = 1'),
     'block[1].quantity[1] "z[t]".colour', "unknown key"),
    (lambda s: s.replace('id = "h[t]"', 'id = "z[t]"'), 'block[1].quantity[2] "z[t]"', "already asked"),
    (lambda s: s.replace("solution = '$z = {{z[t]}}$'", "solution = '$z = {{zed[t]}}$'"),
     'block[1].quantity[1] "z[t]".solution', "no value 'zed[1]'"),
    (lambda s: s.replace("solution = '$z = {{z[t]}}$'", "solution = '$z = {{z[t] | fancy}}$'"),
     'block[1].quantity[1] "z[t]".solution', "unknown filter"),
    (lambda s: s.replace("solution = '$z = {{z[t]}}$'", "solution = '$z = {{z[t-5]}}$'"),
     'block[1].quantity[1] "z[t]".solution', "no value 'z[-4]'"),
    (lambda s: s.replace('label = \'z_{ {{t}} }\'', 'label = \'z_{ {{q}} }\''),
     'block[1].quantity[1] "z[t]".label', "{{q}}"),
    (lambda s: s.replace("[[block]]", "[[blocks]]").replace("[[block.quantity]]", "[[blocks.quantity]]"), "blocks",
     "unknown top-level key"),
    (lambda s: s.replace('title = "Step {{t}}"', 'title = "Step {{t+}}"'), "block[1].title", "{{t+}}"),
]


@pytest.mark.parametrize("change, key, fragment", BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_malformed_definitions_name_file_key_and_problem(tmp_path, change, key, fragment):
    path = _write(tmp_path, change(GOOD.format(stem="mini")))
    with pytest.raises(ContentError) as info:
        load_exercise(path)
    msg = str(info.value)
    assert "mini.toml" in msg, msg
    assert info.value.where == key, msg
    assert fragment in msg, msg


def test_order_and_vetting_are_checked(tmp_path):
    swapped = GOOD.format(stem="mini")
    z_block = swapped[swapped.index('[[block.quantity]]\nid = "z[t]"'):swapped.index('[[block.quantity]]\nid = "h[t]"')]
    swapped = swapped.replace(z_block, "") + "\n" + z_block
    where = r'mini\.toml: block\[1\]\.quantity\[1\] "h\[t\]": h\[1\] is asked before z\[1\]'
    with pytest.raises(ContentError, match=where):
        load_exercise(_write(tmp_path, swapped))
    # a textbook seed whose mistakes coincide is refused, and the message offers the next vetted one
    d = load_exercise(_write(tmp_path, GOOD.format(stem="mini")))
    bad = next(s for s in range(300) if not is_vetted(d, s))
    text = GOOD.format(stem="mini").replace("textbook_seed = 26", f"textbook_seed = {bad}")
    with pytest.raises(ContentError, match=r"mini\.toml: textbook_seed: seed \d+ is not vetted .*first vetted seed"):
        load_exercise(_write(tmp_path, text))


def test_load_all_reports_the_first_bad_file(tmp_path):
    _write(tmp_path, GOOD.format(stem="a_good"), "a_good")
    _write(tmp_path, GOOD.format(stem="b_bad").replace("hidden = 3", "hidden = 0"), "b_bad")
    with pytest.raises(ContentError, match=r"b_bad\.toml: hidden"):
        load_all(tmp_path)
    assert EXERCISE_DIR.is_dir()
