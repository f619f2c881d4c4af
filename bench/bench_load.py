"""Load on ONE `streamlit run` server with PostgreSQL: N simulated learners check answers on "Forward pass: hello".

    python -m bench load                                  # N = 10, 25, 50, 100; both configs; M = 5
    python -m bench load --ns 50 --m 10 --configs tuned --json load.json

Each learner is one websocket session (bench.stclient) under its own profile (`/forward?learner=...`). It opens
the page, then presses Check on step 1 (8 values) M times, alternating the true answers and wrong ones that
still parse, so every Check saves 8 new answers in one transaction. Check-to-saved is the time from sending
the submit to the run's end (the app saves in the form's callback, before the script runs); right after each
Check the learner's rows are counted in the database, so a row that did not arrive is reported. "free": each
learner checks again as soon as the last Check is done (zero think time: capacity, not a realistic class).

Every (config, N) gets a fresh server and a fresh database in one throw-away PostgreSQL cluster
(tests/services/pgctl.py, or --db-url for a server of yours: each level then creates a database in it).
The machine is shared: the table gives the load average and the CPU other processes used meanwhile.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

from bench.stclient import Session
from core.paths import ROOT

CONFIGS = {"default": [],  # what `streamlit run streamlit_app.py` gives
           "tuned": ["--runner.postScriptGC", "false", "--server.fileWatcherType", "none"]}
ROWS_PER_CHECK = 8  # step 1 of the forward pass has 8 values


def answer_sets() -> tuple[dict[str, str], dict[str, str]]:
    """({value id: right text}, {value id: wrong text}) for step 1 of the textbook network; the wrong ones parse
    and have the right shape (vectors + 1, p reversed so it stays a distribution, another character)."""
    from core.course.engine import load_all, make_instance

    d = load_all()["forward_hello"]
    inst = make_instance(d, d.textbook_seed, hidden=d.hidden)
    step = [q for q in inst.quantities if q.group == inst.quantities[0].group]
    right = {q.id: inst.answer_text(q.id) for q in step}
    wrong = {}
    for q in step:
        if q.kind == "char":
            wrong[q.id] = next(c for c in inst.vocab.chars if c != right[q.id])
        elif q.kind == "number":
            wrong[q.id] = repr(round(float(right[q.id]) + 1.0, 6))
        else:
            v = json.loads(right[q.id])
            v = v[::-1] if q.id.startswith("p[") else [round(x + 1.0, 6) for x in v]
            wrong[q.id] = "[" + ", ".join(repr(x) for x in v) + "]"
    assert len(right) == ROWS_PER_CHECK, f"step 1 has {len(right)} values, the benchmark expects {ROWS_PER_CHECK}"
    return right, wrong


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU seconds of a process (threads included), or of the whole machine (pid None)."""
    hz = os.sysconf("SC_CLK_TCK")
    if pid is None:
        vals = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:8]]
        return (sum(vals) - vals[3] - vals[4]) / hz  # all but idle and iowait
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / hz


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def postgres_cpu(postmaster: int | None) -> float:
    """CPU seconds of a local PostgreSQL: the postmaster, the backends it reaped, and the live ones."""
    if postmaster is None:
        return 0.0
    hz, total = os.sysconf("SC_CLK_TCK"), 0
    try:
        f = _stat(postmaster)
        total += sum(int(x) for x in f[11:15])  # utime, stime, cutime, cstime (reaped backends)
    except OSError:
        return 0.0
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                f = _stat(int(d.name))
            except OSError:
                continue  # gone meanwhile
            if int(f[1]) == postmaster:
                total += int(f[11]) + int(f[12])
    return total / hz


class Server:
    """`streamlit run streamlit_app.py` on a free port with the progress store at `db_url`; stopped by stop()."""

    def __init__(self, db_url: str, extra: list[str], log: Path) -> None:
        from tests.services.pgctl import free_port
        from tests.services.process import wait_healthy

        self.port, self.log = free_port(), open(log, "w")
        env = {**os.environ, "RNN_TUTOR_DB_URL": db_url, "RNN_TUTOR_DATA": str(log.parent)}
        env.pop("RNN_TUTOR_INSTRUCTORS", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
             *extra], cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_healthy(f"{self.url}/_stcore/health", self.proc, 60, str(log), poll=0.2)
        except RuntimeError:
            self.stop()
            raise

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cpu(self) -> float:
        return cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the process group this object started, and only it
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


