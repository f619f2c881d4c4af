"""Streamlit glue shared by the pages (the pages themselves stay thin; the maths lives in core/)."""
