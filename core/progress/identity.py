"""Who a learner is to the progress store: a profile of this computer, a guest of one browser session, or a
signed-in account of a class server.

- A **profile** (personal mode) is a name typed on the learner's own computer; "Ana" and "ana" are one
  profile. Its key is the casefolded name, as in every earlier version of the store.
- A **guest** is a visitor of one browser session who has not chosen a name: a random 128-bit token only
  that session knows, so no other session can ever ask for a guest's answers. A guest keeps their work by
  choosing a name (Store.adopt_guest moves it to the profile); guests untouched for a day are purged.
- An **account** (class mode) is an identity from the school's OpenID Connect provider: the issuer and the
  stable subject id, never the e-mail address or the name, which can change. The key is a hash of both.

Keys never collide across kinds: a typed name may not start with "guest:" or "oidc:".
"""
from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass

from core.progress.attempt import MAX_NAME, normalize_learner

KINDS = ("profile", "guest", "account")
GUEST_NAME = "Guest"
MAX_EMAIL = 254
_RESERVED = ("guest:", "oidc:")
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class Learner:
    """A learner as the store knows them: the kind, a unique key, the name to show and (accounts) the e-mail."""

    kind: str  # one of KINDS
    key: str  # unique in the store: "ana", "guest:<32 hex>", "oidc:<32 hex>"
    display: str  # what screens and exports show
    email: str | None = None

    def __post_init__(self):
        assert self.kind in KINDS, f"unknown kind of learner {self.kind!r}"

    def __str__(self) -> str:
        return self.display


def profile(name: str) -> Learner:
    """The profile called `name` on this computer; ValueError with a reason a learner can act on."""
    name = normalize_learner(name)
    key = name.casefold()
    if key == GUEST_NAME.casefold():
        raise ValueError(f"“{GUEST_NAME}” is what a visitor without a name is called: pick a name of your own.")
    if key.startswith(_RESERVED):
        raise ValueError("A name may not start with “guest:” or “oidc:”: pick another one.")
    return Learner("profile", key, name)


def guest(token: str | None = None) -> Learner:
    """A guest of one browser session (a fresh random token unless one is given)."""
    token = uuid.uuid4().hex if token is None else token
    if not _TOKEN.match(token):
        raise ValueError("a guest token is 32 hexadecimal digits")
    return Learner("guest", f"guest:{token}", GUEST_NAME)


def account(issuer: str, subject: str, email: str | None = None, name: str | None = None) -> Learner:
    """The learner signed in as `subject` at `issuer`; shown by their e-mail (or name) from the provider."""
    if not isinstance(subject, str) or not subject.strip() or len(subject) > 255:
        raise ValueError("the provider gave no usable subject id (sub) for this sign-in")
    issuer = (issuer or "").strip()
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()[:32]
    email = email.strip()[:MAX_EMAIL] if isinstance(email, str) and email.strip() else None
    shown = email or (" ".join(name.split()) if isinstance(name, str) and name.strip() else "") or "Signed-in learner"
    shown = "".join(ch for ch in shown if ch.isprintable())[:MAX_NAME] or "Signed-in learner"
    return Learner("account", f"oidc:{digest}", shown, email)


def as_learner(learner: Learner | str) -> Learner:
    """A Learner, or a profile name (what earlier versions of the store took): Learner."""
    return learner if isinstance(learner, Learner) else profile(learner)
