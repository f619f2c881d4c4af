"""Your progress: lessons and exercises, answers over time, frequent mistakes, what next; export, import, reset."""
import pandas as pd
import streamlit as st

from core.course.own_text import split_stored_id
from core.formatting import md_escape
from core.progress import StoreError
from core.progress.summary import QUIZ_PREFIX, days_since, exercise_steps, lesson_progress, next_steps, summarize
from ui.content import get_content
from ui.exercise import EXERCISE_PAGES, definitions, instance
from ui.progress import GUEST, active_learner, attempts_chart_spec, current_learner, get_store, show_store_notice

MESSAGE_KEY = "dash_message"  # (kind, text) shown once after an import or a reset

st.title("Your progress")
show_store_notice()
store = get_store()
learner = active_learner()
if current_learner() is None:
    st.info(f"You are working as **{GUEST}**. Choose your name on the Home page to keep your progress under it.",
            icon=":material/person:")
    st.page_link("pages/home.py", label="Choose your name on Home", icon=":material/home:")
kind, text = st.session_state.pop(MESSAGE_KEY, (None, None))
if kind:
    getattr(st, kind)(text)

content = get_content()
try:
    attempts = store.attempts(learner)
    read = store.lessons_read(learner)
except StoreError as exc:
    st.error(str(exc))
    st.stop()
summary = summarize(learner, attempts)
progress = lesson_progress(summary, content.lessons, {x.slug: [q.id for q in content.quiz(x.slug)]
                                                      for x in content.lessons}, read)

st.caption(f"Progress of **{md_escape(learner)}**, kept in {store.location}.")
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
    st.vega_lite_chart(attempts_chart_spec(summary.per_day), width="stretch")
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
stem = "".join(ch if ch.isalnum() else "-" for ch in learner).strip("-") or "learner"
e1, e2 = st.columns(2)
# Deferred: the export is built from the database when the button is clicked, not on every rerun.
e1.download_button("Download progress (JSON)", lambda: store.export_json(learner),
                   file_name=f"rnn-progress-{stem}.json", mime="application/json", key="dash_export_json",
                   icon=":material/download:", on_click="ignore")
e2.download_button("Download answers (CSV)", lambda: store.export_csv(learner),
                   file_name=f"rnn-progress-{stem}.csv", mime="text/csv", key="dash_export_csv",
                   icon=":material/download:", on_click="ignore")

upload = st.file_uploader("Import a progress file (.json or .csv exported here)", type=["json", "csv"],
                          key="dash_import_file")
if st.button("Import", key="dash_import", disabled=upload is None):
    try:
        result = store.import_data(learner, upload.getvalue())
        st.session_state[MESSAGE_KEY] = ("success", f"Imported {result.added} answers into "
                                                     f"{md_escape(learner)}'s progress "
                                         f"({result.skipped} were already there, {result.lessons_marked} lessons "
                                         "marked as read).")
    except (ValueError, StoreError) as exc:
        st.session_state[MESSAGE_KEY] = ("error", f"Nothing was imported. {exc}")
    st.rerun()

with st.expander("Reset my progress"):
    st.markdown(f"This deletes **all {summary.attempts} answers** and lesson marks of **{md_escape(learner)}**. "
                "Download a copy first if you may want them back.")
    typed = st.text_input(f"Type **{md_escape(learner)}** to confirm", key="dash_reset_confirm")
    if st.button("Delete all my progress", key="dash_reset", type="primary", disabled=typed.strip() != learner):
        try:
            n = store.reset(learner)
            st.session_state[MESSAGE_KEY] = ("success", f"Progress reset: {n} answers deleted.")
        except StoreError as exc:
            st.session_state[MESSAGE_KEY] = ("error", str(exc))
        st.session_state.pop("dash_reset_confirm", None)
        st.rerun()
