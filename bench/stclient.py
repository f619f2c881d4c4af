"""A browserless Streamlit client speaking the app's own websocket protocol (checked against Streamlit 1.67), for
load tests: one `Session` is one browser tab, and many share one asyncio loop.

What the frontend does, and this client does the same:
- It connects to `ws://host:port/<base>/_stcore/stream` with subprotocol "streamlit". Without an Origin header
  no cookie or XSRF token is needed (the token is only checked, with an Origin, to trust the st.login cookie).
  Frames are binary protobuf: ForwardMsg from the server, BackMsg to it.
- Nothing runs until it sends `BackMsg.rerun_script`. A run is `new_session`, `navigation`, `delta`s, maybe
  `page_info_changed` (the app set st.query_params) and `script_finished`; FINISHED_EARLY_FOR_RERUN (st.rerun)
  means another run follows. `runner.fastReruns` stops a run when the next rerun arrives, so send one at a time.
- The first rerun of a deep link sends `page_name` = the URL path; later ones the page's hash (from
  `navigation`). Every rerun carries *all* current widget values: a widget's value is its proto default when
  first seen, the proto's value when the server sets it (`set_value`), else what was typed. A widget a full
  run no longer draws is forgotten. Radio and selectbox values are the formatted option, as string_value.
- Typing into a widget inside an st.form sends nothing; the form's submit button sends one rerun with the
  staged values and `trigger_value = true` for the button. The app's on_click callbacks (check_group saving
  the answers) run before the script, so `script_finished` means the answers are committed.
- It lists the messages it cached (`cached_message_hashes`); the server then sends `ref_hash` instead of a
  large message (>= 10 kB) it has sent before.
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

STREAM_PATH = "_stcore/stream"
TRIGGERS = {"button", "download_button", "chat_input"}  # a value sent once, never kept
TEXT = {"markdown": "body", "alert": "body", "heading": "body", "caption": "body", "exception": "message",
        "metric": "body", "text": "body"}
CONTEXT = {"timezone": "UTC", "timezone_offset": 0, "locale": "en-US", "is_embedded": False, "color_scheme": "light"}


class ProtocolError(RuntimeError):
    pass


@dataclass
class Element:
    """One element or block of a run, at its delta path."""

    path: tuple[int, ...]
    type: str  # "text_input", "alert", ..., or "block:<kind>" ("block:form")
    widget_id: str = ""
    form_id: str = ""  # a widget's form, or the form block a non-widget sits in
    text: str = ""  # markdown, alert ("[success] ..."), heading, exception... text
    script_hash: str = ""  # the script (main or page) that drew it
    proto: object = field(default=None, repr=False)


@dataclass
class Run:
    """What one rerun produced: seconds from sending the BackMsg to script_finished, bytes, the page."""

    elapsed: float
    nbytes: int
    elements: list[Element]
    status: str
    exceptions: list[str]

    def forms(self) -> list[str]:
        return [e.form_id for e in self.elements if e.type == "block:form"]

    def form_with(self, widget_suffix: str) -> str:
        """The form holding a widget whose id ends with `widget_suffix` (a page may hold several forms)."""
        return next(e.form_id for e in self.elements if e.widget_id and e.form_id and
                    e.widget_id.endswith(widget_suffix))

    def form_widgets(self, form_id: str, type_: str | None = None) -> list[Element]:
        return [e for e in self.elements if e.widget_id and e.form_id == form_id and (not type_ or e.type == type_)]

    def alerts(self) -> list[str]:
        return [e.text for e in self.elements if e.type == "alert"]


def stream_url(url: str) -> str:
    """ws(s)://host:port/<base>/_stcore/stream for an app address such as http://127.0.0.1:8501."""
    parts = urlsplit(url if "://" in url else "http://" + url)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}/{STREAM_PATH}"


