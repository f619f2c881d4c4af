"""Lessons: pick a lesson, read it, mark it as read, then practise it or take its quiz."""
import streamlit as st

from core.progress import StoreError
from ui import identity
from ui.content import choose_lesson, get_content, lesson_markdown, set_lesson, show_problems
from ui.progress import get_store

st.title("Lessons")
content = get_content()
show_problems(content)
if not content.lessons:
    st.info("No lessons could be loaded.")
    st.stop()

slug = choose_lesson(content, "lessons_pick")
lesson = content.lesson(slug)
learner = identity.active()
try:
    read = get_store().lessons_read(learner)
except StoreError as exc:
    read = {}
    st.warning(str(exc))
done = sum(x.slug in read for x in content.lessons)
st.progress(done / len(content.lessons), text=f"{done} of {len(content.lessons)} lessons marked as read")
identity.caption()

st.header(f"{lesson.order}. {lesson.title}")
st.caption(lesson.summary)
st.markdown(lesson_markdown(lesson.body))

st.divider()
st.markdown("**Practise this lesson**")
st.page_link(lesson.practice, label=lesson.practice_label, icon=":material/edit:")
st.page_link("pages/quiz.py", label=f"Take the quiz ({len(content.quiz(slug))} questions)", icon=":material/quiz:",
             query_params={"lesson": slug})
if slug in read:
    st.success(f"Marked as read on {read[slug][:10]}.", icon=":material/check_circle:")
unmark = slug in read and st.button("Mark as unread", key="lesson_unread")
mark = slug not in read and st.button("Mark as read", key="lesson_mark_read", type="primary")
if mark or unmark:
    try:
        get_store().mark_lesson_read(learner, slug, read=bool(mark))
        st.rerun()
    except StoreError as exc:
        st.warning(str(exc))

slugs = [x.slug for x in content.lessons]
i = slugs.index(slug)
prev_col, next_col = st.columns(2)
if i > 0 and prev_col.button(f"← {content.lessons[i - 1].title}", key="lesson_prev", width="stretch"):
    set_lesson(slugs[i - 1])
    st.rerun()
if i + 1 < len(slugs) and next_col.button(f"{content.lessons[i + 1].title} →", key="lesson_next",
                                          width="stretch"):
    set_lesson(slugs[i + 1])
    st.rerun()
