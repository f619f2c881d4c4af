"""Who is learning, on every page: personal mode (profiles of this computer) or class mode (signed-in accounts).

- **Personal mode** (the default, nothing to configure): a learner picks or types a name on Home; the name
  lives in session state and in the address (`?learner=Ana`, put back on every page, so a reload, a page
  switch, a bookmark or a server restart keeps it). A visitor without a name is a guest of this browser
  session only (a random token in session state); choosing a name keeps the guest's work.
- **Class mode** (an `[auth]` section in .streamlit/secrets.toml): learners sign in with the school's OpenID
  Connect provider through st.login; a learner is their subject id from the provider, shown by e-mail.
  Nobody types a name, `?learner=` is ignored, and a visitor who is not signed in sees only Home with the
  sign-in button. Instructors are named by e-mail in `[class] instructors = [...]` (secrets) or in
  RNN_TUTOR_INSTRUCTORS (comma-separated).
"""
from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta

import streamlit as st

from core.formatting import md_escape
from core.progress import Learner, StoreError, account, guest, profile

PROFILE_KEY = "rnn_profile"  # session state: the chosen profile's name (personal mode)
GUEST_KEY = "rnn_guest"  # session state: this session's guest token (personal mode)
GUEST_DAYS = 1  # a guest untouched this long is purged when a server starts
log = logging.getLogger(__name__)


def _secrets() -> dict:
    """The secrets file's contents, or {} when there is none (never an error for a personal install)."""
    try:
        return st.secrets.to_dict() if st.secrets.load_if_toml_exists() else {}
    except Exception as exc:  # noqa: BLE001 - a broken secrets file must not take the app down
        log.warning("cannot read the secrets file: %s", exc)
        return {}


def class_mode() -> bool:
    """True when sign-in is configured (an [auth] section): a shared class server."""
    return isinstance(_secrets().get("auth"), dict)


def instructors() -> frozenset[str]:
    """The instructors' e-mail addresses, lower-cased, from [class] instructors and RNN_TUTOR_INSTRUCTORS."""
    named = _secrets().get("class", {}).get("instructors", []) if isinstance(_secrets().get("class"), dict) else []
    named = list(named) if isinstance(named, list | tuple) else []
    named += (os.environ.get("RNN_TUTOR_INSTRUCTORS") or "").split(",")
    return frozenset(e.strip().lower() for e in named if isinstance(e, str) and e.strip())


def _signed_in() -> Learner | None:
    user = st.user
    if not user.get("is_logged_in"):
        return None
    try:
        return account(user.get("iss") or "", user.get("sub") or "", user.get("email"), user.get("name"))
    except ValueError as exc:
        log.warning("sign-in without a usable subject: %s", exc)
        return None


def current() -> Learner | None:
    """The learner answers are saved for: the signed-in account, the chosen profile, or None (a guest so far)."""
    if class_mode():
        return _signed_in()
    name = st.session_state.get(PROFILE_KEY)
    if not name:
        raw = st.query_params.get("learner")
        if raw:
            try:
                name = profile(raw).display  # a bookmark or a reload brings the learner back
            except ValueError:
                name = None
            st.session_state[PROFILE_KEY] = name
    return profile(name) if name else None


def active() -> Learner:
    """The learner to save for: the current one, else this session's guest (made on first use)."""
    who = current()
    if who is not None:
        return who
    if GUEST_KEY not in st.session_state:
        st.session_state[GUEST_KEY] = guest().key.split(":", 1)[1]
    return guest(st.session_state[GUEST_KEY])


def is_guest() -> bool:
    return current() is None and not class_mode()


def is_instructor() -> bool:
    """Instructors open the class view: in class mode the configured e-mails; on a personal install, its owner."""
    if not class_mode():
        return True
    who = current()
    return who is not None and (who.email or "").lower() in instructors()


def choose_profile(name: str) -> Learner:
    """Switch to the profile `name` (ValueError with a reason); a guest's work so far moves to it."""
    from ui.progress import get_store

    who = profile(name)
    store = get_store()
    try:
        who = store.ensure_learner(who)
        if GUEST_KEY in st.session_state:
            moved = store.adopt_guest(guest(st.session_state[GUEST_KEY]), who)
            if moved:
                st.session_state["rnn_adopted"] = moved
    except StoreError:
        pass  # the name still works for this session; saving will show the store's problem
    st.session_state.pop(GUEST_KEY, None)
    st.session_state[PROFILE_KEY] = who.display
    st.query_params["learner"] = who.display
    return who


def leave_profile() -> None:
    """Back to being a guest of this session (personal mode)."""
    st.session_state.pop(PROFILE_KEY, None)
    st.query_params.pop("learner", None)


