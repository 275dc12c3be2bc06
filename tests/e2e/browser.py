"""Headless Chromium for the e2e tests: one launcher with the flags WebRTC tests need."""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile

CHROMIUM = os.environ.get("SFU_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("SFU_E2E_CHROMEDRIVER", "/usr/bin/chromedriver")


@contextlib.contextmanager
def chromium(fake_camera_fps: int | None = None, window_size: str = "640,480",
             extra_flags: tuple[str, ...] = ()):
    """A fresh headless Chromium (own profile) with fake camera/microphone and loopback ICE.
    `fake_camera_fps`: the fake camera's frame rate (Chromium's default is 20); `window_size`
    "W,H"; `extra_flags`: more command-line flags (e.g. a certificate pin for one test)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} missing (Debian package chromium)"
    assert os.access(CHROMEDRIVER, os.X_OK), f"{CHROMEDRIVER} missing (Debian package chromium-driver)"
    profile = tempfile.mkdtemp(prefix="e2e-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    fake_device = "--use-fake-device-for-media-stream"
    if fake_camera_fps:
        fake_device += f"=fps={fake_camera_fps}"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 fake_device, "--use-fake-ui-for-media-stream",
                 "--allow-loopback-in-peer-connection",
                 "--disable-features=WebRtcHideLocalIpsWithMdns",
                 "--autoplay-policy=no-user-gesture-required",
                 f"--user-data-dir={profile}", f"--window-size={window_size}", *extra_flags):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    # Generous: Chromium on a loaded 2-core machine sometimes takes > 15 s to answer.
    driver.set_script_timeout(20)
    driver.set_page_load_timeout(25)
    try:
        yield driver
    finally:
        try:
            driver.quit()
        finally:
            shutil.rmtree(profile, ignore_errors=True)
