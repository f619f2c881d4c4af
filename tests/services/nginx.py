"""nginx in front of several app servers, with sticky sessions: the configuration the README documents
(docs/class-deployment/nginx.conf.template), run from a throw-away prefix folder without root paths."""
from __future__ import annotations

import shutil
import signal
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from core.paths import ROOT
from tests.services.pgctl import free_port

TEMPLATE = ROOT / "docs" / "class-deployment" / "nginx.conf.template"


def binary() -> str | None:
    """Debian's nginx (in /usr/sbin, which a non-root PATH may lack)."""
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


def render(listen_port: int, upstream_ports: list[int]) -> str:
    """The template with its two placeholders filled, as the README's envsubst line fills them."""
    servers = "\n".join(f"        server 127.0.0.1:{port};" for port in upstream_ports)
    return TEMPLATE.read_text().replace("${LISTEN_PORT}", str(listen_port)).replace("${UPSTREAM_SERVERS}", servers)


@contextmanager
def sticky_proxy(upstream_ports: list[int], prefix: Path, port: int | None = None):
    """Start nginx on `port` (default: a free one) of 127.0.0.1 in front of `upstream_ports`; yield its URL;
    stop it afterwards."""
    port = port or free_port()
    (prefix / "logs").mkdir(parents=True)
    (prefix / "tmp").mkdir()
    conf = prefix / "nginx.conf"
    conf.write_text(render(port, upstream_ports))
    base = [binary() or "nginx", "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "logs" / "error.log")]
    checked = subprocess.run([*base, "-t", "-q"], capture_output=True, text=True)
    if checked.returncode:
        raise RuntimeError(f"nginx refused the configuration: {checked.stderr.strip()}")
    proc = subprocess.Popen([*base, "-g", "daemon off;"])
    try:
        deadline = time.time() + 15
        while not (prefix / "logs" / "nginx.pid").exists():
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("nginx did not start: " + (prefix / "logs" / "error.log").read_text())
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGQUIT)  # graceful: open WebSockets are logged as they close
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def access_log(prefix: Path) -> str:
    return (prefix / "logs" / "access.log").read_text()
