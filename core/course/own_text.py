"""A learner's own training text: what makes a text fit to compute by hand, and how its answers are stored.

The forward and BPTT exercises run on any short text (a name, "abba", "hey you"), not only "hello". A text
must have 2 to MAX_TEXT characters (so at most MAX_TEXT - 1 steps), 2 to MAX_DISTINCT different ones (the
vocabulary, so W_xh and the one-hot vectors stay small), and only letters, digits, spaces and a little
punctuation: its characters appear inside formulas and Markdown. `text_problem` says, in a sentence a learner
can act on, what is wrong with a text; `clean_text` first puts typed text in Unicode NFC form (so an "é" typed
as e + accent is one character).

The progress store keeps an answer's exercise id and seed, not its text, so answers on an own text are stored
under their own exercise id, `stored_exercise_id("forward_hello", "abba")` = "forward_hello/text:abba": they
never mix with the hello network's, and the dashboard can still say which text they were for.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

MAX_TEXT = 12  # characters of training text, so at most 11 steps
MAX_DISTINCT = 8  # different characters: the vocabulary size V, so W_xh is at most H x 8
TEXT_PUNCTUATION = " .,!?'-"  # besides letters and digits: characters that are safe inside Markdown and LaTeX
_STORED_ID_MAX = 80  # core.progress.attempt accepts exercise ids of at most 80 characters
_KEEP = re.compile(r"[A-Za-z0-9.\-]")  # characters a stored id may hold as they are


def _shown(text: str) -> str:
    return "‘" + text + "’"


def text_problem(text) -> str | None:
    """Why `text` cannot be an exercise's training text, as a sentence for the learner, or None."""
    if not isinstance(text, str) or not text:
        return f"Type a text of 2 to {MAX_TEXT} characters, for example a name or ‘abba’."
    controls = [c for c in text if unicodedata.category(c).startswith("C")]
    if controls:
        return ("The text contains a control character (a line break, a tab or an invisible character): use "
                f"letters, digits, spaces and {' '.join(TEXT_PUNCTUATION.strip())} only.")
    if len(text) < 2:
        return (f"The text {_shown(text)} has only one character: the network needs an input and the character "
                "after it, so type at least 2.")
    if len(text) > MAX_TEXT:
        return (f"The text has {len(text)} characters; by hand, {MAX_TEXT} at most ({MAX_TEXT - 1} steps). "
                "Try a shorter word.")
    distinct = len(set(text))
    if distinct < 2:
        return (f"The text {_shown(text)} uses only one distinct character, so there is nothing to predict: use at "
                "least two different characters.")
    if distinct > MAX_DISTINCT:
        return (f"The text {_shown(text)} has {distinct} different characters; at most {MAX_DISTINCT}, so the "
                "one-hot vectors and W_xh stay small enough to work with by hand.")
    bad = sorted({c for c in text if not (c.isalnum() or c in TEXT_PUNCTUATION)})
    if bad:
        return (f"The text may use letters, digits, spaces and {' '.join(TEXT_PUNCTUATION.strip())} only (it has "
                f"{' '.join(bad)}), because its characters appear in formulas.")
    return None


def clean_text(raw) -> tuple[str, str | None]:
    """(the text in NFC form, why it cannot be used or None), for text typed by a learner or read from a link."""
    text = unicodedata.normalize("NFC", raw) if isinstance(raw, str) else ""
    return text, text_problem(text)


def stored_exercise_id(exercise_id: str, text: str | None) -> str:
    """The exercise id answers are stored under: the exercise's own for its own text (None), else one per text.

    Letters and digits of ASCII, '.' and '-' are kept, a space becomes '_', any other character is written as
    its code point in brackets ("[e9]" for é); a text too long for that is named by a hash instead.
    """
    if text is None:
        return exercise_id
    enc = "".join(c if _KEEP.fullmatch(c) else "_" if c == " " else f"[{ord(c):x}]" for c in text)
    out = f"{exercise_id}/text:{enc}"
    if len(out) <= _STORED_ID_MAX:
        return out
    return f"{exercise_id}/sha1:{hashlib.sha1(text.encode('utf-8')).hexdigest()[:20]}"


def split_stored_id(stored: str) -> tuple[str, str | None]:
    """(exercise id, text) of a stored exercise id: text None for the exercise's own text, "" for a hashed one."""
    base, sep, rest = stored.partition("/")
    if not sep:
        return base, None
    if not rest.startswith("text:"):
        return base, ""
    text = re.sub(r"\[([0-9a-f]+)\]", lambda m: chr(int(m.group(1), 16)), rest[5:].replace("_", " "))
    return base, text
