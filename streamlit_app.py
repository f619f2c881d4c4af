"""Entry point: builds the navigation and runs the chosen page. No logic lives here."""
from pathlib import Path

import streamlit as st

from ui import shell

# A local icon: a Material icon would be fetched from the web, which a class server may not reach.
st.set_page_config(page_title="RNNs by hand", page_icon=str(Path(__file__).parent / "ui" / "icon.png"), layout="wide")

# Every page but home gets a url_path other than its file name: on a fresh server Streamlit treats pages/ as
# an old-style pages folder until this file first runs, so a shared link to /<file name> would run the page
# alone, outside this navigation. With a distinct url_path every link goes through this file.
pages = {
    "Start": [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    ],
    "The hello network": [
        st.Page("pages/forward_explorer.py", title="Forward pass explorer", icon=":material/visibility:",
                url_path="explorer"),
        st.Page("pages/forward_exercise.py", title="Forward pass: hello", icon=":material/calculate:",
                url_path="forward"),
        st.Page("pages/bptt_exercise.py", title="Backpropagation through time", icon=":material/undo:",
                url_path="bptt"),
        st.Page("pages/truncation_exercise.py", title="Truncated BPTT and clipping", icon=":material/content_cut:",
                url_path="truncated-bptt"),
    ],
    "More networks": [
        st.Page("pages/lstm_exercise.py", title="One LSTM step", icon=":material/memory:", url_path="lstm-step"),
        st.Page("pages/gru_exercise.py", title="One GRU step", icon=":material/alt_route:", url_path="gru-step"),
    ],
    "Playgrounds": [
        st.Page("pages/vanishing_gradients.py", title="Vanishing gradients",
                icon=":material/trending_down:", url_path="gradients"),
        st.Page("pages/activations.py", title="Activations and their derivatives", icon=":material/show_chart:",
                url_path="activation-functions"),
        st.Page("pages/train_rnn.py", title="Train and sample", icon=":material/model_training:", url_path="train"),
    ],
    "Learn": [
        st.Page("pages/lessons.py", title="Lessons", icon=":material/menu_book:", url_path="learn"),
        st.Page("pages/quiz.py", title="Concept quiz", icon=":material/quiz:", url_path="concept-quiz"),
        st.Page("pages/review.py", title="Review", icon=":material/event_repeat:", url_path="spaced-review"),
        st.Page("pages/worked_examples.py", title="Worked examples", icon=":material/school:",
                url_path="worked-examples"),
    ],
    "Your progress": [
        st.Page("pages/dashboard.py", title="Your progress", icon=":material/insights:", url_path="progress"),
    ],
    "Teaching": [  # instructors only (ui.shell.INSTRUCTOR_ONLY): the owner on a personal install
        st.Page("pages/class_view.py", title="Class view", icon=":material/groups:", url_path="class"),
    ],
}

# Who may open which page (class mode: signed-in learners; instructors' pages) and the frame of every page.
page = st.navigation(shell.visible(pages), expanded=True)  # every screen in view, by section
shell.frame()
page.run()
