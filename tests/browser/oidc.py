"""A throw-away OpenID Connect provider for the sign-in tests: tests/oidc/provider.mjs (npm oidc-provider)
on a free port of 127.0.0.1, and the [auth] secrets that point a `streamlit run` server at it.

The provider's development login form takes any login name (the e-mail is <login>@example.edu, the
subject id is the login name) and any non-empty password; it shows no consent screen and confirms sign-out
by itself. `.ci/run` runs `npm ci` in tests/oidc; without node or those packages the tests skip with the
reason (and fail in CI, where they must run).
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from core.paths import ROOT
from tests.services.process import stop

PROVIDER_DIR = ROOT / "tests" / "oidc"
CLIENT_ID, CLIENT_SECRET = "rnn-tutor", "test-only-secret"  # noqa: S105 - a throw-away local test client


def require_provider() -> str:
    """The node executable, or skip (fail in CI) with the reason the provider cannot run here."""
    node = shutil.which("node")
    problem = None
    if node is None:
        problem = "no node on PATH: install Debian's nodejs to run the sign-in tests"
    elif not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        problem = "tests/oidc has no node_modules: run `npm ci` in tests/oidc (.ci/run does)"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"the sign-in tests must run in CI: {problem}")
        pytest.skip(problem)
    return node


@contextmanager
def oidc_provider(port: int, redirect_uri: str, log_path: Path):
    """Run the provider until the block ends; yields its issuer URL."""
    node = require_provider()
    log = open(log_path, "w")
    proc = subprocess.Popen([node, "provider.mjs", "--port", str(port), "--client-id", CLIENT_ID, "--client-secret",
                             CLIENT_SECRET, "--redirect", redirect_uri], cwd=PROVIDER_DIR, stdout=log,
                            stderr=subprocess.STDOUT)
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 20
        while "ready" not in log_path.read_text(errors="replace"):
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"the OIDC provider did not start:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.05)
        yield issuer
    finally:
        stop(proc, grace=5)
        log.close()


def auth_secrets(app_url: str, issuer: str, instructors: tuple[str, ...] = ()) -> str:
    """secrets.toml text: the [auth] section for this provider, and the class's instructors."""
    values = {"redirect_uri": app_url.rstrip("/") + "/oauth2callback", "cookie_secret": secrets.token_hex(32),
              "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
              "server_metadata_url": issuer + "/.well-known/openid-configuration"}
    lines = ["[auth]", *(f"{k} = {json.dumps(v)}" for k, v in values.items()),
             'client_kwargs = { prompt = "login" }',  # the login form every time: no silent re-sign-in
             "", "[class]", f"instructors = {json.dumps(list(instructors))}"]
    return "\n".join(lines) + "\n"
