"""Your progress: lessons and exercises, answers over time, frequent mistakes, what next; export, import, reset."""
import pandas as pd
import streamlit as st

from core.course.own_text import split_stored_id
from core.formatting import md_escape
from core.progress import StoreError
from core.progress.summary import QUIZ_PREFIX, days_since, exercise_steps, lesson_progress, next_steps, summarize
from ui import identity, review
from ui import progress_tools as tools
from ui.content import get_content
from ui.exercise import EXERCISE_PAGES, definitions, instance
from ui.progress import attempts_chart_alt, attempts_chart_spec, get_store

st.title("Your progress")
store = get_store()
learner = identity.active()
if identity.is_guest():
    st.info("You are working as a **guest**: these answers are kept in this browser tab only. Choose your name on "
            "Home to keep them.", icon=":material/person:")
    st.page_link("pages/home.py", label="Choose your name on Home", icon=":material/home:")
tools.show_message()

content = get_content()
try:
    attempts = store.attempts(learner)
    read = store.lessons_read(learner)
except StoreError as exc:
    st.error(str(exc))
    st.stop()
summary = summarize(learner.display, attempts)
progress = lesson_progress(summary, content.lessons, {x.slug: [q.id for q in content.quiz(x.slug)]
                                                      for x in content.lessons}, read)

st.caption(f"Progress of **{md_escape(learner.display)}**, kept {store.where}.")
away = days_since(summary.last_at)
c1, c2, c3, c4 = st.columns(4)
c1.metric("Answers checked", summary.attempts)
c2.metric("Correct", f"{summary.mastered_answers / summary.attempts:.0%}" if summary.attempts else "–",
          help="Share of checked answers that earned full credit without the solution shown.")
c3.metric("Lessons done", f"{sum(p.status == 'done' for p in progress)} of {len(progress)}",
          help="A lesson is done when it is marked as read and 80% of its quiz is right.")
c4.metric("Last active", "–" if away is None else ("today" if away == 0 else f"{away} days ago"))

exercises = {d.id: (d.title, len(instance(d.id, d.textbook_seed, d.hidden).quantities))
             for d in definitions().values()}
st.subheader("What to do next")
for step in (exercise_steps(summary, exercises) + next_steps(progress, summary))[:4]:
    st.markdown(f"- {step.text}")
    if step.go.startswith("exercise:"):
        st.page_link(EXERCISE_PAGES[step.go.split(":", 1)[1]], label="Continue the exercise",
                     icon=":material/calculate:")
    elif step.lesson and step.go == "quiz":
        st.page_link("pages/quiz.py", label="Go to the quiz", icon=":material/quiz:",
                     query_params={"lesson": step.lesson})
    elif step.lesson:
        st.page_link("pages/lessons.py", label="Go to the lesson", icon=":material/menu_book:",
                     query_params={"lesson": step.lesson})

review.dashboard_section()

st.subheader("Lessons")
st.dataframe(
    pd.DataFrame([{"Lesson": f"{p.order}. {p.title}", "Read": p.read,
                   "Quiz": p.quiz_share, "Quiz right": f"{p.quiz_mastered} of {p.quiz_total}",
                   "Practice answers": p.practice_attempts, "Status": p.status} for p in progress]),
    hide_index=True, width="stretch", height=35 * (len(progress) + 1) + 3,  # every lesson, no inner scrolling
    column_config={"Quiz": st.column_config.ProgressColumn("Quiz", min_value=0.0, max_value=1.0, format="percent")},
)

def exercise_title(stored_id: str) -> str:
    """An exercise's title; answers on a learner's own text are stored under their own id and say so."""
    base, own = split_stored_id(stored_id)
    if base not in exercises:
        return stored_id
    return exercises[base][0] + ("" if own is None else f" (your text “{own}”)" if own else " (your own text)")


st.subheader("Exercises")
if summary.exercises:
    titles = {x.slug: x.title for x in content.lessons}
    st.dataframe(pd.DataFrame([{
        "Exercise": (f"Quiz: {titles.get(e.exercise_id[len(QUIZ_PREFIX):], e.exercise_id[len(QUIZ_PREFIX):])}"
                     if e.exercise_id.startswith(QUIZ_PREFIX) else exercise_title(e.exercise_id)),
        "Answers": e.attempts, "Tried": e.tried, "Mastered": e.mastered, "Hints": e.hints,
        "Solutions shown": e.revealed, "Last": e.last_at[:16].replace("T", " "),
    } for e in summary.exercises]), hide_index=True, width="stretch")

    st.subheader("Answers over time")
    st.vega_lite_chart(attempts_chart_spec(summary.per_day), width="stretch", alt=attempts_chart_alt(summary.per_day))
else:
    st.caption("No answers yet. Answers you check on the exercise and quiz screens appear here.")

st.subheader("Your most frequent mistakes")
if summary.mistakes:
    titles = {x.slug: x.title for x in content.lessons}
    st.dataframe(pd.DataFrame([{"Mistake": name, "Times": n, "Lesson": titles.get(lesson, "")}
                               for name, n, lesson in summary.mistakes[:10]]), hide_index=True, width="stretch")
else:
    st.caption("No named mistakes so far.")

st.subheader("Export, import, reset")
tools.export_import_reset(store, learner, summary.attempts)