def keep_in_address() -> None:
    """Put the profile in the address on every page, so a reload or a bookmark keeps it (personal mode)."""
    if class_mode():
        if "learner" in st.query_params:
            st.query_params.pop("learner")  # it names nobody in class mode: do not let it look as if it did
        return
    who = current()
    if who is not None and st.query_params.get("learner") != who.display:
        st.query_params["learner"] = who.display


def purge_old_guests_once() -> None:
    """Delete guests untouched for GUEST_DAYS, once per server process."""
    _purge(datetime.now(UTC).date().isoformat())


@st.cache_resource(show_spinner=False)
def _purge(day: str) -> int:
    from ui.progress import get_store

    try:
        return get_store().purge_guests(datetime.now(UTC) - timedelta(days=GUEST_DAYS))
    except StoreError as exc:
        log.warning("could not purge old guests: %s", exc)
        return 0


def caption() -> None:
    """One line saying whose progress this is."""
    who = current()
    if who is not None:
        st.caption(f"Saving progress for **{md_escape(who.display)}**.")
    elif class_mode():
        st.caption("Sign in on Home to save your progress.")
    else:
        st.caption("You are a **guest**: your answers are kept in this browser tab only. Choose a name on Home to "
                   "keep them.")


def sidebar() -> None:
    """Who is learning, in the sidebar of every page, with the way to switch or sign out."""
    with st.sidebar:
        who = current()
        if class_mode():
            if who is None:
                st.caption("Not signed in.")
                return
            st.caption(f"Signed in as **{md_escape(who.display)}**")
            if st.button("Sign out", key="identity_sign_out", icon=":material/logout:"):
                st.logout()
            return
        if who is None:
            st.caption("Working as a **guest** (this tab only).")
        else:
            st.caption(f"Learning as **{md_escape(who.display)}**")
        st.page_link("pages/home.py", label="Switch learner" if who else "Choose your name",
                     icon=":material/person:")


def _provider() -> str | None:
    """The provider st.login should use: the [auth] section's own, else its first named [auth.<name>]."""
    auth = _secrets().get("auth", {})
    if "client_id" in auth:
        return None
    return next((name for name, value in auth.items() if isinstance(value, dict)), None)


def learner_box() -> None:
    """Home's section on who is learning: a name to choose (personal mode) or the sign-in button (class mode)."""
    from ui.progress import get_store

    if class_mode():
        _sign_in_box()
        return
    st.subheader("Who is learning?")
    moved = st.session_state.pop("rnn_adopted", 0)
    if moved:
        st.success(f"Your {moved} answer{'s' if moved != 1 else ''} as a guest {'are' if moved != 1 else 'is'} "
                   "now kept under your name.", icon=":material/check_circle:")
    who = current()
    if who is not None:
        st.success(f"Your progress is saved as **{md_escape(who.display)}** on this computer; the address bar "
                   "keeps the name, so a bookmark or a reload brings you back.", icon=":material/person:")
    else:
        st.markdown("You are a **guest**: your answers are kept in this browser tab only. Type a name to keep them "
                    "(no password: this is a profile of this computer), or pick your profile below.")
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    typed = c1.text_input("Your name", key="home_learner_input", max_chars=40, placeholder="e.g. Ana")
    if c2.button("Use this name", key="home_learner_save", type="primary"):
        try:
            choose_profile(typed)
            st.rerun()
        except ValueError as exc:
            st.error(str(exc))
    try:
        known = [i for i in get_store().learners() if who is None or i.name.casefold() != who.key][:6]
    except StoreError:
        known = []
    if known:
        st.caption("Profiles on this computer:")
        cols = st.columns(len(known))
        for k, (col, info) in enumerate(zip(cols, known, strict=True)):
            if col.button(f"Continue as {md_escape(info.name)}", key=f"home_continue_{k}",
                          help=f"{info.attempts} answers saved under this name"):
                choose_profile(info.name)
                st.rerun()
    if who is not None and st.button("Work as a guest instead", key="home_guest"):
        leave_profile()
        st.rerun()
    st.caption("Profiles are for your own computer. A class sharing one server signs in instead: see the README's "
               "class deployment.")


def _sign_in_box() -> None:
    who = current()
    if who is None:
        st.subheader("Sign in")
        st.markdown("This course runs on your school's server. Sign in with your school account to compute, check "
                    "and keep your progress. Other learners never see it; your instructors see every learner's "
                    "scores and answers in their class view, to help the class.")
        if st.button("Sign in with your school account", key="home_sign_in", type="primary",
                     icon=":material/login:"):
            st.login(_provider())
        return
    st.success(f"Signed in as **{md_escape(who.display)}**: your progress is saved under your school account.",
               icon=":material/person:")