def _value_of(el: Element, set_value: bool) -> WidgetState | None:
    """The state the frontend derives from a widget's proto (None: no value, or a kind not modelled here)."""
    p, t, ws = el.proto, el.type, WidgetState(id=el.widget_id)
    name = "value" if set_value else "default"
    if t in ("text_input", "text_area"):
        if p.DESCRIPTOR.fields_by_name[name].has_presence and not p.HasField(name):
            return None
        ws.string_value = getattr(p, name)
    elif t in ("checkbox", "toggle"):
        ws.bool_value = bool(getattr(p, name))
    elif t in ("radio", "selectbox"):  # 1.67: the formatted option, not its index
        if set_value:
            if not p.HasField("raw_value"):
                return None
            ws.string_value = p.raw_value
        elif p.HasField("default") and 0 <= p.default < len(p.options):
            ws.string_value = p.options[p.default]
        else:
            return None
    elif t == "number_input":
        if not p.HasField(name):
            return None
        if p.data_type == type(p).INT:
            ws.int_value = int(getattr(p, name))
        else:
            ws.double_value = getattr(p, name)
    elif t == "slider" and not p.options:
        ws.double_array_value.data.extend(list(p.value if set_value else p.default))
    else:
        return None
    return ws


class _Page:
    """Digests the ForwardMsgs of one run into elements; knows the session's pages and message cache."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self.by_path: dict[tuple[int, ...], Element] = {}
        self.forms: dict[tuple[int, ...], str] = {}
        self.run_id: str | None = None
        self.exceptions: list[str] = []

    def feed(self, fm: ForwardMsg) -> str | None:
        """Handle one message; the ScriptFinishedStatus name when the run is over."""
        s, kind = self.s, fm.WhichOneof("type")
        if kind == "ref_hash":  # a message we said we hold: its body from the cache, this message's metadata
            if fm.ref_hash not in s.cache:
                raise ProtocolError(f"the server referred to an uncached message {fm.ref_hash}")
            full = ForwardMsg()
            full.CopyFrom(s.cache[fm.ref_hash])
            full.metadata.CopyFrom(fm.metadata)
            fm, kind = full, full.WhichOneof("type")
        elif fm.metadata.cacheable and fm.hash:
            s.cache[fm.hash] = fm
        if kind == "new_session":
            self.run_id = fm.metadata.run.script_run_id
            self.by_path.clear()
            self.forms.clear()
            s.session_id = fm.new_session.initialize.session_id or s.session_id
            s.main_hash = fm.new_session.main_script_hash
        elif kind == "navigation":
            s.pages = {p.url_pathname: p.page_script_hash for p in fm.navigation.app_pages}
            s.page_hash = fm.navigation.page_script_hash
        elif kind == "page_info_changed":
            s.query_string = fm.page_info_changed.query_string
        elif kind == "page_not_found":
            self.exceptions.append(f"page not found: {fm.page_not_found.page_name!r}")
        elif kind == "delta":
            self._delta(fm)
        elif kind == "script_finished":
            if self.run_id is None or fm.metadata.run.script_run_id not in ("", self.run_id):
                return None  # the end of a run superseded by ours
            status = ForwardMsg.ScriptFinishedStatus.Name(fm.script_finished)
            if status == "FINISHED_EARLY_FOR_RERUN":  # st.rerun(): another run follows
                self.run_id = None
                return None
            return status
        return None

    def _delta(self, fm: ForwardMsg) -> None:
        path, d, ash = tuple(fm.metadata.delta_path), fm.delta, fm.metadata.active_script_hash
        for old in [k for k in self.by_path if len(k) > len(path) and k[:len(path)] == path]:
            del self.by_path[old]  # a new element at a path replaces the block that was there, children too
        if d.WhichOneof("type") == "add_block":
            kind = d.add_block.WhichOneof("type") or "block"
            el = Element(path, f"block:{kind}", script_hash=ash, proto=d.add_block)
            if kind == "form":
                el.form_id = self.forms[path] = d.add_block.form.form_id
            self.by_path[path] = el
            return
        if d.WhichOneof("type") != "new_element" or d.new_element.WhichOneof("type") is None:
            return  # transient elements (toasts) are not part of the page
        kind = d.new_element.WhichOneof("type")
        sub = getattr(d.new_element, kind)
        el = Element(path, kind, script_hash=ash, proto=sub)
        if kind not in ("markdown", "heading") and isinstance(getattr(sub, "id", None), str):
            el.widget_id, el.form_id = sub.id, getattr(sub, "form_id", "")
        if kind in TEXT:
            el.text = getattr(sub, TEXT[kind])
            if kind == "alert":
                el.text = f"[{type(sub).Format.Name(sub.format).lower()}] {el.text}"
            elif kind == "exception":
                self.exceptions.append(f"{sub.type}: {sub.message}")
        el.form_id = el.form_id or next((f for p, f in self.forms.items() if path[:len(p)] == p), "")
        self.by_path[path] = el

    def finish(self) -> list[Element]:
        """The page in order; the widgets' values updated as the frontend would, the ones not drawn dropped."""
        s, els = self.s, [self.by_path[k] for k in sorted(self.by_path)]
        drawn = {e.widget_id: e for e in els if e.widget_id}
        for wid, el in drawn.items():
            set_value = bool(getattr(el.proto, "set_value", False))
            if el.type not in TRIGGERS and (wid not in s.values or set_value):
                ws = _value_of(el, set_value)
                if ws is not None:
                    s.values[wid] = ws
        s.values = {w: v for w, v in s.values.items() if w in drawn}
        s.widgets = drawn
        return els


