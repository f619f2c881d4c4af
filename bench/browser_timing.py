"""Browser benchmark: the real server (`streamlit run`) in Debian's Chromium, timed from the page's own clock.

    python -m bench browser [--repeat 7] [--json] [--app DIR] [--server-arg=--runner.postScriptGC=false] [--rss 200]
    python -m bench browser --vs /tmp/old-checkout        # A/B: two servers measured in turns

Reports medians (and min, max) over `--repeat` runs, after one warm-up visit of every page:
  * first paint of Home: a new browser context (cold HTTP cache, new session), navigation -> first <h1> painted;
  * page switch: a click on each registered page's sidebar link (from Home; Home from Lessons) -> settled;
  * Check -> feedback: every input of the first form on /forward and /bptt gets "1", click Check -> the first
    new alert painted;
  * slider -> chart: ArrowRight on the first slider of /gradients -> the first chart's SVG redrawn and painted.
`--rss N` also clicks Check N times on /forward and samples the server's resident memory (VmRSS), to weigh
Streamlit's forced garbage collection after every run (`runner.postScriptGC`) against memory.
The machine is shared: the load average is printed with the numbers.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench import browser_probe as bp
from bench.timing import result
from core.app_pages import registered_pages
from core.paths import ROOT
from tests.browser.harness import CHROMIUM_FLAGS, find_chromium, streamlit_server

TARGETS = {"check": "<= 300 ms", "slider": "<= 400 ms", "switch": "<= 800 ms"}


@contextmanager
def server(app_dir: Path, extra_args: list[str]):
    """`streamlit run` of app_dir on a free loopback port with a scratch data folder; yields (url, pid)."""
    data = Path(tempfile.mkdtemp(prefix="bench-browser-"))
    with streamlit_server(data / "data", args=tuple(extra_args), app_dir=app_dir, start_timeout=90) as url:
        yield url, streamlit_server.last_pid


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


# ---------------------------------------------------------------------------------------------- measures


def first_paint_home(browser, url: str) -> dict:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    bp.instrument(page)
    page.goto(url, wait_until="commit")
    page.wait_for_function("() => window.__stt && window.__stt.h1Paint !== null", timeout=60_000)
    settled = bp.settle(page, since=0)
    h1 = page.evaluate("() => window.__stt.h1Paint")
    ctx.close()
    return {"h1_painted": h1, "settled": settled}


def page_switch(page, url: str, title: str, start: str = "") -> dict:
    bp.loaded(page, f"{url}/{start}")
    link = page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first
    before = bp.now(page)
    link.click()
    t0 = bp.input_time(page, before)
    settled = bp.settle(page, since=t0)
    received, _ = bp.received_until_finished(page, t0)
    return {"settled": settled - t0, "kb": received / 1024}


def fresh_seeds(n: int) -> list[int]:
    """n seeds whose networks are vetted for every exercise: each Check run gets a variant with no saved work."""
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)  # its caches warn when used outside a running app
    from core.course.engine import load_all
    from ui.exercise import vetted_for_all

    hidden = load_all()["forward_hello"].hidden
    seeds: list[int] = []
    while len(seeds) < n:
        seeds.append(vetted_for_all(seeds[-1] + 1 if seeds else 1000, hidden))
    return seeds


def check_click(page, url: str, path: str, seed: int) -> dict:
    bp.loaded(page, f"{url}/{path}?seed={seed}")
    # the answers' form: the one with Check (the "your own text" form beside it is folded in an expander)
    form = page.locator('[data-testid="stForm"]').filter(has=page.get_by_role("button", name="Check")).first
    boxes = form.locator(".stTextInput input")
    for i in range(boxes.count()):
        boxes.nth(i).fill("1")
    page.wait_for_timeout(300)
    n0 = bp.probe(page, "alerts")
    before = bp.now(page)
    form.get_by_role("button", name="Check").click()
    t0 = bp.input_time(page, before)
    try:
        alert = bp.wait_change(page, "alerts", None, n0)
    except Exception as e:
        shot = Path(tempfile.gettempdir()) / f"bench-check-{path}-{seed}.png"
        page.screenshot(path=str(shot), full_page=True)
        raise RuntimeError(f"no feedback after Check on /{path}?seed={seed} ({n0} alerts before); see {shot}") from e
    settled = bp.settle(page, since=t0)
    received, finished = bp.received_until_finished(page, t0)
    return {"alert_painted": alert["painted"] - t0, "settled": settled - t0,
            "script_finished": (finished - t0) if finished else None, "kb": received / 1024}


def slider_redraw(page, url: str, path: str = "gradients") -> dict:
    bp.loaded(page, f"{url}/{path}")
    thumb = page.locator('[data-testid="stSlider"] input[type="range"]').first
    thumb.focus()
    page.wait_for_timeout(300)
    sig0 = bp.probe(page, "chart", 0)
    before = bp.now(page)
    thumb.press("ArrowRight")
    t0 = bp.input_time(page, before, "keydown")
    changed = bp.wait_change(page, "chart", 0, sig0)
    settled = bp.settle(page, since=t0)
    received, finished = bp.received_until_finished(page, t0)
    return {"chart_painted": changed["painted"] - t0, "settled": settled - t0,
            "script_finished": (finished - t0) if finished else None, "kb": received / 1024}


def rss_over_reruns(page, url: str, pid: int, reruns: int) -> list[tuple[int, float]]:
    """(reruns so far, server RSS in MB) every quarter of `reruns` Check clicks on /forward."""
    bp.loaded(page, f"{url}/forward")
    form = page.locator('[data-testid="stForm"]').first
    samples = [(0, rss_mb(pid))]
    for i in range(1, reruns + 1):
        if i % 50 == 0:  # a fresh document now and then keeps the page's own record small
            bp.loaded(page, f"{url}/forward")
            form = page.locator('[data-testid="stForm"]').first
        before = bp.now(page)
        form.get_by_role("button", name="Check").click()
        bp.settle(page, since=bp.input_time(page, before))
        if i % max(1, reruns // 4) == 0 or i == reruns:
            samples.append((i, rss_mb(pid)))
    return samples


# ---------------------------------------------------------------------------------------------- runner


def _median_rows(name: str, runs: list[dict], target: str | None = None,
                 versus: list[dict] | None = None) -> list[dict]:
    """One row per measured quantity: the median of `runs`, with the median of `versus` (the other server of an
    A/B run) as its baseline, so the ratio column says how many times faster this one is."""
    out = []
    for key in runs[0]:
        vals = [r[key] for r in runs if r.get(key) is not None]
        if not vals:
            continue
        other = [r[key] for r in versus or [] if r.get(key) is not None]
        unit = "KB" if key == "kb" else "ms"
        spread = f"min {min(vals):.0f}, max {max(vals):.0f}" if unit == "ms" else None
        out.append(result(f"{name}: {key}", statistics.median(vals), unit,
                          statistics.median(other) if other else None,
                          target=(target if key in ("settled", "alert_painted", "chart_painted") else None) or spread))
    return out


@dataclass
class Target:
    """One server being measured: its URL, its process, and a browser tab of its own."""

    label: str
    url: str
    pid: int
    app: Path = ROOT
    page: object = None

    def pages(self) -> dict:
        """The pages this server's app registers (an older checkout may have fewer)."""
        return registered_pages(self.app / "streamlit_app.py")


