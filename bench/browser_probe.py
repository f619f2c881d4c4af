"""What the browser benchmark records inside the page: a WebSocket and DOM recorder, and "settled".

An init script (INIT_JS) runs in every document before Streamlit's own code and records, on the page's
clock (performance.now(), 0 = navigation start): every WebSocket message received (time, bytes and the
top-level protobuf field numbers, so 6 is script_finished and 5 a delta) and sent, the timestamps of
pointer and key events, and DOM mutation batches. The timestamps of a message are those of the renderer's
main thread dispatching it (Chromium's own network timestamps are the same to the millisecond), so a main
thread busy drawing charts stamps later messages late.

"Settled" (SETTLE_JS): a successful script_finished arrived after the action, no stSkeleton or
stStatusWidget is left, and every Vega chart on the page has drawn its SVG or canvas.

Adapted from the UI research prototype (scratch/ui-research/timing.py), trimmed to what bench/browser_timing.py
reports.
"""
from __future__ import annotations

# In the page, a ForwardMsg's top-level field 6 is script_finished, whose status 0 or 3 means the run finished
# successfully (streamlit/proto/ForwardMsg.proto: FINISHED_SUCCESSFULLY, FINISHED_FRAGMENT_RUN_SUCCESSFULLY).

INIT_JS = r"""
(() => {
  if (window.__stt) return;
  const T = window.__stt = {recv: [], sent: [], input: [], muts: [], h1: null, h1Paint: null};
  const now = () => performance.now();
  function scan(u8) {  // top-level fields of a protobuf message: [[field, varint or null], ...]
    const out = []; let i = 0;
    const varint = () => { let r = 0, s = 0, b;
      do { b = u8[i++]; r += (b & 0x7f) * 2 ** s; s += 7; } while (b & 0x80 && i < u8.length); return r; };
    while (i < u8.length) {
      const tag = varint(), f = Math.floor(tag / 8), w = tag & 7;
      if (w === 0) out.push([f, varint()]);
      else if (w === 2) { const n = varint(); out.push([f, null]); i += n; }
      else if (w === 1) { out.push([f, null]); i += 8; }
      else if (w === 5) { out.push([f, null]); i += 4; }
      else break;
    }
    return out;
  }
  const Native = window.WebSocket;
  class Recording extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (ev) => {
        const rec = {t: now(), n: 0, f: []};
        T.recv.push(rec);
        const d = ev.data;
        if (d instanceof ArrayBuffer) { rec.n = d.byteLength; rec.f = scan(new Uint8Array(d)); }
        else if (d instanceof Blob) {
          rec.n = d.size; d.arrayBuffer().then((b) => { rec.f = scan(new Uint8Array(b)); });
        }
        else { rec.n = String(d).length; }
      });
    }
    send(data) { T.sent.push({t: now(), n: data && (data.byteLength ?? data.size ?? String(data).length)});
                 return super.send(data); }
  }
  window.WebSocket = Recording;
  for (const type of ['pointerdown', 'click', 'keydown']) {
    document.addEventListener(type, (e) => T.input.push({type, t: e.timeStamp, at: now()}), true);
  }
  new MutationObserver(() => {
    const t = now();
    T.muts.push(t);
    if (T.h1 === null) {
      const h = document.querySelector('h1');
      if (h && h.getClientRects().length) {
        T.h1 = t;
        requestAnimationFrame(() => setTimeout(() => { T.h1Paint = now(); }, 0));
      }
    }
  }).observe(document, {subtree: true, childList: true, characterData: true, attributes: true,
                        attributeFilter: ['d', 'transform', 'data-testid', 'class']});
})();
"""

SETTLE_JS = r"""
async ({since, timeoutMs}) => {
  const T = window.__stt;
  const ok = () => {
    const finishedOk = (m) => m.t > since && m.f.some(([f, v]) => f === 6 && (v === 0 || v === 3));
    if (!T.recv.some(finishedOk)) return false;
    if (document.querySelector('[data-testid="stSkeleton"], [data-testid="stStatusWidget"]')) return false;
    const charts = document.querySelectorAll('[data-testid="stVegaLiteChart"]').length;
    const drawn = document.querySelectorAll(
      '[data-testid="stVegaLiteChart"] svg.marks, [data-testid="stVegaLiteChart"] canvas.marks').length;
    return charts <= drawn && !!document.querySelector('h1');
  };
  const t0 = performance.now();
  return await new Promise((resolve, reject) => {
    const tick = () => {
      if (ok()) resolve(performance.now());
      else if (performance.now() - t0 > timeoutMs) reject(new Error('not settled'));
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}
"""

