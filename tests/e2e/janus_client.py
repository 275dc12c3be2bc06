"""Minimal Janus API clients for the end-to-end tests (HTTP long poll and WebSocket).

Both clients are synchronous and thread-based (no aiohttp on this machine):
requests go out on the caller's thread, server-originated events are collected
by a background reader into a queue that `wait_event` searches. Async callers
(aiortc tests) wrap calls in `asyncio.to_thread`.

The clients are deliberately thin: they build the Janus envelope, keep the
session/handle ids, and hand back the raw reply dicts so that tests can assert
the exact shapes the server sends.
"""

from __future__ import annotations

import json
import queue
import secrets
import string
import threading
import time
from typing import Any, Callable

import requests

Json = dict[str, Any]

# Direct replies to a request (never pushed as events). Everything else that
# arrives on the event channel (event, webrtcup, media, hangup, detached,
# timeout, slowlink, trickle, keepalive) is an event, even when it carries the
# transaction of the request that caused it (plugin `event`s do).
REPLY_KINDS = frozenset({"success", "error", "ack", "server_info", "pong"})


def new_transaction() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(12))


def ws_connect(url: str, subprotocols: list[str] | None = None, open_timeout: float = 5, **kwargs):
    """A synchronous WebSocket connection (websockets >= 12), without the deprecation
    warning that websockets 17 gives for connections not used as context managers."""
    import inspect

    from websockets.sync.client import connect

    if "legacy" in inspect.signature(connect).parameters:
        kwargs["legacy"] = True
    return connect(url, subprotocols=subprotocols, open_timeout=open_timeout, **kwargs)


class JanusError(Exception):
    """A request got a `janus: error` reply (or no usable reply)."""

    def __init__(self, reply: Json):
        self.reply = reply
        err = reply.get("error") or {}
        super().__init__(f"Janus error {err.get('code')}: {err.get('reason')} ({reply})")

    @property
    def code(self) -> int | None:
        return (self.reply.get("error") or {}).get("code")


