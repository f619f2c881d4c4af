"""Lessons screen: pick and read a lesson, follow its links, mark it as read, move through the course."""
from __future__ import annotations

from urllib.parse import parse_qs

from core.app_pages import registered_pages
from core.course.content import load_content
from core.progress import Store
from tests.conftest import session_learner

CONTENT = load_content()
PAGES = registered_pages()


def links(at):
    return {p.proto.page: (p.value, parse_qs(p.proto.query_string)) for p in at.get("page_link")}


def test_the_first_lesson_is_shown_with_its_links(app):
    at = app("pages/lessons.py")
    first = CONTENT.lessons[0]
    assert at.header[0].value == f"1. {first.title}"
    shown = [m.value for m in at.markdown if "Meaning depends on what came before" in m.value]
    assert shown and shown[0].strip().startswith("### Meaning depends") and first.body.split("\n", 3)[2] in shown[0]
    found = links(at)  # keyed by the url_path each page is registered with
    assert found[PAGES[first.practice].url_path][0] == first.practice_label
    label, query = found[PAGES["pages/quiz.py"].url_path]
    assert query == {"lesson": [first.slug]} and f"({len(CONTENT.quiz(first.slug))} questions)" in label


def test_choosing_a_lesson_shows_it_and_survives_a_page_switch(app):
    at = app("pages/lessons.py")
    at.selectbox(key="lessons_pick").set_value("tanh").run()
    assert at.header[0].value == "6. tanh and its derivative"
    assert any(r"\frac{d}{dz}\tanh(z) = 1 - \tanh^2(z)" in m.value for m in at.markdown)
    at.switch_page("pages/dashboard.py").run()
    at.switch_page("pages/lessons.py").run()
    assert at.header[0].value == "6. tanh and its derivative"
    # the quiz screen opens on the same lesson
    at.switch_page("pages/quiz.py").run()
    assert at.selectbox(key="quiz_pick").value == "tanh"


def test_a_link_with_a_lesson_opens_that_lesson(app):
    at = app("pages/lessons.py")
    at.query_params["lesson"] = "bptt"
    at.run()
    assert at.header[0].value.endswith("Backpropagation through time")


def test_marking_a_lesson_as_read_is_stored(app):
    at = app("pages/lessons.py")
    at.button(key="lesson_mark_read").click().run()
    assert any(s.value.startswith("Marked as read") for s in at.success)
    assert set(Store().lessons_read(session_learner(at))) == {CONTENT.lessons[0].slug}
    assert f"1 of {len(CONTENT.lessons)} lessons marked as read" in at.get("progress")[0].proto.text
    at.button(key="lesson_unread").click().run()
    assert Store().lessons_read(session_learner(at)) == {}


def test_next_and_previous_move_through_the_course(app):
    at = app("pages/lessons.py")
    assert not [b for b in at.button if b.key == "lesson_prev"]  # nothing before lesson 1
    at.button(key="lesson_next").click().run()
    assert at.header[0].value == f"2. {CONTENT.lessons[1].title}"
    at.button(key="lesson_prev").click().run()
    assert at.header[0].value == f"1. {CONTENT.lessons[0].title}"
    assert at.selectbox(key="lessons_pick").value == CONTENT.lessons[0].slug
