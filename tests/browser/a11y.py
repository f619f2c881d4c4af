"""axe-core in a Playwright page of the app: run it, and tell Streamlit's known faults from the app's own.

axe comes from npm, pinned by tests/a11y/package-lock.json (`cd tests/a11y && npm ci`; .ci/run does it); the
script is injected into the page (Playwright's add_script_tag) and `axe.run()` checks the whole document. Each
violation is a dict {"id", "impact", "help", "nodes": [{"target", "html", "data", "areas"}]}: `areas` are the
data-testid values of the node and its ancestors, nearest first, which say where on the page it is.

`EXCUSED` lists the only violations the tests let pass, each with the reason the app cannot fix it.
"""
from __future__ import annotations

import os
from pathlib import Path

from core.paths import ROOT

AXE_JS = ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")

# (rule, data-testid of an ancestor, themes it is excused in, why)
EXCUSED = [
    ("list", "stSidebarNav", ("light", "dark"),
     "Streamlit's page navigation puts its section headers straight inside its <ul>; the app only names the pages"),
    ("listitem", "stSidebarNav", ("light", "dark"),
     "the same navigation's <li> elements, in that <ul> (axe reports each one)"),
    ("color-contrast", "stSliderThumbValue", ("dark",),
     "a slider's value is drawn in primaryColor, which is also the background of buttons with white labels; on a "
     "dark background no colour reaches 4.5:1 both ways, and the buttons' labels are kept at 4.6:1"),
    ("color-contrast", "stButtonGroup", ("dark",),
     "a selected pill (st.pills) is drawn in primaryColor on its own tint: the same trade-off as the slider"),
]

_RUN_JS = """
async () => {
  const r = await window.axe.run(document, {resultTypes: ['violations']});
  const areas = (sel) => {
    let s = Array.isArray(sel) ? sel[0] : sel;
    if (Array.isArray(s)) s = s[0];
    let el = null;
    try { el = document.querySelector(s); } catch (e) { return []; }
    const out = [];
    for (; el; el = el.parentElement) {
      const id = el.getAttribute && el.getAttribute('data-testid');
      if (id) out.push(id);
    }
    return out;
  };
  return r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({
      target: n.target, html: n.html.slice(0, 200), areas: areas(n.target),
      data: (n.any.concat(n.all, n.none).find((c) => c.data && typeof c.data === 'object') || {}).data || null,
    })),
  }));
}
"""


def axe_path() -> Path:
    return Path(os.environ.get("AXE_JS") or AXE_JS)


def run_axe(page) -> list[dict]:
    """Every axe violation on the page as it is now (axe is injected once per document)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_path()))
    return page.evaluate(_RUN_JS)


def excuse(rule: str, areas: list[str], theme: str) -> str | None:
    """Why this violation is let pass (see EXCUSED), or None when it is the app's to fix."""
    for r, area, themes, why in EXCUSED:
        if r == rule and area in areas and theme in themes:
            return why
    return None


def split(violations: list[dict], theme: str) -> tuple[list[dict], list[dict]]:
    """(serious or critical nodes the app must fix, the excused ones), each node as {"rule", "impact", ...}."""
    failing, excused = [], []
    for v in violations:
        if v["impact"] not in SERIOUS:
            continue
        for n in v["nodes"]:
            node = {"rule": v["id"], "impact": v["impact"], "help": v["help"], **n}
            (excused if excuse(v["id"], n["areas"], theme) else failing).append(node)
    return failing, excused


def describe(nodes: list[dict]) -> str:
    """One line per node: rule, impact, nearest test ids, the element, and the colours for a contrast failure."""
    lines = []
    for n in nodes:
        d = n.get("data") or {}
        colours = (f" [{d.get('fgColor')} on {d.get('bgColor')}: {d.get('contrastRatio')}:1, needs "
                   f"{d.get('expectedContrastRatio')}]" if "contrastRatio" in d else "")
        lines.append(f"{n['rule']} ({n['impact']}) in {'/'.join(n['areas'][:3]) or 'page'}: {n['html'][:120]}{colours}")
    return "\n".join(lines)
