"""The README's class deployment holds up: its envsubst line makes the nginx configuration the browser test
runs, nginx accepts it, its secrets example is TOML with what sign-in needs, and the options it (and the
systemd unit) give `streamlit run` exist."""
from __future__ import annotations

import re
import shutil
import subprocess
import tomllib

import pytest

from core.paths import ROOT
from tests.services import nginx

README = (ROOT / "README.md").read_text(encoding="utf-8")
CLASS = README[README.index("## Class deployment"):]
UNIT = (ROOT / "docs" / "class-deployment" / "rnn-tutor@.service").read_text(encoding="utf-8")


def _shell_lines(text: str, starts: str) -> list[str]:
    """The README's indented command lines that start with `starts` (continuation lines joined)."""
    joined = re.sub(r"\\\n\s*", "", text)
    return [line.strip() for line in joined.splitlines() if line.startswith("    " + starts)]


@pytest.mark.skipif(shutil.which("envsubst") is None, reason="no envsubst (Debian's gettext-base) here")
def test_the_readme_envsubst_line_makes_the_tested_configuration_and_nginx_accepts_it(tmp_path):
    lines = [_shell_lines(CLASS, start) for start in ("mkdir -p /srv", "export LISTEN_PORT", "envsubst", "nginx -p")]
    assert all(len(found) == 1 for found in lines), lines
    script = " && ".join(found[0] for found in lines).replace("/srv/rnn-tutor/nginx", str(tmp_path / "nginx"))
    if nginx.binary():
        script = script.replace("nginx -p", f"{nginx.binary()} -t -q -p")  # test the configuration, do not start
    else:
        script = script[:script.rindex(" && ")]
    done = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    made = (tmp_path / "nginx" / "nginx.conf").read_text()
    assert made == nginx.render(8501, [8601, 8602])
    assert "$route" in made and "$http_upgrade" in made  # nginx's own variables left alone


def test_the_readme_secrets_example_is_toml_with_what_sign_in_needs():
    block = re.search(r"```toml\n(.*?)```", CLASS, re.S).group(1)
    secrets = tomllib.loads(block)
    needed = {"redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url"}
    assert needed <= set(secrets["auth"])
    assert secrets["auth"]["redirect_uri"].endswith("/oauth2callback")
    assert secrets["class"]["instructors"] and all("@" in e for e in secrets["class"]["instructors"])


def test_every_streamlit_option_the_readme_and_the_unit_give_exists():
    from streamlit import config

    commands = _shell_lines(CLASS, "streamlit run") + [next(l for l in UNIT.splitlines() if l.startswith("ExecStart="))]
    options = {o for c in commands for o in re.findall(r"--([a-zA-Z]+\.[a-zA-Z]+)", c)}
    assert {"server.port", "server.address", "server.fileWatcherType"} <= options
    for option in options:
        config.get_option(option)  # raises for an option Streamlit does not have
