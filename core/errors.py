"""The project's two error types: ContentError for a problem in a content file, StoreError for the progress store."""
from __future__ import annotations

from pathlib import Path

from core.paths import display_path


class ContentError(ValueError):
    """A problem in a content file: which file, where in it (a key such as `block[2].quantity[3].hints`, or a
    quiz question), and what is wrong. The same signature for every kind of content file."""

    def __init__(self, file: Path | str, problem: str, where: str | None = None):
        self.file = display_path(file)
        self.problem = problem
        self.where = where
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.problem}" if self.where else f"{self.file}: {self.problem}"


class StoreError(Exception):
    """A store operation failed; the message says what and is fit to show a learner."""
