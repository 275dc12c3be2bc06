"""The SFU as a Swift library (issue 6): two `SFUServer`s in one process stay apart, and a
room driven only through the programmatic API is seen by real peers.

* `sfu-embed-pair` (Tests/EmbedPair) hosts two servers in one process, each with its own
  room made through the room API; an aiortc publisher + subscriber in each.
* `twin-daemon` (Examples/TwinDaemon) embeds the SFU beside an HTTP endpoint of its own; its
  `POST /rooms/<id>/kick/<participant>` (the programmatic `kick`) removes an aiortc publisher,
  which gets the Janus events on the wire while its media stops.

Only for our server: with SFU_E2E_SERVER=janus these are skipped (nothing to embed).
Binaries: .build/release/{sfu-embed-pair,twin-daemon}, or SFU_EMBED_PAIR_BIN / TWIN_DAEMON_BIN.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from conftest import ARTIFACTS, REPO_ROOT, _die_with_parent, server_kind
from videoroom import AiortcPublisher, AiortcSubscriber, VideoRoomHandle, plugin_data

pytestmark = pytest.mark.timeout(60)


def _binary(env: str, name: str) -> str:
    if server_kind() != "swift":
        pytest.skip("embedding tests run against our library only")
    path = os.environ.get(env, str(REPO_ROOT / ".build" / "release" / name))
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.skip(f"{name} not found at {path} (swift build -c release --product {name})")
    return path


class LineProcess:
    """A child process whose stdout lines are collected by a thread; stderr goes to a log."""

    def __init__(self, argv: list[str], log_name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.log_path = ARTIFACTS / f"{log_name}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
        self._log = open(self.log_path, "ab", buffering=0)
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._log, text=True, bufsize=1,
                                     preexec_fn=_die_with_parent)
        self.lines: list[str] = []
        self._new = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._new:
                self.lines.append(line.rstrip("\n"))
                self._new.notify_all()

    def wait_line(self, pattern: str, timeout: float = 20) -> re.Match:
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        with self._new:
            while True:
                for line in self.lines:
                    if m := regex.search(line):
                        return m
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise AssertionError(f"no line matching {pattern!r} in {timeout}s "
                                         f"(exit {self.proc.poll()}): {self.lines[-20:]}\n"
                                         f"log: {self.log_tail()}")
                self._new.wait(min(left, 0.2))

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._log.close()
        return self.proc.returncode


def _events(pair: LineProcess, server: int) -> list[dict]:
    prefix = f"event {server} "
    return [json.loads(line[len(prefix):]) for line in list(pair.lines) if line.startswith(prefix)]


async def _wait_frames(sub: AiortcSubscriber, more: int, timeout: float, what: str) -> None:
    start = sum(s.frames for s in sub.stats.values() if s.kind == "video")
    await sub.wait_until(
        lambda: sum(s.frames for s in sub.stats.values() if s.kind == "video") >= start + more,
        timeout, what)


def test_embedding_two_servers_in_one_process(test_address: str) -> None:
    pair = LineProcess([_binary("SFU_EMBED_PAIR_BIN", "sfu-embed-pair"), "--ice-address", test_address,
                        "--room", "7000"], "embed-pair")
    try:
        ready = {n: pair.wait_line(rf"^ready {n} http=(\d+) ws=(\d+) media=(\S+) room=(\d+)$") for n in (1, 2)}
        http = {n: f"http://{test_address}:{m.group(1)}/janus" for n, m in ready.items()}
        ws = {n: f"ws://{test_address}:{m.group(2)}/" for n, m in ready.items()}
        room = {n: int(m.group(4)) for n, m in ready.items()}
        assert room == {1: 7001, 2: 7002}, room
        assert ready[1].group(1) != ready[2].group(1) and ready[1].group(3) != ready[2].group(3)

        async def run() -> None:
            pubs = {n: AiortcPublisher(ws[n], room[n], f"pub-{n}", colour_index=n - 1) for n in (1, 2)}
            subs = {n: AiortcSubscriber(http[n], room[n]) for n in (1, 2)}
            admin = {n: await asyncio.to_thread(VideoRoomHandle, http[n]) for n in (1, 2)}
            try:
                for n in (1, 2):
                    await pubs[n].start()
                    await subs[n].start([{"feed": pubs[n].id}])
                # Each subscriber decodes its own server's publisher (its colour), nothing else.
                for n in (1, 2):
                    await _wait_frames(subs[n], 15, 20, f"video on server {n}")
                    colours = {c for s in subs[n].stats.values() for c, k in s.colours.items() if k > 0}
                    assert colours == {n - 1}, (n, subs[n].summary())

                # Rooms and participants: each server lists only its own.
                for n, other in ((1, 2), (2, 1)):
                    listed = [r["room"] for r in (await asyncio.to_thread(
                        admin[n].sync, {"request": "list"}))["list"]]
                    assert room[n] in listed and room[other] not in listed, (n, listed)
                    exists = await asyncio.to_thread(admin[n].sync, {"request": "exists", "room": room[other]})
                    assert exists["exists"] is False, exists
                    parts = await asyncio.to_thread(
                        admin[n].sync, {"request": "listparticipants", "room": room[n]})
                    assert [p["id"] for p in parts["participants"]] == [pubs[n].id], parts

                # Events are tagged to the server they happened on.
                for n, other in ((1, 2), (2, 1)):
                    events = _events(pair, n)
                    joined = [e for e in events if e["event"] == "participant_joined"]
                    assert [(e["room"], e["participant"], e["display"]) for e in joined] == [
                        (room[n], pubs[n].id, f"pub-{n}")], events
                    # A publisher's events come in the order things happened on the wire.
                    mine = [e["event"] for e in events if e.get("participant") == pubs[n].id]
                    order = ["participant_joined", "webrtc_up", "publishing_started", "media_up"]
                    assert all(k in mine for k in order), mine
                    assert [mine.index(k) for k in order] == sorted(mine.index(k) for k in order), mine
                    assert any(e["event"] == "media_up" and e["peer"] == "subscriber" for e in events) or \
                        any(e["event"] == "webrtc_up" and e["peer"] == "subscriber" for e in events), events
                    assert all(e["room"] == room[n] for e in events), events
                    assert not any(e.get("participant") == pubs[other].id for e in events), events

                # Stopping server 1 leaves server 2 forwarding.
                pair.send("stop 1")
                pair.wait_line(r"^stopped 1$", 15)
                left = [e for e in _events(pair, 1) if e["event"] == "participant_left"]
                assert [(e["participant"], e["reason"]) for e in left] == [(pubs[1].id, "disconnected")], left
                tail = [e["event"] for e in _events(pair, 1) if e.get("participant") == pubs[1].id][-2:]
                assert tail == ["publishing_stopped", "participant_left"], tail
                await _wait_frames(subs[2], 30, 15, "video on server 2 after server 1 stopped")
                # Server 1's listener is closed; server 2's answers.
                with pytest.raises(requests.ConnectionError):
                    requests.get(f"{http[1]}/info", timeout=2)
                assert requests.get(f"{http[2]}/info", timeout=2).json()["janus"] == "server_info"
                assert not any(e.get("participant") == pubs[1].id for e in _events(pair, 2))
            finally:
                for n in (1, 2):
                    await subs[n].close()
                    await pubs[n].close()
                    await asyncio.to_thread(admin[n].close)

        asyncio.run(asyncio.wait_for(run(), timeout=50))
        pair.send("stop 2")
        pair.wait_line(r"^stopped 2$", 15)
        pair.proc.stdin.close()
        assert pair.proc.wait(timeout=10) == 0, pair.log_tail()
    finally:
        pair.stop()


class Twin(LineProcess):
    """A `twin-daemon` on `test_address` (its SFU: WebSocket only), once it printed `ready`."""

    def __init__(self, test_address: str, room: int, log_name: str, *flags: str) -> None:
        super().__init__([_binary("TWIN_DAEMON_BIN", "twin-daemon"), "--sfu-http", "off",
                          "--sfu-ws", f"{test_address}:0", "--twin-http", f"{test_address}:0",
                          "--ice-address", test_address, "--media-ports", "0-0", "--room", str(room),
                          *flags], log_name)
        try:
            m = self.wait_line(r"^twin-daemon ready sfu-http=off sfu-ws=(\d+) twin-http=(\d+) room=(\d+)$")
        except AssertionError:
            self.stop()
            raise
        self.ws_url = f"ws://{test_address}:{m.group(1)}/"
        self.url = f"http://{test_address}:{m.group(2)}"
        self.room = int(m.group(3))
        assert self.room == room


def test_embedding_twin_daemon_kicks_through_the_room_api(test_address: str) -> None:
    twin = Twin(test_address, 4242, "twin-daemon")
    try:
        ws_url, twin_url, room = twin.ws_url, twin.url, twin.room
        assert requests.get(f"{twin_url}/health", timeout=5).json() == {"status": "ok"}
        rooms = requests.get(f"{twin_url}/rooms", timeout=5).json()["rooms"]
        assert [r["room"] for r in rooms] == [room], rooms

        async def run() -> None:
            # The victim speaks Janus over HTTP through the twin's own endpoint
            # (SFUServer.respond(to:)), long polls included; the watcher over the SFU's WebSocket.
            victim = AiortcPublisher(f"{twin_url}/janus", room, "victim", colour_index=0)
            watcher = AiortcSubscriber(ws_url, room)
            try:
                await victim.start()
                await watcher.start([{"feed": victim.id}])
                await _wait_frames(watcher, 15, 20, "the victim's video before the kick")
                parts = requests.get(f"{twin_url}/rooms/{room}/participants", timeout=5).json()
                assert [p["id"] for p in parts["participants"]] == [victim.id], parts
                missing = requests.post(f"{twin_url}/rooms/{room}/kick/12345", timeout=5)
                assert missing.status_code == 404 and missing.json()["code"] == 428, missing.text

                reply = await asyncio.to_thread(
                    requests.post, f"{twin_url}/rooms/{room}/kick/{victim.id}", timeout=5)
                assert reply.status_code == 200 and reply.json() == {"kicked": victim.id}, reply.text
                data = await asyncio.to_thread(victim.vr.wait, lambda d: d.get("leaving") == "ok", 10)
                assert data == {"videoroom": "event", "room": room, "leaving": "ok", "reason": "kicked"}, data
                await asyncio.to_thread(victim.vr.janus.wait_janus, "hangup", victim.vr.handle_id, 10)
                # Its media stops reaching the subscriber.
                await asyncio.sleep(1.0)
                video = [s for s in watcher.stats.values() if s.kind == "video"]
                before = sum(s.rtp_packets for s in video)
                await asyncio.sleep(2.0)
                after = sum(s.rtp_packets for s in video)
                assert after - before <= 2, watcher.summary()
                parts = requests.get(f"{twin_url}/rooms/{room}/participants", timeout=5).json()
                assert parts["participants"] == [], parts
            finally:
                await watcher.close()
                await victim.close()

        asyncio.run(asyncio.wait_for(run(), timeout=50))
        log = twin.log_tail(200)
        assert "event=participant_joined" in log and "event=participant_left" in log, log
        assert twin.stop() == 0, twin.log_tail()
    finally:
        twin.stop()