class Rows:
    """Counts a learner's saved answers in the database."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine

        self.engine = create_engine(url, pool_size=20, max_overflow=100)

    def postmaster(self) -> int | None:
        """The pid of the database's postmaster if it runs on this machine (for its CPU), else None."""
        from sqlalchemy import text

        with self.engine.connect() as c:
            backend = c.execute(text("SELECT pg_backend_pid()")).scalar()
        try:
            return int(_stat(backend)[1])  # the backend's parent
        except OSError:
            return None

    def count(self, name: str) -> int:
        from sqlalchemy import func, select

        from core.progress.schema import attempts_table, learners

        with self.engine.connect() as c:
            return c.execute(select(func.count(attempts_table.c.id)).select_from(attempts_table.join(learners))
                             .where(learners.c.name == name)).scalar()


async def learner(name: str, url: str, m: int, answers: tuple[dict, dict], rows: Rows, opened: asyncio.Barrier,
                  out: dict) -> None:
    """One learner: open /forward, then M checks of step 1, each confirmed by counting the rows."""
    rec = out[name] = {"open": None, "checks": [], "problems": []}
    s = Session(url, timeout=600)
    try:
        await s.connect()
        page = await s.open("/forward", f"learner={name}")
        rec["open"] = page.elapsed
        form = page.form_with("::W_xh_x[1]")  # step 1 (the page also has the own-text form)
        inputs = {e.widget_id.rsplit("::", 1)[1]: e.widget_id for e in page.form_widgets(form, "text_input")}
        if set(inputs) != set(answers[0]) or page.exceptions:
            raise RuntimeError(f"the page is not as expected: inputs {sorted(inputs)}, {page.exceptions}")
    except Exception as exc:  # noqa: BLE001 - reported in the table, never hidden
        rec["problems"].append(f"open: {type(exc).__name__}: {exc}")
        await opened.wait()
        await s.close()
        return
    await opened.wait()
    try:
        for k in range(m):
            given = answers[k % 2]
            res = await s.submit(form, {inputs[q]: text for q, text in given.items()})
            rec["checks"].append(res.elapsed)
            alerts = res.alerts()
            if k % 2 == 0 and sum(a.startswith("[success]") for a in alerts) != ROWS_PER_CHECK:
                rec["problems"].append(f"check {k}: not every right answer was called right")
            if any("could not be saved" in a for a in alerts) or res.exceptions:
                rec["problems"].append(f"check {k}: {[a for a in alerts if 'saved' in a] + res.exceptions}")
            saved = await asyncio.to_thread(rows.count, name)
            if saved != (k + 1) * ROWS_PER_CHECK:
                rec["problems"].append(f"check {k}: {saved} rows after the check, {(k + 1) * ROWS_PER_CHECK} expected")
    except Exception as exc:  # noqa: BLE001
        rec["problems"].append(f"{type(exc).__name__}: {exc}")
    finally:
        await s.close()


