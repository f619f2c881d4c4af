"""The pages registered in streamlit_app.py, read from its source (the entry file itself is not imported)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def registered_pages() -> dict[str, str]:
    """{"pages/x.py": "Title"} for every st.Page(...) call in streamlit_app.py."""
    tree = ast.parse((ROOT / "streamlit_app.py").read_text())
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "Page":
            path = node.args[0].value
            title = next((k.value.value for k in node.keywords if k.arg == "title"), None)
            out[path] = title
    return out


def url_path(page: str) -> str:
    """The URL path Streamlit gives a page file: its stem (the default page is served at /)."""
    return Path(page).stem
