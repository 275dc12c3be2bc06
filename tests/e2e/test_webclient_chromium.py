"""The web client served by sfu-server at `/`: three headless Chromium instances (fake camera
and microphone) open `…/?room=R`, type a name and click Join as a person would; each decodes
the other two (framesDecoded from getStats); two raise hands and every page shows the queue in
the same order. Screenshots of the grid: tests/e2e/.artifacts/webclient-grid.png (laptop) and
webclient-grid-phone.png (phone-sized window)."""

from __future__ import annotations

import random

import pytest
import requests

from selenium.webdriver.common.by import By

from videoroom import VideoRoomHandle, create_room
from webclient import (browsers, click, join, meeting_of_three, page_state, screenshot, texts, tile_names,
                       wait_decoding, wait_for)

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


def test_webclient_waiting_room_then_admitted(server) -> None:
    """In a `waiting_room` room the page says "Waiting for the host" until the room's owner
    admits the joiner (host authority, a fresh handle with the moderator secret); then the
    call opens and the page's publisher PeerConnection connects."""
    if server.kind != "swift":
        pytest.skip("the waiting room is a swift-sfu extension")
    admin = VideoRoomHandle(server.http_url)
    try:
        room = create_room(admin, waiting_room=True, moderator_secret="m", audiolevel_event=True)
        with browsers([()]) as (page,):
            join(page, f"http://127.0.0.1:{server.http_port}/?room={room}", "Guest")
            wait_for(lambda: page_state(page).get("state") == "waiting", 15, "the waiting screen")
            assert page.find_element(By.ID, "waiting").is_displayed()
            assert page.find_element(By.ID, "waiting-title").text == "Waiting for the host"
            assert not page.find_element(By.ID, "call").is_displayed()
            screenshot(page, "webclient-waiting.png")
            waiting = admin.sync({"request": "list_waiting", "room": room, "moderator_secret": "m"})
            assert [p["display"] for p in waiting["waiting"]] == ["Guest"], waiting
            admitted = admin.sync({"request": "admit", "room": room, "moderator_secret": "m",
                                   "id": waiting["waiting"][0]["id"]})
            assert admitted == {"videoroom": "success", "room": room}, admitted
            wait_for(lambda: page_state(page).get("state") == "joined", 15, "the call after admission")
            assert page.find_element(By.ID, "call").is_displayed()
            wait_for(lambda: page.execute_script(
                "return window.meetingPage.meeting.publisherPC?.connectionState") == "connected",
                20, "the admitted page's PeerConnection")
            assert tile_names(page) == ["Guest (you)"]
            assert page_state(page)["errors"] == []
    finally:
        admin.close()


def test_webclient_moderator_admits_and_rejects_by_click(server) -> None:
    """A host link (`&moderator=m&lobby=1`) creates the room with a waiting room and makes its
    opener a moderator. A guest waits, shows in the host's "Waiting to join" list, is admitted
    by a click and then sees and is seen; a second guest is turned away by a click and reads
    the reason. Screenshot of the host's lobby: tests/e2e/.artifacts/webclient-lobby.png."""
    if server.kind != "swift":
        pytest.skip("the waiting room is a swift-sfu extension")
    room = random.randint(100_000, 999_999)
    base = f"http://127.0.0.1:{server.http_port}"
    with browsers([(), (), ()]) as (host, guest, late):
        join(host, f"{base}/?room={room}&moderator=m&lobby=1", "Host")
        wait_for(lambda: page_state(host).get("state") == "joined", 15, "the host in the call")
        assert host.find_element(By.ID, "lobby-panel").is_displayed()

        join(guest, f"{base}/?room={room}", "Guest")
        wait_for(lambda: page_state(guest).get("state") == "waiting", 15, "the guest waiting")
        wait_for(lambda: _waiting_names(host) == ["Guest"], 10, "the guest in the host's lobby")
        join(late, f"{base}/?room={room}", "Late")
        wait_for(lambda: _waiting_names(host) == ["Guest", "Late"], 10, "both in the host's lobby, in order")
        print("lobby screenshot:", screenshot(host, "webclient-lobby.png"))

        click(host, "#waiting-list li:first-child button.admit")
        wait_for(lambda: page_state(guest).get("state") == "joined", 15, "the admitted guest in the call")
        wait_decoding([host, guest], ["Host", "Guest"], timeout=30)

        click(host, "#waiting-list li:first-child button.reject")
        wait_for(lambda: page_state(late).get("state") == "rejected", 15, "the late guest turned away")
        assert late.find_element(By.ID, "waiting-title").text == "You were not let in"
        assert late.find_element(By.ID, "waiting-text").text == "The host did not let you in."
        wait_for(lambda: _waiting_names(host) == [], 10, "an empty lobby")
        assert sorted(tile_names(host)) == ["Guest", "Host (you)"]
        for page in (host, guest, late):
            assert page_state(page)["errors"] == [], page_state(page)


def _waiting_names(driver) -> list[str] | None:
    return texts(driver, "#waiting-list li .name")
