"""The code base stays `ruff check` clean, and core/ never imports streamlit or evaluates text."""
import re
import subprocess
import sys

from tests.conftest import ROOT


def test_ruff_check_is_clean():
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr


def test_core_never_imports_streamlit():
    offenders = [p.relative_to(ROOT) for p in (ROOT / "core").rglob("*.py")
                 if re.search(r"^\s*(import|from)\s+streamlit", p.read_text(), re.M)]
    assert not offenders, f"core/ must stay UI-free: {offenders}"


def test_no_eval_or_exec_in_the_app():
    files = [*(ROOT / "core").rglob("*.py"), *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").rglob("*.py"),
             ROOT / "streamlit_app.py"]
    offenders = [p.relative_to(ROOT) for p in files if re.search(r"(^|[^_.\w])(eval|exec|compile)\(", p.read_text())]
    assert not offenders, f"never evaluate what a learner typed: {offenders}"