def pct(xs: list[float], q: float) -> float:
    """The q-quantile of xs, linearly interpolated (nan for none)."""
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = (len(xs) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


async def one_level(n: int, m: int, server: Server, rows: Rows, answers, tag: str) -> dict:
    out: dict[str, dict] = {}
    opened = asyncio.Barrier(n + 1)
    tasks = [asyncio.create_task(learner(f"{tag}-{i:03d}", server.url, m, answers, rows, opened, out))
             for i in range(n)]
    postmaster = rows.postmaster()
    await asyncio.wait_for(opened.wait(), 900)
    start = server.cpu(), postgres_cpu(postmaster), cpu_seconds(), time.process_time()
    t0 = time.perf_counter()
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - t0
    srv, pg, machine, own = (b - a for a, b in zip(start, (server.cpu(), postgres_cpu(postmaster), cpu_seconds(),
                                                          time.process_time()), strict=True))
    others = machine - srv - pg - own
    checks = [x for r in out.values() for x in r["checks"]]
    opens = [r["open"] for r in out.values() if r["open"] is not None]
    saved = sum(await asyncio.gather(*(asyncio.to_thread(rows.count, name) for name in out)))
    return {"n": n, "m": m, "checks": len(checks), "p50_ms": 1e3 * pct(checks, .5),
            "p95_ms": 1e3 * pct(checks, .95), "max_ms": 1e3 * max(checks, default=float("nan")),
            "checks_per_s": len(checks) / wall, "writes_per_s": saved / wall, "open_p95_ms": 1e3 * pct(opens, .95),
            "server_cpu": srv / wall, "postgres_cpu": pg / wall, "client_cpu": own / wall, "other_cpu": others / wall,
            "loadavg": os.getloadavg()[0], "rows_saved": saved, "rows_expected": n * m * ROWS_PER_CHECK,
            "problems": {k: r["problems"] for k, r in out.items() if r["problems"]}}


async def _warm(url: str) -> None:
    """The first run of a fresh server still treats pages/ as an old-style pages folder: open once first."""
    s = await Session(url).connect()
    await s.open("/forward")
    await s.close()


def wait_quiet(max_wait: float, cores: float = 0.5, window: float = 5.0) -> float:
    """Wait up to max_wait seconds for the other processes to use less than `cores` over `window` seconds (this
    machine is shared); the cores they used in the last window."""
    deadline = time.time() + max_wait
    while True:
        busy, own = cpu_seconds(), time.process_time()
        time.sleep(window)
        used = (cpu_seconds() - busy - (time.process_time() - own)) / window
        if used < cores or time.time() > deadline:
            return used


def run_levels(base_url: str, ns: list[int], m: int, configs: list[str], work: Path,
               quiet: float = 0.0) -> list[dict]:
    from tests.services.pgctl import create_database

    answers, results = answer_sets(), []
    for config in configs:
        for n in ns:
            if quiet:
                print(f"   (other processes used {wait_quiet(quiet):.2f} cores before this level)", flush=True)
            db = create_database(base_url, f"load_{config}_{n}_{os.getpid()}")
            server = Server(db, CONFIGS[config], work / f"server-{config}-{n}.log")
            rows = Rows(db)
            try:
                asyncio.run(_warm(server.url))
                r = asyncio.run(one_level(n, m, server, rows, answers, f"load{n}"))
            finally:
                server.stop()
                rows.engine.dispose()
            r["config"] = config
            results.append(r)
            print(row(r), flush=True)
            for who, problems in list(r["problems"].items())[:5]:
                print(f"   PROBLEM {who}: {problems[:3]}", flush=True)
    return results


HEADER = (f"{'config':<8} {'N':>4} {'checks':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'checks/s':>8} "
          f"{'writes/s':>8} {'open p95':>8} {'srv CPU':>7} {'pg CPU':>6} {'others':>6} {'load':>5}  "
          "rows saved/expected")


def row(r: dict) -> str:
    ok = "ok" if r["rows_saved"] == r["rows_expected"] and not r["problems"] else "MISMATCH"
    cells = [f"{r['config']:<8}", f"{r['n']:>4}", f"{r['checks']:>6}", f"{r['p50_ms']:>7.0f}", f"{r['p95_ms']:>7.0f}",
             f"{r['max_ms']:>7.0f}", f"{r['checks_per_s']:>8.1f}", f"{r['writes_per_s']:>8.0f}",
             f"{r['open_p95_ms']:>6.0f}ms", f"{r['server_cpu']:>7.0%}", f"{r['postgres_cpu']:>6.0%}",
             f"{r['other_cpu']:>6.2f}",
             f"{r['loadavg']:>5.2f}", f" {r['rows_saved']}/{r['rows_expected']} {ok}"]
    return " ".join(cells)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench load", description=__doc__.splitlines()[0])
    ap.add_argument("--ns", default="10,25,50,100", help="learners per level, comma-separated")
    ap.add_argument("--m", type=int, default=5, help="checks per learner")
    ap.add_argument("--configs", default="default,tuned", help=f"comma-separated, of {', '.join(CONFIGS)}")
    ap.add_argument("--db-url", help="a PostgreSQL server of yours (its role needs CREATEDB); default: a "
                                     "throw-away cluster")
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument("--wait-quiet", type=float, default=0.0, metavar="S",
                    help="before each level wait up to S seconds for the machine to be quiet (< 0.5 cores busy)")
    a = ap.parse_args(argv)
    ns, configs = [int(x) for x in a.ns.split(",")], a.configs.split(",")
    unknown = set(configs) - set(CONFIGS)
    if unknown:
        ap.error(f"unknown config {sorted(unknown)}; use {', '.join(CONFIGS)}")
    from tests.services.pgctl import installed, throwaway_postgres

    if a.db_url is None and not installed():
        ap.error("no PostgreSQL here: apt-get install postgresql, or give --db-url")
    print("tuned = " + " ".join(CONFIGS["tuned"]) + f"; {ROWS_PER_CHECK} answers saved per check, M = {a.m}")
    print(HEADER, flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp, \
            (nullcontext(a.db_url) if a.db_url else throwaway_postgres()) as base:
        results = run_levels(base, ns, a.m, configs, Path(tmp), a.wait_quiet)
    print("srv CPU / pg CPU: the streamlit server's / PostgreSQL's CPU seconds per second (100% = one core); "
          "others: cores used meanwhile by unrelated processes; load: 1-minute load average at the end")
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=1))
    return 0 if all(r["rows_saved"] == r["rows_expected"] and not r["problems"] for r in results) else 1
