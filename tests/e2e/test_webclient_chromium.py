"""The web client served by sfu-server at `/`: three headless Chromium instances (fake camera
and microphone) open `…/?room=R`, type a name and click Join as a person would; each decodes
the other two (framesDecoded from getStats); two raise hands and every page shows the queue in
the same order. Screenshots of the grid: tests/e2e/.artifacts/webclient-grid.png (laptop) and
webclient-grid-phone.png (phone-sized window)."""

from __future__ import annotations

import random

import pytest
import requests

from webclient import meeting_of_three

pytestmark = pytest.mark.timeout(150)


def test_webclient_page_and_files(server) -> None:
    if server.kind != "swift":
        pytest.skip("the web client is served by sfu-server")
    base = f"http://127.0.0.1:{server.http_port}"
    page = requests.get(f"{base}/?room=5", timeout=5)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert 'src="app.js"' in page.text
    for name in ("app.js", "meeting.js", "janus-client.js"):
        script = requests.get(f"{base}/{name}", timeout=5)
        assert script.status_code == 200 and script.headers["Content-Type"].startswith("text/javascript"), name
    assert requests.get(f"{base}/client-config.json", timeout=5).json() == {"janusPath": "/janus"}
    assert requests.get(f"{base}/nothing-here.js", timeout=5).status_code == 404
    assert requests.get(f"{base}/janus/info", timeout=5).json()["janus"] == "server_info"


def test_webclient_meeting_of_three(server) -> None:
    if server.kind != "swift":
        pytest.skip("the web client is served by sfu-server")
    room = random.randint(100_000, 999_999)  # a new room: the first page creates it
    meeting_of_three(f"http://127.0.0.1:{server.http_port}", room, "webclient-grid.png")
