"""Prometheus metrics during a real aiortc call: GET /metrics on the Janus HTTP listener, and
a handful of counters checked against what the peer did (swift-sfu only: Janus has none)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess

import pytest
import requests

from conftest import REPO_ROOT, free_tcp_port, server_kind
from echo import AiortcEchoTest
from ops import Metrics

pytestmark = pytest.mark.timeout(60)


def test_metrics_follow_an_echotest_call(server) -> None:
    if server_kind() != "swift":
        pytest.skip("Prometheus metrics are swift-sfu's own")
    url = f"http://127.0.0.1:{server.http_port}/metrics"
    before = Metrics(url)

    async def run() -> tuple[AiortcEchoTest, Metrics]:
        async with AiortcEchoTest(server.http_url) as echo:
            await echo.received.wait_until(
                lambda r: r.video_matched >= 30 and r.audio_frames >= 50, 25,
                "30 echoed video frames and 50 audio frames")
            during = await asyncio.to_thread(Metrics, url)
        return echo, during

    echo, during = asyncio.run(asyncio.wait_for(run(), timeout=50))
    after = Metrics(url)
    rx = echo.received
    sent_frames = echo.video_track.sent + echo.audio_track.sent
    received_frames = rx.video_frames + rx.audio_frames

    def delta(name: str, **labels: str) -> float:
        return after.value(name, **labels) - before.value(name, **labels)

    print(f"\nframes sent {sent_frames}, echoed frames received {received_frames}; "
          f"datagrams in {delta('sfu_media_datagrams_received_total'):.0f}, "
          f"out {delta('sfu_media_datagrams_sent_total'):.0f}")
    # While the call runs: one session with an EchoTest handle, one live transport.
    assert during.value("sfu_janus_sessions") >= 1
    assert during.value("sfu_janus_handles", plugin="janus.plugin.echotest") >= 1
    assert during.value("sfu_media_transports") >= 1
    assert during.value("sfu_media_peerconnections", state="connected") >= 1
    # Every frame the peer got back came in at least one datagram we sent, and every frame
    # it sent went out in at least one datagram we received (plus STUN, DTLS, RTCP).
    assert delta("sfu_media_datagrams_sent_total") >= received_frames > 0
    assert delta("sfu_media_datagrams_received_total") >= received_frames
    assert delta("sfu_media_datagrams_received_total") >= 0.9 * sent_frames
    # The workers' figures add up to the totals.
    assert after.value("sfu_media_worker_datagrams_received_total") == \
        after.value("sfu_media_datagrams_received_total")
    # The Janus requests the client made, by name and code.
    for request in ("create", "attach", "hangup", "detach", "destroy"):
        assert delta("sfu_janus_requests_total", request=request, code="0") == 1, request
    assert delta("sfu_janus_requests_total", request="message", code="0") >= 1
    # After the call: no transport of ours left, the session gone.
    assert after.value("sfu_media_transports") <= before.value("sfu_media_transports")
    assert after.value("sfu_janus_sessions") <= before.value("sfu_janus_sessions")
    assert after.value("sfu_media_peerconnections", state="connected") <= \
        before.value("sfu_media_peerconnections", state="connected")


def test_metrics_on_a_listener_of_their_own() -> None:
    """`--metrics HOST:PORT`: GET /metrics there (and only there), the port in the ready line."""
    if server_kind() != "swift":
        pytest.skip("Prometheus metrics are swift-sfu's own")
    binary = os.environ.get("SFU_SERVER_BIN", str(REPO_ROOT / ".build" / "release" / "sfu-server"))
    if not os.access(binary, os.X_OK):
        pytest.skip("sfu-server binary not built")
    http_port, ws_port, metrics_port = free_tcp_port(), free_tcp_port(), free_tcp_port()
    proc = subprocess.Popen(
        [binary, "--http", f"127.0.0.1:{http_port}", "--ws", f"127.0.0.1:{ws_port}", "--ice-address", "127.0.0.1",
         "--media-ports", "41820-41830", "--workers", "1", "--metrics", f"127.0.0.1:{metrics_port}"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        ready = proc.stdout.readline().strip()
        assert ready.endswith(f" metrics={metrics_port}"), ready
        own = Metrics(f"http://127.0.0.1:{metrics_port}/metrics")
        assert own.value("sfu_media_worker_transports", worker="0") == 0
        assert ("sfu_janus_sessions", frozenset({("server", "sfu-server")})) in own.samples, own.text
        assert requests.get(f"http://127.0.0.1:{http_port}/metrics", timeout=5).status_code == 404
        assert requests.get(f"http://127.0.0.1:{metrics_port}/janus/info", timeout=5).status_code == 404
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
