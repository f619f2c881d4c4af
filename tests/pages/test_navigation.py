"""Every page file is registered, opens through the entry file without an exception, and shows its title."""

from pathlib import Path

import pytest

from core.app_pages import registered_pages
from core.paths import ROOT

PAGES = registered_pages()


def test_every_page_file_is_registered_in_the_navigation():
    files = {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")}
    unregistered = files - set(PAGES)
    assert not unregistered, f"pages not registered in streamlit_app.py (reachable by URL only): {unregistered}"
    missing = {p for p in PAGES if not (ROOT / p).exists()}
    assert not missing, f"streamlit_app.py names files that do not exist: {missing}"


def test_every_page_has_a_url_path_that_is_not_its_file_name():
    # A fresh server treats pages/ as a v1 pages folder until the entry file first calls st.navigation, so a
    # shared link to /<file stem> would run that file alone, outside the navigation. A distinct url_path
    # makes every link go through streamlit_app.py.
    for page, entry in PAGES.items():
        if entry.default:
            continue
        assert entry.url_path != Path(page).stem, f"{page}: give st.Page a url_path other than {Path(page).stem!r}"


@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_opens_without_exception_and_shows_its_title(app, page):
    at = app(page)
    assert not at.exception, f"{page} raised: {[e.value for e in at.exception]}"
    titles = [t.value for t in at.title]
    assert titles, f"{page} shows no title"
    if page != "pages/home.py":  # the home page carries the app's name; every other heading matches the sidebar
        title = PAGES[page].title
        assert titles[0] == title, f"{page}: heading {titles[0]!r} differs from its sidebar title {title!r}"
    assert not at.error, f"{page} shows an error at its default settings: {[e.value for e in at.error]}"


def test_home_page_explains_the_app_and_the_notation(app):
    at = app()
    text = " ".join(m.value for m in at.markdown)
    assert "hello" in text and "forward pass" in text.lower()
    assert "$U$" in text and "$W$" in text and "$V$" in text and "$s_t$" in text
    latex = " ".join(x.value for x in at.latex)
    assert r"\tanh" in latex and "softmax" in latex


def test_entry_file_holds_no_logic():
    src = (ROOT / "streamlit_app.py").read_text()
    assert "def " not in src and "from core" not in src and "import core" not in src, \
        "streamlit_app.py should only build the navigation"