def _interleaved(targets: list[Target], name: str, fn, repeat: int, target: str | None = None) -> list[dict]:
    """fn(target, i) once unrecorded per server, then `repeat` times, the servers taking turns (so a busy moment
    of a shared machine falls on both); rows of the first server, the second's medians as baselines."""
    def run(t: Target, i: int) -> dict:
        t.page.bring_to_front()  # a background tab gets no animation frames: "settled" would wait for them
        return fn(t, i)

    for t in targets:
        run(t, -1)
    runs: dict[str, list[dict]] = {t.label: [] for t in targets}
    for i in range(repeat):
        for t in targets:
            runs[t.label].append(run(t, i))
    versus = runs[targets[1].label] if len(targets) > 1 else None
    return _median_rows(name, runs[targets[0].label], target, versus)


def measure(targets: list[Target], repeat: int, rss: int, only: str = "") -> list[dict]:
    from playwright.sync_api import sync_playwright

    registered = {t.label: t.pages() for t in targets}  # an older checkout may have fewer pages
    pages = registered[targets[0].label]
    want = (lambda kind: kind in only) if only else (lambda kind: True)
    rows = [result("load_average_1min_at_start", os.getloadavg()[0], ""), result("repeats", repeat, "")]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_FLAGS)
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        for t in targets:
            t.page = ctx.new_page()
            bp.instrument(t.page)
            for entry in registered[t.label].values():  # warm-up: imports, st.cache_*, the compiled kernels
                bp.loaded(t.page, f"{t.url}/{entry.url_path}")
        if want("paint"):
            rows += _interleaved(targets, "first paint of Home (new context)",
                                 lambda t, i: first_paint_home(browser, t.url), repeat)
        for _, entry in sorted(pages.items()) if want("switch") else []:
            start = "learn" if entry.default else ""
            having = [t for t in targets if any(e.url_path == entry.url_path for e in registered[t.label].values())]
            rows += _interleaved(having, f"switch to {entry.title} (/{entry.url_path})",  # no baseline: a new page
                                 lambda t, i, e=entry, s=start: page_switch(t.page, t.url, e.title, s), repeat,
                                 TARGETS["switch"])
        seeds = fresh_seeds(repeat + 1)
        for path in ("forward", "bptt") if want("check") else ():
            rows += _interleaved(targets, f"Check -> feedback on /{path}",
                                 lambda t, i, p=path: check_click(t.page, t.url, p, seeds[i]), repeat, TARGETS["check"])
        if want("slider"):
            rows += _interleaved(targets, "slider -> chart on /gradients", lambda t, i: slider_redraw(t.page, t.url),
                                 repeat, TARGETS["slider"])
        for t in targets if rss else []:
            t.page.bring_to_front()
            for n, mb in rss_over_reruns(t.page, t.url, t.pid, rss):
                rows.append(result(f"[{t.label}] server RSS after {n} Check reruns", mb, "MB"))
        ctx.close()
        browser.close()
    rows.append(result("load_average_1min_at_end", os.getloadavg()[0], ""))
    return rows


