"""Command line: `python -m core trace --text hello --hidden 3 --seed 0` prints the worked solution as JSON;
`python -m core content check` lists every problem in the lessons and quizzes (exit 1 if there is any)."""
from __future__ import annotations

import argparse
import json
import sys

from core.rnn.network import worked_solution


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line and exit code 2, never a traceback or a usage dump
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(2)


def main(argv=None) -> int:
    parser = _Parser(prog="python -m core", description="RNN tutor tools")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    tr = sub.add_parser("trace", help="print the forward and backward pass of a seeded network as JSON")
    tr.add_argument("--text", default="hello", help="the training text (inputs text[:-1], targets text[1:])")
    tr.add_argument("--hidden", type=int, default=3, help="hidden size H")
    tr.add_argument("--seed", type=int, default=0, help="seed of the hand-friendly weights")
    tr.add_argument("--normal-init", action="store_true", help="scaled-normal weights instead of 2-decimal ones")
    tr.add_argument("--indent", type=int, default=None, help="pretty-print with this indent")
    ct = sub.add_parser("content", help="tools for lesson and quiz authors")
    ct.add_argument("action", choices=["check"], help="check: validate every lesson and quiz file")
    ct.add_argument("--root", default=None, help="content folder (default: the repository's content/)")
    args = parser.parse_args(argv)
    if args.command == "content":
        return _content_check(args.root)
    if args.command == "trace":
        if len(args.text) < 2:
            parser.error(f"--text needs at least two characters (got {len(args.text)})")
        if args.hidden <= 0:
            parser.error(f"--hidden must be a positive integer (got {args.hidden})")
        if args.hidden > 1024 or len(args.text) > 10_000:
            parser.error("--hidden is limited to 1024 and --text to 10000 characters")
        if args.seed < 0:
            parser.error(f"--seed must be zero or positive (got {args.seed})")
        out = worked_solution(args.text, args.hidden, args.seed, hand_friendly=not args.normal_init)
        print(json.dumps(out, indent=args.indent))
    return 0


def _content_check(root: str | None) -> int:
    """Print every content problem (file, question id, problem) and a count; 1 if there is any, else 0."""
    from pathlib import Path

    from core.course.content import load_content
    from core.paths import CONTENT_DIR

    folder = Path(root) if root else CONTENT_DIR
    if not folder.is_dir():
        print(f"error: {folder} is not a folder", file=sys.stderr)
        return 2
    content = load_content(folder)
    for problem in content.problems:
        print(problem)
    n = len(content.problems)
    counts = f"{len(content.lessons)} lessons and {len(content.questions)} questions valid"
    if n:
        print(f"{n} problem{'s' if n != 1 else ''} found ({counts}).", file=sys.stderr)
        return 1
    print(f"OK: {counts}, no problems.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
