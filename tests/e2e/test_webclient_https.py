"""The same meeting over HTTPS (and the Janus API over WSS) with the certificate that
`sfu-server --tls-self-signed` makes at start: the fingerprint it prints is the one the HTTPS
and WSS listeners present; Chromium is told to trust exactly that key (an SPKI pin,
`--ignore-certificate-errors-spki-list`), and three pages meet at `https://…/?room=R` as on the
plain HTTP listener. Screenshot: tests/e2e/.artifacts/webclient-grid-https.png."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import re
import ssl
import time

import pytest
import requests
import urllib3
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from selenium.common.exceptions import WebDriverException

from browser import chromium
from conftest import ARTIFACTS, ServerUnderTest, _swift_argv, free_tcp_port, server_kind
from janus_client import ws_connect
from webclient import meeting_of_three

pytestmark = pytest.mark.timeout(150)

# A media port range of its own: the session's shared server keeps 40000-40100.
MEDIA_PORTS = (40200, 40300)


@pytest.fixture
def tls_server():
    if server_kind() != "swift":
        pytest.skip("HTTPS/WSS and the web client are sfu-server's")
    http_port, ws_port, https_port, wss_port = (free_tcp_port() for _ in range(4))
    argv = _swift_argv(http_port, ws_port, os.environ["SFU_TEST_ADDRESS"], MEDIA_PORTS) + [
        "--https", f"127.0.0.1:{https_port}", "--wss", f"127.0.0.1:{wss_port}", "--tls-self-signed"]
    server = ServerUnderTest(kind="swift", http_port=http_port, ws_port=ws_port,
                             ice_address=os.environ["SFU_TEST_ADDRESS"], media_ports=MEDIA_PORTS,
                             log_path=ARTIFACTS / f"swift-tls-{time.strftime('%Y%m%d-%H%M%S')}.log", argv=argv)
    server.start()
    try:
        yield server, https_port, wss_port
    finally:
        server.stop()


def _presented_certificate(port: int) -> x509.Certificate:
    pem = ssl.get_server_certificate(("127.0.0.1", port))
    return x509.load_pem_x509_certificate(pem.encode())


def _colon_hex(digest: bytes) -> str:
    return ":".join(f"{b:02X}" for b in digest)


def test_webclient_meeting_over_https_and_wss(tls_server) -> None:
    server, https_port, wss_port = tls_server
    log = server.log_path.read_text()
    ready = re.search(r"sfu-server ready http=\d+ ws=\d+ https=(\d+) wss=(\d+) media=", log)
    assert ready and ready.groups() == (str(https_port), str(wss_port)), log[-2000:]
    printed = re.search(r"tls certificate sha-256 fingerprint ([0-9A-F:]{95})", log)
    assert printed, log[-2000:]
    assert f"open https://127.0.0.1:{https_port}/?room=" in log

    # Both TLS listeners present the certificate whose fingerprint was printed.
    for port in (https_port, wss_port):
        certificate = _presented_certificate(port)
        assert _colon_hex(hashlib.sha256(certificate.public_bytes(Encoding.DER)).digest()) == printed.group(1)
    spki = _presented_certificate(https_port).public_key().public_bytes(
        Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    pin = base64.b64encode(hashlib.sha256(spki).digest()).decode()

    # HTTPS: the page and the REST API; WSS: the WebSocket API (the certificate is self-signed,
    # so these clients skip verification, having checked the fingerprint above).
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    page = requests.get(f"https://127.0.0.1:{https_port}/?room=1", timeout=5, verify=False)
    assert page.status_code == 200 and 'src="app.js"' in page.text
    info = requests.get(f"https://127.0.0.1:{https_port}/janus/info", timeout=5, verify=False).json()
    assert info["janus"] == "server_info"
    insecure = ssl.create_default_context()
    insecure.check_hostname = False
    insecure.verify_mode = ssl.CERT_NONE
    with ws_connect(f"wss://127.0.0.1:{wss_port}/", subprotocols=["janus-protocol"], ssl=insecure) as ws:
        ws.send(json.dumps({"janus": "create", "transaction": "c1"}))
        created = json.loads(ws.recv(timeout=5))
        assert created["janus"] == "success" and created["data"]["id"] > 0, created
    # Plain HTTP to the TLS port is no way in.
    with pytest.raises(requests.RequestException):
        requests.get(f"http://127.0.0.1:{https_port}/janus/info", timeout=3)

    # The pin is what makes Chromium trust it: without it the page does not load.
    with chromium() as untrusting:
        try:
            untrusting.get(f"https://127.0.0.1:{https_port}/?room=1")
        except WebDriverException:
            pass
        assert untrusting.execute_script("return typeof window.meetingPage") == "undefined"

    room = random.randint(100_000, 999_999)
    meeting_of_three(f"https://127.0.0.1:{https_port}", room, "webclient-grid-https.png",
                     extra_flags=(f"--ignore-certificate-errors-spki-list={pin}",))
