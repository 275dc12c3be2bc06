"""Drives the web client served by sfu-server as a person would: open `…/?room=R`, type a
name, click Join; read what the page shows (tiles, the hand queue) and what its
PeerConnections decode (getStats). Shared by the plain-HTTP and the HTTPS meeting tests."""

from __future__ import annotations

import contextlib
import math
import struct
import tempfile
import time
import wave
from pathlib import Path

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from browser import chromium
from test_videoroom_chromium import _console as console
from conftest import ARTIFACTS

# framesDecoded per remote participant (by display name) from each receive PeerConnection.
DECODED_SCRIPT = """
const done = arguments[arguments.length - 1];
const page = window.meetingPage;
if (!page || !page.meeting) { done({state: page ? page.state : null, errors: page ? page.errors : [], decoded: {}}); return; }
const entries = page.meeting.peerConnections().filter(e => e.direction === "receive");
Promise.all(entries.map(e => e.pc.getStats().then(stats => {
  let frames = 0, audio = 0;
  stats.forEach(s => {
    if (s.type === "inbound-rtp" && s.kind === "video") frames += s.framesDecoded || 0;
    if (s.type === "inbound-rtp" && s.kind === "audio") audio += s.packetsReceived || 0;
  });
  return [e.display, {frames, audio}];
}))).then(pairs => done({state: page.state, errors: page.errors, decoded: Object.fromEntries(pairs)}),
             err => done({state: page.state, errors: page.errors.concat([String(err)]), decoded: {}}));
"""


def tone_wav(path: Path, seconds: float = 2.0) -> Path:
    """A loud 440 Hz tone (48 kHz mono WAV) for a fake microphone that talks all the time
    (Chromium's own fake microphone only beeps briefly once a second: too quiet to count as talking)."""
    rate = 48000
    samples = b"".join(struct.pack("<h", int(12000 * math.sin(2 * math.pi * 440 * i / rate)))
                       for i in range(int(rate * seconds)))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples)
    return path


@contextlib.contextmanager
def browsers(flags: list[tuple[str, ...]]):
    """One headless Chromium instance (laptop-sized window) per entry of `flags`, with those
    extra flags; consoles printed on failure."""
    with contextlib.ExitStack() as stack:
        drivers = [stack.enter_context(chromium(window_size="1280,720", extra_flags=extra))
                   for extra in flags]
        try:
            yield drivers
        except BaseException:
            for index, driver in enumerate(drivers):
                console(driver, f"browser {index}")
            raise


def wait_for(predicate, timeout: float, what: str, interval: float = 0.3):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


def join(driver, url: str, name: str, shot: str | None = None) -> None:
    """Opens the link, types the name and clicks Join, as a person would (`shot`: keep a
    screenshot of the filled-in join screen under that artifact name)."""
    driver.get(url)
    field = wait_for(lambda: driver.find_element(By.ID, "name"), 10, "the name field")
    wait_for(lambda: driver.execute_script(
        "return !!document.getElementById('preview').srcObject"), 15, f"{name}'s preview")
    field.clear()
    field.send_keys(name)
    if shot:
        screenshot(driver, shot)
    driver.find_element(By.ID, "join").click()


def page_state(driver) -> dict:
    return driver.execute_script(
        "const p = window.meetingPage; return p ? {state: p.state, errors: p.errors} : {};")


def wait_decoding(drivers, names: list[str], timeout: float, frames: int = 20) -> list[dict]:
    """Until every page decodes video (and receives audio) from every other participant."""
    results: list[dict] = [{} for _ in drivers]

    def everyone_decodes() -> bool:
        for index, driver in enumerate(drivers):
            results[index] = driver.execute_async_script(DECODED_SCRIPT)
            assert not results[index]["errors"], f"{names[index]}'s page reports errors: {results[index]}"
        return all(
            all((result["decoded"].get(other) or {}).get("frames", 0) >= frames and
                (result["decoded"].get(other) or {}).get("audio", 0) >= 20
                for other in names if other != names[index])
            for index, result in enumerate(results))

    try:
        wait_for(everyone_decodes, timeout, "every page to decode the other two", interval=1.0)
    finally:
        print("\ndecoded per page:", {names[i]: r.get("decoded") for i, r in enumerate(results)})
    return results


def click(driver, css: str, tries: int = 5) -> None:
    """Clicks the element `css` names (found again if the page re-rendered it meanwhile)."""
    for attempt in range(tries):
        try:
            driver.find_element(By.CSS_SELECTOR, css).click()
            return
        except StaleElementReferenceException:
            if attempt == tries - 1:
                raise
            time.sleep(0.2)


def texts(driver, css: str) -> list[str] | None:
    """The texts of the elements `css` names; None when the page re-rendered them while they were
    read (callers poll again)."""
    try:
        return [element.text for element in driver.find_elements(By.CSS_SELECTOR, css)]
    except StaleElementReferenceException:
        return None


def hand_queue(driver) -> list[str] | None:
    return texts(driver, "#hands li")


