"""The one error type for problems in content files (lessons, quizzes, exercises), with the file in the message."""
from __future__ import annotations

from pathlib import Path

from core.paths import display_path


class ContentError(ValueError):
    """A problem in a content file: which file, where in it (a key or a question), and what is wrong."""

    def __init__(self, file: Path | str, problem: str, where: str | None = None):
        self.file = display_path(file)
        self.problem = problem
        self.where = where
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.problem}" if self.where else f"{self.file}: {self.problem}"
