"""Character vocabulary in order of first appearance, and one-hot encoding.

"hello" gives the vocabulary h, e, l, o (not sorted), matching the lecture's slide.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Vocab:
    """The characters of a text, each once, in the order they first appear."""

    chars: tuple[str, ...]

    @classmethod
    def from_text(cls, text: str) -> "Vocab":
        """Build the vocabulary of `text` (order of first appearance)."""
        return cls(tuple(dict.fromkeys(text)))

    @property
    def size(self) -> int:
        return len(self.chars)

    def index(self, ch: str) -> int:
        """Position of `ch` in the vocabulary; a clear error if it is not there."""
        try:
            return self.chars.index(ch)
        except ValueError:
            raise KeyError(f"character {ch!r} is not in the vocabulary {''.join(self.chars)!r}") from None

    def encode(self, text: str) -> np.ndarray:
        """Indices of the characters of `text`, shape (len(text),)."""
        return np.array([self.index(c) for c in text], dtype=np.intp)

    def decode(self, idx) -> str:
        return "".join(self.chars[int(i)] for i in idx)

    def one_hot(self, ch: str) -> np.ndarray:
        """One-hot column for one character, shape (V,)."""
        return one_hot(self.index(ch), self.size)


def one_hot(i: int, size: int) -> np.ndarray:
    """The i-th standard basis vector of length `size`, float64."""
    x = np.zeros(size)  # (V,)
    x[i] = 1.0
    return x


def split_inputs_targets(text: str) -> tuple[str, str]:
    """Inputs are text[:-1], targets text[1:]: each input character predicts the next one."""
    if len(text) < 2:
        raise ValueError("the text needs at least two characters: one input and the target after it")
    return text[:-1], text[1:]
