"""Class view (instructors only): how the class does on each value, the mistakes it makes, every learner's score."""
import streamlit as st

from core.formatting import md_escape
from core.progress import StoreError
from core.progress.class_view import SCORE_DEFINITION
from ui import charts, identity
from ui import class_view as cv

st.title("Class view")
if not identity.is_instructor():  # the navigation lists this page for instructors only; this is a second lock
    st.error("This page is for instructors.")
    st.stop()

class_mode = identity.class_mode()
st.caption("The learners signed in to this class server, and what their saved answers add up to. Only instructors "
           "see this page." if class_mode else
           "The profiles on this computer (never guests), and what their saved answers add up to. On a class "
           "server only instructors see this page.")
try:
    klass = cv.current_class()
except StoreError as exc:
    st.error(str(exc))
    st.stop()
if not klass.records:
    st.info("Nobody has signed in yet: learners appear here after their first sign-in." if class_mode else
            "No profiles on this computer yet: a learner appears here once they choose a name on Home.",
            icon=":material/group:")
    st.stop()

catalog = cv.catalog(klass)  # with the own texts somebody answered on
titles = {e.id: e.title for e in catalog}
f1, f2 = st.columns([3, 2])
exercise = f1.selectbox("Exercise or quiz", list(titles), format_func=titles.get, key="class_exercise")
days = f2.selectbox("Learners active in the last", cv.ACTIVE_DAYS, format_func=cv.days_label, key="class_days")
summary = cv.summary(klass, days, catalog)
learners = cv.learners_frame(summary, exercise)

m1, m2, m3, m4 = st.columns(4)
m1.metric("Learners", f"{len(summary.learners)} of {summary.listed}" if days else summary.listed)
m2.metric("Answers checked", sum(r.answers for r in summary.learners))
m3.metric("Class score", f"{learners['Score'].mean():.0%}" if len(learners) else "–",
          help=f"The learners' mean score on this exercise; a score is {SCORE_DEFINITION}.")
m4.metric("Values in it", len(summary.values[exercise]))
if not summary.learners:
    st.info(f"No learner was active in the last {cv.days_label(days)}.", icon=":material/filter_alt:")
    st.stop()

st.subheader("Value by value")
st.caption("Each learner counts once per value, by their **latest** answer to it, on any variant of the exercise "
           "(answers on other networks share the values' names). **Right by method** is an answer worked out "
           "right from the learner's own wrong earlier value (\"error carried forward\", half credit); **close** "
           "is near the answer or partly right; **wrong** includes the named mistakes.")
values = cv.values_frame(summary, exercise)
if len(values):
    charts.show("class_values", {"values": values}, key="class_values_chart")
else:
    st.caption("Nobody has answered this one yet.")
with st.expander("The table, with each value's most common mistake and first wrong link", expanded=not len(values)):
    st.markdown(cv.values_table(summary, exercise))

st.subheader("Named mistakes")
mistakes = cv.mistakes_frame(summary, exercise)
if len(mistakes):
    top = mistakes.iloc[0]
    st.markdown(f"**{top['learners']} learner{'s' if top['learners'] != 1 else ''}** made "
                f"**{md_escape(top['mistake'])}** in `{top['value']}`, the most common mistake here.")
    charts.show("class_mistakes", {"mistakes": mistakes.head(cv.TOP_MISTAKES)}, key="class_mistakes_chart")
    st.caption("A learner counts once per mistake and value, if they made it at least once (fixed since or not).")
else:
    st.caption("No named mistakes on this one so far.")

links = cv.links_frame(summary, exercise)
if len(links):
    st.subheader("Where the chains break")
    st.caption("For each answer right by method: the value where the learner's chain first went wrong. Teach "
               "these first: every value after them inherits the error.")
    st.dataframe(links, hide_index=True, width="stretch")

st.subheader("Learners")
st.caption(f"**Score** is {SCORE_DEFINITION}; **course score** is the same over every exercise and quiz. "
           "**Mistakes** counts answers with a named mistake.")
st.dataframe(learners, hide_index=True, width="stretch", column_config={
    "Score": st.column_config.ProgressColumn("Score", min_value=0.0, max_value=1.0, format="percent"),
    "Course score": st.column_config.ProgressColumn("Course score", min_value=0.0, max_value=1.0, format="percent"),
})

st.subheader("Downloads")
cv.downloads(summary)