PROBES_JS = r"""{
  alerts: () => document.querySelectorAll('[data-testid="stForm"] [data-testid="stAlert"]').length,
  chart: (i) => {
    const c = document.querySelectorAll('[data-testid="stVegaLiteChart"]')[i];
    const svg = c && c.querySelector('svg.marks');
    if (!svg) return null;
    const d = [...svg.querySelectorAll('path')].map((p) => p.getAttribute('d') || '');
    return d.length + ':' + d.join('|').length + ':' + d.slice(0, 60).map((x) => x.slice(0, 40)).join('');
  },
}"""

PROBE_JS = f"([name, arg]) => ({PROBES_JS})[name](arg)"

# Resolves when probe `name` no longer returns `initial`: when that was seen, and after the next paint.
WAIT_CHANGE_JS = f"""async ({{name, arg, initial, timeoutMs}}) => {{
  const probe = ({PROBES_JS})[name];
  return await new Promise((resolve, reject) => {{
    const t0 = performance.now();
    const tick = () => {{
      if (probe(arg) !== initial) {{
        const seen = performance.now();
        requestAnimationFrame(() => setTimeout(() => resolve({{seen, painted: performance.now()}}), 0));
      }} else if (performance.now() - t0 > timeoutMs) reject(new Error('no change: ' + name));
      else requestAnimationFrame(tick);
    }};
    tick();
  }});
}}"""


def instrument(page) -> None:
    """Install the recorder in every document this page loads from now on."""
    page.add_init_script(INIT_JS)


def now(page) -> float:
    return page.evaluate("() => performance.now()")


def settle(page, since: float, timeout_ms: int = 60_000) -> float:
    """Page time at which the page is settled after page time `since`."""
    return page.evaluate(SETTLE_JS, {"since": since, "timeoutMs": timeout_ms})


QUIET_JS = r"""
async ({quietMs, timeoutMs}) => {
  const T = window.__stt, t0 = performance.now();
  return await new Promise((resolve, reject) => {
    const tick = () => {
      const last = T.recv.length ? T.recv[T.recv.length - 1].t : 0;
      const busy = document.querySelector('[data-testid="stSkeleton"], [data-testid="stStatusWidget"]');
      if (!busy && performance.now() - last >= quietMs) resolve(performance.now());
      else if (performance.now() - t0 > timeoutMs) reject(new Error('never quiet'));
      else setTimeout(tick, 50);
    };
    tick();
  });
}
"""


def loaded(page, url: str, quiet_ms: int = 500) -> None:
    """Open url and wait until its runs are over: settled, then no message from the server for quiet_ms (a page can
    rerun once more after loading, e.g. when it writes its variant into the address bar)."""
    page.goto(url)
    settle(page, since=0)
    page.evaluate(QUIET_JS, {"quietMs": quiet_ms, "timeoutMs": 60_000})


def probe(page, name: str, arg=None):
    return page.evaluate(PROBE_JS, [name, arg])


def wait_change(page, name: str, arg, initial, timeout_ms: int = 60_000) -> dict:
    return page.evaluate(WAIT_CHANGE_JS, {"name": name, "arg": arg, "initial": initial, "timeoutMs": timeout_ms})


def input_time(page, after: float, kind: str = "click") -> float:
    """Page time of the first `kind` event recorded after page time `after` (filtered in the page: the record
    grows with every run, and sending it all to Python each time would make long runs quadratic)."""
    return page.evaluate("""([after, kind]) => window.__stt.input.find((i) => i.type === kind && i.at >= after).t""",
                         [after, kind])


def received_until_finished(page, t0: float) -> tuple[int, float | None]:
    """(bytes received, page time of script_finished) for the run that followed page time t0."""
    return tuple(page.evaluate("""(t0) => {
        let total = 0;
        for (const m of window.__stt.recv) {
          if (m.t < t0) continue;
          total += m.n;
          if (m.f.some(([f, v]) => f === 6 && (v === 0 || v === 3))) return [total, m.t];
        }
        return [total, null];
    }""", t0))
