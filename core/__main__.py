"""Command line tools: `python -m core <command>`.

- `trace --text hello --hidden 3 --seed 0` prints the worked solution of a network as JSON;
- `content check` lists every problem in the lessons, quizzes and exercises (exit 1 if there is any);
- `recover FILE` merges what a damaged (set-aside) SQLite progress file still holds into the store;
- `schedule [--days N] [--seed S]`: one simulated learner's review schedule (core.review.simulate).
- `backup [--learner NAME|EMAIL] [--out FILE]` and `restore FILE [--learner NAME|EMAIL]`: the whole store's
  (or one learner's: a profile by name, a signed-in account by e-mail) progress as JSON, and back.

The store is the app's (RNN_TUTOR_DB_URL, else RNN_TUTOR_DATA, else data/), or --db URL. Problems are one
line on stderr with exit code 2, never a traceback.
"""
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
    rc = sub.add_parser("recover", help="bring back what a damaged SQLite progress file still holds")
    rc.add_argument("file", help="the damaged file, e.g. data/progress.db.corrupt-20261201-101500")
    rc.add_argument("--db", default=None, help="the store to add it to (default: the app's)")
    bk = sub.add_parser("backup", help="write the store's (or one learner's) progress as JSON")
    bk.add_argument("--learner", default=None,
                    help="a profile's name or an account's e-mail (default: everyone but guests)")
    bk.add_argument("--out", default=None, help="file to write (default: standard output)")
    bk.add_argument("--db", default=None, help="the store to read (default: the app's)")
    rs = sub.add_parser("restore", help="merge a backup into the store (all or nothing; what is there stays)")
    rs.add_argument("file", help="a file written by `python -m core backup`")
    rs.add_argument("--learner", default=None, help="restore this profile (name) or account (e-mail) only")
    rs.add_argument("--db", default=None, help="the store to restore into (default: the app's)")
    sc = sub.add_parser("schedule", help="simulate one learner's review schedule over days (FSRS, no browser)")
    sc.add_argument("--days", type=int, default=14, help="how many days (1 to 365)")
    sc.add_argument("--seed", type=int, default=0, help="seed of the simulated learner's successes")
    ct = sub.add_parser("content", help="tools for lesson and quiz authors")
    ct.add_argument("action", choices=["check"], help="check: validate every lesson and quiz file")
    ct.add_argument("--root", default=None, help="content folder (default: the repository's content/)")
    args = parser.parse_args(argv)
    if args.command == "content":
        return _content_check(args.root)
    if args.command == "schedule":
        if not 1 <= args.days <= 365 or args.seed < 0:
            parser.error("--days goes from 1 to 365 and --seed from 0")
        from core.review.simulate import report, simulate
        from core.review.skills import load_skills

        skills = load_skills()
        print(report(simulate(skills, args.days, args.seed), skills, args.days))
        return 0
    if args.command in ("recover", "backup", "restore"):
        return _progress_command(args)
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


def _progress_command(args) -> int:
    """recover, backup, restore: one line of result, or one line of error and exit code 2."""
    from pathlib import Path

    from core.errors import StoreError
    from core.progress import Store, recovery

    try:
        store = Store(args.db) if args.db else Store()
        if store.status != "ok" and args.command != "backup":
            raise StoreError(f"the store cannot be written ({store.where}): {store.notice}")
        if args.command == "recover":
            report = recovery.recover(Path(args.file), store)
            lost = sum(report.unreadable.values())
            print(f"recovered {report.read['attempts']} answers of {report.read['learners']} learners and "
                  f"{report.read['lesson_reads']} lesson marks ({lost} rows could not be read); added "
                  f"{report.merged.answers} answers and {report.merged.lessons} lesson marks, "
                  f"{report.merged.learners} new learners")
        elif args.command == "backup":
            text = recovery.backup(store, args.learner)
            if args.out:
                Path(args.out).write_text(text, encoding="utf-8")
                print(f"backup written to {args.out}", file=sys.stderr)
            else:
                print(text)
        else:
            result = recovery.restore(store, Path(args.file).read_text(encoding="utf-8"), args.learner)
            print(f"restored {result.answers} answers and {result.lessons} lesson marks, "
                  f"{result.learners} new learners (what was there already was kept)")
    except (StoreError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _skill_problems(folder, lessons: set[str]) -> list:
    """The skills file's problems (content/skills.toml against the exercises and lessons), if there is one."""
    from core.course.engine import load_all
    from core.errors import ContentError
    from core.review.skills import course_values, parse_skills, skill_problems

    path = folder / "skills.toml"
    if not path.exists():
        return []
    try:
        skills = parse_skills(path)
        return skill_problems(skills, course_values(load_all(folder / "exercises")), lessons, path)
    except ContentError as exc:
        return [exc]


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
    problems = list(content.problems) + _skill_problems(folder, {x.slug for x in content.lessons})
    for problem in problems:
        print(problem)
    n = len(problems)
    counts = f"{len(content.lessons)} lessons and {len(content.questions)} questions valid"
    if n:
        print(f"{n} problem{'s' if n != 1 else ''} found ({counts}).", file=sys.stderr)
        return 1
    print(f"OK: {counts}, no problems.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