def tile_names(driver) -> list[str]:
    return [item.text for item in driver.find_elements(By.CSS_SELECTOR, ".tile .name")]


def screenshot(driver, name: str) -> str:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    driver.save_screenshot(str(path))
    return str(path)


def meeting_of_three(base_url: str, room: int, artifact: str, extra_flags: tuple[str, ...] = ()) -> None:
    """Three people join room `room` at `base_url` by clicking; each decodes the other two;
    two raise hands and every page shows the queue in the same order; a screenshot of the grid
    is saved as `artifact` (and a phone-sized one beside it)."""
    names = ["Ann", "Bob", "Cleo"]
    tone = tone_wav(Path(tempfile.mkdtemp(prefix="e2e-tone-")) / "tone.wav")
    # Bob's microphone hears a steady tone: he is the one talking.
    flags = [extra_flags, (*extra_flags, f"--use-file-for-fake-audio-capture={tone}"), extra_flags]
    with browsers(flags) as drivers:
        for driver, name in zip(drivers, names):
            join(driver, f"{base_url}/?room={room}", name,
                 shot=artifact.replace("grid", "join") if name == "Ann" else None)
        for driver, name in zip(drivers, names):
            wait_for(lambda d=driver: page_state(d).get("state") == "joined" or page_state(d).get("errors"),
                     20, f"{name} to join")
            assert page_state(driver) == {"state": "joined", "errors": []}, (name, page_state(driver))
        wait_decoding(drivers, names, timeout=45)
        for driver, name in zip(drivers, names):
            assert sorted(tile_names(driver)) == sorted(
                [f"{n} (you)" if n == name else n for n in names]), tile_names(driver)

        # Bob raises his hand, then Cleo: everybody sees Bob first, Cleo second.
        click(drivers[1], "#hand")
        wait_for(lambda: hand_queue(drivers[2]) == ["Bob"], 10, "Bob's hand at Cleo's")
        click(drivers[2], "#hand")
        expected = {0: ["Bob", "Cleo"], 1: ["Bob (you)", "Cleo"], 2: ["Bob", "Cleo (you)"]}
        for index, driver in enumerate(drivers):
            wait_for(lambda d=driver, i=index: hand_queue(d) == expected[i], 10, f"the queue at {names[index]}'s")
        assert drivers[1].find_element(By.ID, "hand").text == "Lower hand"
        # The speaking indicator: Bob's tile is outlined at Ann's and Cleo's, his own too.
        for index in (0, 2):
            wait_for(lambda d=drivers[index]: d.execute_script(
                "return document.querySelector('.tile.talking .name')?.textContent"), 10,
                f"a talking tile at {names[index]}'s")
        talking = [d.execute_script("return [...document.querySelectorAll('.tile.talking .name')]"
                                    ".map(e => e.textContent)") for d in drivers]
        assert talking == [["Bob"], ["Bob (you)"], ["Bob"]], talking
        # Let the tiles show fresh frames, then keep the picture of Ann's grid.
        time.sleep(1.5)
        print("screenshot:", screenshot(drivers[0], artifact))
        drivers[0].set_window_size(390, 844)
        time.sleep(1.0)
        print("phone-sized screenshot:", screenshot(drivers[0], artifact.replace(".png", "-phone.png")))

        # Bob lowers his hand: Cleo moves up everywhere.
        click(drivers[1], "#hand")
        wait_for(lambda: hand_queue(drivers[0]) == ["Cleo"], 10, "Cleo first after Bob lowered his hand")

        # Data saver: Ann chooses "Audio only"; she stops publishing video (the others decode no
        # more of her frames) while her audio keeps coming — and she stops receiving video too
        # (her subscriptions' max_bitrate: the server pauses Bob's and Cleo's video for her),
        # while their audio keeps coming.
        drivers[0].set_window_size(1280, 720)
        Select(drivers[0].find_element(By.ID, "quality")).select_by_value("audio")
        time.sleep(2.0)
        before = [drivers[i].execute_async_script(DECODED_SCRIPT)["decoded"]["Ann"] for i in (1, 2)]
        received_before = drivers[0].execute_async_script(DECODED_SCRIPT)["decoded"]
        time.sleep(3.0)
        after = [drivers[i].execute_async_script(DECODED_SCRIPT)["decoded"]["Ann"] for i in (1, 2)]
        received_after = drivers[0].execute_async_script(DECODED_SCRIPT)["decoded"]
        print("Ann at Bob's and Cleo's before/after audio only:", before, after)
        print("Bob and Cleo at Ann's before/after audio only:", received_before, received_after)
        for was, now in zip(before, after):
            assert now["frames"] - was["frames"] <= 2, (before, after)
            assert now["audio"] - was["audio"] >= 50, (before, after)
        for name in ("Bob", "Cleo"):
            was, now = received_before[name], received_after[name]
            assert now["frames"] - was["frames"] <= 2, (name, received_before, received_after)
            assert now["audio"] - was["audio"] >= 50, (name, received_before, received_after)
        assert [page_state(d)["errors"] for d in drivers] == [[], [], []]