def main(argv: list[str] | None = None) -> int:
    from bench.__main__ import table

    ap = argparse.ArgumentParser(prog="python -m bench browser", description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--app", type=Path, default=ROOT, help="the app folder to serve (default: this checkout)")
    ap.add_argument("--server-arg", action="append", default=[], help="passed to `streamlit run`")
    ap.add_argument("--vs", type=Path, help="A/B: a second app folder, measured in turns with the first")
    ap.add_argument("--vs-server-arg", action="append", default=[], help="A/B: options of the second server")
    ap.add_argument("--rss", type=int, default=0, help="also sample the server's memory over this many reruns")
    ap.add_argument("--only", default="", help="measures whose name holds this: paint, switch, check, slider")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if find_chromium() is None:
        print("no chromium on PATH: install Debian's chromium to run the browser benchmark")
        return 1
    ab = args.vs is not None or bool(args.vs_server_arg)
    with contextlib.ExitStack() as stack:
        targets = [Target("A", *stack.enter_context(server(args.app, args.server_arg)), app=args.app)]
        if ab:
            targets.append(Target("B", *stack.enter_context(server(args.vs or args.app, args.vs_server_arg)),
                                  app=args.vs or args.app))
        rows = measure(targets, args.repeat, args.rss, args.only)
    head = [result(f"A: {args.app} {' '.join(args.server_arg)}".rstrip(), 0, "")]
    if ab:
        head.append(result(f"B (baseline): {args.vs or args.app} {' '.join(args.vs_server_arg)}".rstrip(), 0, ""))
    results = {r["name"]: {k: r.get(k) for k in ("value", "unit", "baseline", "ratio", "target")} for r in head + rows}
    print(json.dumps(results, indent=2) if args.json else table(results))
    return 0
