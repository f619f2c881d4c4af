"""Where things are: the repository, its content folders, the app's entry file and the default data folder.

Every module that needs a path imports it from here, so moving a folder is a one-line change.
"""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository (core/ is one level down)
CONTENT_DIR = ROOT / "content"
LESSON_DIR = CONTENT_DIR / "lessons"
QUIZ_DIR = CONTENT_DIR / "quizzes"
EXERCISE_DIR = CONTENT_DIR / "exercises"
APP_FILE = ROOT / "streamlit_app.py"  # builds st.navigation; lists every page
DEFAULT_DATA_DIR = ROOT / "data"  # the SQLite progress store, unless RNN_TUTOR_DATA names another folder


def display_path(path: Path | str) -> str:
    """A path relative to the repository when it is inside it (shorter messages for authors), else as given."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(ROOT))
    except ValueError:
        return str(p)
