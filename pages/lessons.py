"""Lessons: pick a lesson, read it, mark it as read, then practise it or take its quiz."""
import streamlit as st

from core.store import StoreError
from ui.content import choose_lesson, get_content, set_lesson, show_problems
from ui.progress import active_learner, get_store, learner_caption

st.title("Lessons")
content = get_content()
show_problems(content)
if not content.lessons:
    st.info("No lessons could be loaded.")
    st.stop()

slug = choose_lesson(content, "lessons_pick")
lesson = content.lesson(slug)
learner = active_learner()
try:
    read = get_store().lessons_read(learner)
except StoreError as exc:
    read = {}
    st.warning(str(exc))
done = sum(x.slug in read for x in content.lessons)
st.progress(done / len(content.lessons), text=f"{done} of {len(content.lessons)} lessons marked as read")
learner_caption()

st.header(f"{lesson.order}. {lesson.title}")
st.caption(lesson.summary)
st.markdown(lesson.body)

st.divider()
c1, c2, c3 = st.columns(3)
c1.page_link(lesson.practice, label=lesson.practice_label, icon=":material/edit:")
c2.page_link("pages/quiz.py", label=f"Take the quiz ({len(content.quiz(slug))} questions)", icon=":material/quiz:",
             query_params={"lesson": slug})
if slug in read:
    c3.success(f"Marked as read on {read[slug][:10]}.", icon=":material/check_circle:")
    if c3.button("Mark as unread", key="lesson_unread"):
        get_store().mark_lesson_read(learner, slug, read=False)
        st.rerun()
elif c3.button("Mark as read", key="lesson_mark_read", type="primary"):
    try:
        get_store().mark_lesson_read(learner, slug)
    except StoreError as exc:
        st.warning(str(exc))
    st.rerun()

slugs = [x.slug for x in content.lessons]
i = slugs.index(slug)
prev_col, _, next_col = st.columns([1, 2, 1])
if i > 0 and prev_col.button(f"← {content.lessons[i - 1].title}", key="lesson_prev"):
    set_lesson(slugs[i - 1])
    st.rerun()
if i + 1 < len(slugs) and next_col.button(f"{content.lessons[i + 1].title} →", key="lesson_next"):
    set_lesson(slugs[i + 1])
    st.rerun()
