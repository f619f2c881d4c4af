"""The pages registered in streamlit_app.py, read from its source (the entry file itself is not imported)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _page_calls():
    tree = ast.parse((ROOT / "streamlit_app.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "Page":
            yield node.args[0].value, {k.arg: k.value.value for k in node.keywords if isinstance(k.value, ast.Constant)}


def registered_pages() -> dict[str, str]:
    """{"pages/x.py": "Title"} for every st.Page(...) call in streamlit_app.py."""
    return {path: kw.get("title") for path, kw in _page_calls()}


def url_paths() -> dict[str, str | None]:
    """{"pages/x.py": url_path or None} as given to st.Page."""
    return {path: kw.get("url_path") for path, kw in _page_calls()}


def url_path(page: str) -> str:
    """The URL path a page is served at ("" for the default page)."""
    given = url_paths()[page]
    return "" if page == "pages/home.py" else (given or Path(page).stem)
