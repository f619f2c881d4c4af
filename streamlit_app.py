"""Entry point: builds the navigation and runs the chosen page. No logic lives here."""
import streamlit as st

st.set_page_config(page_title="RNNs by hand", page_icon=":material/neurology:", layout="wide")

pages = {
    "Start": [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    ],
    "The hello network": [
        st.Page("pages/forward_explorer.py", title="Forward pass explorer", icon=":material/visibility:"),
    ],
}

st.navigation(pages).run()