class Session:
    """One simulated browser tab (asyncio): connect, open a page, type into forms and submit them."""

    def __init__(self, url: str, *, timeout: float = 120.0) -> None:
        self.url, self.app_url, self.timeout = stream_url(url), url, timeout
        self.ws = None
        self.session_id = self.main_hash = self.page_hash = self.query_string = ""
        self.pages: dict[str, str] = {}  # url path -> page script hash
        self.values: dict[str, WidgetState] = {}  # committed widget values, sent with every rerun
        self.widgets: dict[str, Element] = {}  # widget id -> element, as last drawn
        self.cache: dict[str, ForwardMsg] = {}  # hash -> cacheable message

    async def connect(self) -> Session:
        # Charts can make frames large: no size cap; no pings (the server sends none either).
        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None, compression=None,
                                           open_timeout=30, ping_interval=None)
        if self.ws.subprotocol != "streamlit":
            raise ProtocolError(f"the server chose subprotocol {self.ws.subprotocol!r}")
        return self

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    def _rerun_msg(self, page_hash: str, page_name: str, states: list[WidgetState]) -> bytes:
        msg = BackMsg()
        rs = msg.rerun_script
        rs.query_string, rs.page_script_hash, rs.page_name = self.query_string, page_hash, page_name
        rs.widget_states.widgets.extend(states)
        rs.cached_message_hashes.extend(self.cache)
        for k, v in {**CONTEXT, "url": self.app_url}.items():  # what the browser reports for st.context
            setattr(rs.context_info, k, v)
        return msg.SerializeToString()

    async def _rerun(self, payload: bytes) -> Run:
        if self.ws is None:
            raise ProtocolError("not connected")
        page, nbytes, t0 = _Page(self), 0, time.perf_counter()
        await self.ws.send(payload)
        while True:
            left = t0 + self.timeout - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"no script_finished within {self.timeout:.0f} s")
            frame = await asyncio.wait_for(self.ws.recv(), left)
            if isinstance(frame, str):
                raise ProtocolError("a text frame from the server")
            nbytes += len(frame)
            fm = ForwardMsg()
            fm.ParseFromString(frame)
            status = page.feed(fm)
            if status is not None:
                elapsed = time.perf_counter() - t0
                return Run(elapsed, nbytes, page.finish(), status, page.exceptions)

    async def open(self, path: str, query_string: str = "") -> Run:
        """Open a page by its URL path ("/forward") with a query string (without "?"), as a link would."""
        self.query_string = query_string
        target = path.strip("/")
        if not self.pages:  # the first run: the server resolves the path, as for a deep link
            return await self._rerun(self._rerun_msg("", target, []))
        if target not in self.pages:
            raise KeyError(f"no page /{target}; known: {sorted(self.pages)}")
        main_only = [v for w, v in self.values.items() if self.widgets[w].script_hash == self.main_hash]
        return await self._rerun(self._rerun_msg(self.pages[target], "", main_only))

    async def submit(self, form_id: str, typed: dict[str, str]) -> Run:
        """Type {widget id: text} into a form and press its submit button: one rerun, as in the browser."""
        for wid, text in typed.items():
            if self.widgets[wid].form_id != form_id:
                raise KeyError(f"{wid} is not in form {form_id}")
            self.values[wid] = WidgetState(id=wid, string_value=text)
        button = next((w for w, e in self.widgets.items() if e.form_id == form_id and e.type == "button"
                       and getattr(e.proto, "is_form_submitter", False)), None)
        if button is None:
            raise KeyError(f"form {form_id} has no submit button")
        states = [*self.values.values(), WidgetState(id=button, trigger_value=True)]
        return await self._rerun(self._rerun_msg(self.page_hash, "", states))