class _EventLog:
    """Thread-safe store of received events; `wait` scans and blocks."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._events: list[Json] = []

    def push(self, event: Json) -> None:
        with self._cond:
            self._events.append(event)
            self._cond.notify_all()

    def all(self) -> list[Json]:
        with self._cond:
            return list(self._events)

    def wait(self, predicate: Callable[[Json], bool], timeout: float, start: int = 0) -> Json:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for ev in self._events[start:]:
                    if predicate(ev):
                        return ev
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"no matching Janus event within {timeout}s; received: {self._events}"
                    )
                self._cond.wait(remaining)


class JanusSessionBase:
    """What both transports share: verbs, id bookkeeping, event waiting."""

    session_id: int | None
    events: _EventLog

    # -- to be provided by the transport -------------------------------------------------
    def _request(self, body: Json, handle_id: int | None = None, session: bool = True,
                 timeout: float = 10) -> Json:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    # -- verbs -----------------------------------------------------------------------------
    def request(self, verb: str, handle_id: int | None = None, session: bool = True,
                timeout: float = 10, **fields: Any) -> Json:
        body = {"janus": verb, "transaction": new_transaction(), **fields}
        return self._request(body, handle_id=handle_id, session=session, timeout=timeout)

    def expect_ok(self, reply: Json, kinds: tuple[str, ...] = ("success",)) -> Json:
        if reply.get("janus") not in kinds:
            raise JanusError(reply)
        return reply

    def info(self) -> Json:
        return self.expect_ok(self.request("info", session=False), ("server_info",))

    def create(self) -> int:
        reply = self.expect_ok(self.request("create", session=False))
        self.session_id = int(reply["data"]["id"])
        self._on_session_created()
        return self.session_id

    def _on_session_created(self) -> None:
        pass

    def attach(self, plugin: str, opaque_id: str | None = None) -> int:
        fields: Json = {"plugin": plugin}
        if opaque_id is not None:
            fields["opaque_id"] = opaque_id
        reply = self.expect_ok(self.request("attach", **fields))
        return int(reply["data"]["id"])

    def keepalive(self) -> Json:
        return self.expect_ok(self.request("keepalive"), ("ack",))

    def message(self, handle_id: int, body: Json, jsep: Json | None = None) -> Json:
        fields: Json = {"body": body}
        if jsep is not None:
            fields["jsep"] = jsep
        return self.expect_ok(self.request("message", handle_id=handle_id, **fields),
                              ("ack", "success"))

    def trickle(self, handle_id: int, candidate: Json | None = None,
                candidates: list[Json] | None = None) -> Json:
        fields: Json = {}
        if candidates is not None:
            fields["candidates"] = candidates
        else:
            fields["candidate"] = candidate if candidate is not None else {"completed": True}
        return self.expect_ok(self.request("trickle", handle_id=handle_id, **fields), ("ack",))

    def hangup(self, handle_id: int) -> Json:
        return self.expect_ok(self.request("hangup", handle_id=handle_id))

    def detach(self, handle_id: int) -> Json:
        return self.expect_ok(self.request("detach", handle_id=handle_id))

    def destroy(self) -> Json:
        reply = self.expect_ok(self.request("destroy"))
        return reply

    # -- events ----------------------------------------------------------------------------
    def wait_event(self, predicate: Callable[[Json], bool], timeout: float = 10,
                   start: int = 0) -> Json:
        return self.events.wait(predicate, timeout, start)

    def wait_janus(self, kind: str, sender: int | None = None, timeout: float = 10) -> Json:
        def match(ev: Json) -> bool:
            return ev.get("janus") == kind and (sender is None or ev.get("sender") == sender)
        return self.wait_event(match, timeout)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class JanusHttpSession(JanusSessionBase):
    """Janus over HTTP: POST requests, events by long poll (`GET /janus/<sid>?maxev=10`)."""

    def __init__(self, base_url: str, poll_maxev: int = 10):
        self.base_url = base_url.rstrip("/")
        self.http = requests.Session()
        self.session_id = None
        self.events = _EventLog()
        self.poll_maxev = poll_maxev
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None
        self.poll_errors: list[str] = []

    def url(self, handle_id: int | None = None, session: bool = True) -> str:
        if not session or self.session_id is None:
            return self.base_url
        if handle_id is None:
            return f"{self.base_url}/{self.session_id}"
        return f"{self.base_url}/{self.session_id}/{handle_id}"

    def post_raw(self, path: str, data: bytes | str, timeout: float = 10) -> requests.Response:
        return self.http.post(self.base_url + path, data=data, timeout=timeout,
                              headers={"Content-Type": "application/json"})

    def _request(self, body: Json, handle_id: int | None = None, session: bool = True,
                 timeout: float = 10) -> Json:
        resp = self.http.post(self.url(handle_id, session), data=json.dumps(body), timeout=timeout,
                              headers={"Content-Type": "application/json"})
        if resp.status_code != 200:
            raise JanusError({"janus": "error", "error": {
                "code": None, "reason": f"HTTP {resp.status_code}: {resp.text[:200]}"}})
        return resp.json()

    def _on_session_created(self) -> None:
        self._poller = threading.Thread(target=self._poll_loop, name=f"janus-poll-{self.session_id}",
                                        daemon=True)
        self._poller.start()

    def _poll_loop(self) -> None:
        failures = 0
        while not self._stop.is_set():
            sid = self.session_id
            try:
                resp = self.http.get(f"{self.base_url}/{sid}",
                                     params={"rid": int(time.time() * 1000), "maxev": self.poll_maxev},
                                     timeout=45)
            except requests.RequestException as e:
                if self._stop.is_set():
                    return
                failures += 1
                self.poll_errors.append(repr(e))
                if failures >= 3:
                    return
                time.sleep(0.2)
                continue
            if resp.status_code == 404:
                # Session gone (destroyed or timed out): nothing more will come.
                return
            if resp.status_code != 200:
                self.poll_errors.append(f"HTTP {resp.status_code}")
                failures += 1
                if failures >= 3:
                    return
                continue
            failures = 0
            try:
                payload = resp.json()
            except ValueError:
                self.poll_errors.append(f"bad JSON in long poll: {resp.text[:200]}")
                continue
            for ev in payload if isinstance(payload, list) else [payload]:
                if isinstance(ev, dict) and ev.get("janus") != "keepalive":
                    self.events.push(ev)

    def close(self) -> None:
        self._stop.set()
        self.http.close()


class JanusWsSession(JanusSessionBase):
    """Janus over WebSocket (subprotocol `janus-protocol`); ids travel in the body."""

    def __init__(self, url: str, open_timeout: float = 5):
        self.ws = ws_connect(url, subprotocols=["janus-protocol"], open_timeout=open_timeout,
                             max_size=None)
        self.session_id = None
        self.events = _EventLog()
        self._replies: dict[str, "queue.Queue[Json]"] = {}
        self._lock = threading.Lock()
        self.unmatched: list[Json] = []
        self.closed = threading.Event()
        self._reader = threading.Thread(target=self._read_loop, name="janus-ws", daemon=True)
        self._reader.start()

    def _read_loop(self) -> None:
        try:
            for message in self.ws:
                try:
                    msg = json.loads(message)
                except ValueError:
                    self.unmatched.append({"unparseable": message})
                    continue
                if not isinstance(msg, dict):
                    self.unmatched.append({"not_object": msg})
                    continue
                slot = None
                if msg.get("janus") in REPLY_KINDS:
                    with self._lock:
                        slot = self._replies.pop(str(msg.get("transaction")), None)
                if slot is not None:
                    slot.put(msg)
                elif msg.get("janus") in REPLY_KINDS:
                    self.unmatched.append(msg)
                else:
                    self.events.push(msg)
        except Exception:  # connection closed or broken: the tests look at `closed`
            pass
        finally:
            self.closed.set()

    def _request(self, body: Json, handle_id: int | None = None, session: bool = True,
                 timeout: float = 10) -> Json:
        if session and self.session_id is not None:
            body.setdefault("session_id", self.session_id)
            if handle_id is not None:
                body.setdefault("handle_id", handle_id)
        slot: "queue.Queue[Json]" = queue.Queue()
        with self._lock:
            self._replies[body["transaction"]] = slot
        self.ws.send(json.dumps(body))
        try:
            return slot.get(timeout=timeout)
        except queue.Empty:
            with self._lock:
                self._replies.pop(body["transaction"], None)
            raise TimeoutError(f"no reply to {body} within {timeout}s") from None

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:
            pass
        self._reader.join(timeout=2)
