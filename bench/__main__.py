"""Run every benchmark module bench/bench_*.py and print their numbers; `python -m bench <command>` runs one of
COMMANDS instead (a long run with its own options, e.g. `python -m bench load --help`).

Each module defines `benchmarks() -> list[dict]` with items {"name", "value", "unit", "baseline", "ratio"}
(`baseline` is the reference measured in the same run, or None; `ratio` = baseline / value, the speed-up).
Numbers are medians of repeated runs on this machine; they are reported in notes, never asserted in tests.
`python -m bench browser` runs the browser benchmark instead (bench/browser_timing.py).
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
# Commands: modules with main(argv) -> exit code, left out of the default run because they take minutes.
COMMANDS = {"load": "bench.bench_load", "browser": "bench.browser_timing"}  # long runs, own options


def collect(only: str | None = None) -> dict[str, dict]:
    results = {}
    for path in sorted(HERE.glob("bench_*.py")):
        if (only and only not in path.stem) or f"bench.{path.stem}" in COMMANDS.values():
            continue
        module = importlib.import_module(f"bench.{path.stem}")
        for item in module.benchmarks():
            results[item["name"]] = {k: item.get(k) for k in ("value", "unit", "baseline", "ratio", "target")}
    return results


def table(results: dict[str, dict]) -> str:
    def num(v):
        return "" if v is None else f"{v:.4g}"
    rows = [("benchmark", "value", "unit", "baseline", "ratio", "target")]
    rows += [(name, num(r["value"]), r["unit"] or "", num(r["baseline"]), num(r["ratio"]), r.get("target") or "")
             for name, r in results.items()]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in COMMANDS:
        return importlib.import_module(COMMANDS[argv[0]]).main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0],
                                     epilog=f"commands: {', '.join(COMMANDS)} (python -m bench <command> --help)")
    parser.add_argument("--json", action="store_true", help="print {name: {value, unit, baseline, ratio}}")
    parser.add_argument("--only", help="run only modules whose name contains this, e.g. core")
    args = parser.parse_args(argv)
    results = collect(args.only)
    if args.json:
        print(json.dumps({k: {x: v[x] for x in ("value", "unit", "baseline", "ratio")} for k, v in results.items()},
                         indent=2))
    else:
        print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
