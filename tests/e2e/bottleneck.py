"""A subscriber behind a real bottleneck: a network namespace of its own, joined to the test's
namespace by a veth pair whose server-side end has a `tbf` qdisc, so that only what the server
sends that one subscriber is limited (the bitrate-layers notes: "Testing a real bottleneck").

Everything here lives inside the namespace `run-in-netns.sh` made for the tests, and the
namespace this module makes (held open by a `sleep` process; it goes with it). Chromium runs
there under its own chromedriver, which the test drives over the veth.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time

from browser import CHROMEDRIVER, CHROMIUM

INSIDE = "10.204.0.1"   # the test namespace's end (the server is reached through it)
OUTSIDE = "10.204.0.2"  # the subscriber's namespace
DRIVER_PORT = 9515


def _run(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True, text=True)


@contextlib.contextmanager
def bottleneck_namespace(rate: str = "400kbit", burst: str = "10kb", latency: str = "50ms"):
    """A namespace behind a `tbf` of `rate` on the way in. Yields the `nsenter` prefix that runs a
    command there, and a function that changes the rate."""
    assert os.environ.get("SFU_NETNS") == "1", "only inside run-in-netns.sh's namespace"
    holder = subprocess.Popen(["unshare", "--net", "sleep", "600"])
    suffix = str(holder.pid)
    inside, outside = f"vbn{suffix}a"[:15], f"vbn{suffix}b"[:15]
    enter = ["nsenter", f"--net=/proc/{holder.pid}/ns/net"]
    try:
        time.sleep(0.2)
        _run("ip", "link", "add", inside, "type", "veth", "peer", "name", outside)
        _run("ip", "link", "set", outside, "netns", str(holder.pid))
        _run("ip", "addr", "add", f"{INSIDE}/24", "dev", inside)
        _run("ip", "link", "set", inside, "up")
        _run(*enter, "ip", "link", "set", "lo", "up")
        _run(*enter, "ip", "addr", "add", f"{OUTSIDE}/24", "dev", outside)
        _run(*enter, "ip", "link", "set", outside, "up")
        _run(*enter, "ip", "route", "add", "default", "via", INSIDE)
        _run("tc", "qdisc", "add", "dev", inside, "root", "tbf", "rate", rate, "burst", burst, "latency", latency)

        def set_rate(new_rate: str) -> None:
            _run("tc", "qdisc", "change", "dev", inside, "root", "tbf", "rate", new_rate, "burst", burst,
                 "latency", latency)

        yield enter, set_rate
    finally:
        subprocess.run(["ip", "link", "del", inside], capture_output=True)
        holder.kill()
        holder.wait()


@contextlib.contextmanager
def chromium_in(enter: list[str], secure_origin: str | None = None):
    """Headless Chromium inside the bottleneck namespace, driven through its chromedriver.
    `secure_origin`: an http origin to treat as secure (the pages are not on localhost there)."""
    from selenium import webdriver

    profile = tempfile.mkdtemp(prefix="e2e-chromium-bn-")
    driver_process = subprocess.Popen(
        [*enter, CHROMEDRIVER, f"--port={DRIVER_PORT}", f"--allowed-ips={INSIDE}", "--allowed-origins=*"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    driver = None
    try:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                     "--disable-features=WebRtcHideLocalIpsWithMdns",
                     "--autoplay-policy=no-user-gesture-required",
                     f"--user-data-dir={profile}", "--window-size=640,480"):
            options.add_argument(flag)
        if secure_origin:
            options.add_argument(f"--unsafely-treat-insecure-origin-as-secure={secure_origin}")
        deadline = time.monotonic() + 20
        while True:
            try:
                driver = webdriver.Remote(command_executor=f"http://{OUTSIDE}:{DRIVER_PORT}", options=options)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        driver.set_script_timeout(20)
        driver.set_page_load_timeout(25)
        yield driver
    finally:
        if driver is not None:
            with contextlib.suppress(Exception):
                driver.quit()
        driver_process.terminate()
        with contextlib.suppress(Exception):
            driver_process.wait(timeout=5)
        shutil.rmtree(profile, ignore_errors=True)


@contextlib.contextmanager
def tcp_relay(listen_host: str, target: tuple[str, int]):
    """Relays TCP connections from `listen_host` (a port of its own, yielded) to `target`: the
    server's Janus API listens on loopback, which another namespace cannot reach."""
    import socket
    import threading

    listener = socket.create_server((listen_host, 0))
    listener.settimeout(0.5)
    stopping = threading.Event()

    def pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def accept() -> None:
        while not stopping.is_set():
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            upstream = socket.create_connection(target)
            for pair in ((client, upstream), (upstream, client)):
                threading.Thread(target=pump, args=pair, daemon=True).start()

    thread = threading.Thread(target=accept, name="e2e-tcp-relay", daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stopping.set()
        thread.join(timeout=2)
        listener.close()
