"""The screens registered in the entry file's st.navigation, read from its source (never imported or run).

Content validation (a lesson's practice page must be registered) and the tests (every page file is
registered, every page opens) both ask this one function.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from core.paths import APP_FILE


@dataclass(frozen=True)
class PageEntry:
    """One st.Page(...) call: the page file, its sidebar title and the URL path it is served at."""

    file: str  # "pages/forward_exercise.py"
    title: str | None
    url_path: str  # "" for the default page; the file's stem when st.Page is given none
    default: bool


def registered_pages(app_file: Path = APP_FILE) -> dict[str, PageEntry]:
    """{page file: PageEntry} for every literal st.Page("pages/...", ...) call; {} if the file cannot be read."""
    try:
        tree = ast.parse(Path(app_file).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return {}
    out = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "Page" and node.args
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            continue
        file = node.args[0].value
        kw = {k.arg: k.value.value for k in node.keywords if isinstance(k.value, ast.Constant)}
        default = bool(kw.get("default", False))
        url = "" if default else (kw.get("url_path") or Path(file).stem)
        out[file] = PageEntry(file, kw.get("title"), url, default)
    return out
