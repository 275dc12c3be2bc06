"""`sfu-server --log-format json`: every line on stderr is one JSON object with timestamp,
level, logger and message, and the session/handle ids as numeric fields on the lines that
carry them. The default console format stays swift-log's."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest
import requests

from conftest import free_tcp_port, server_kind

pytestmark = pytest.mark.timeout(60)


def _run(log_format: str | None) -> tuple[list[str], int, int]:
    binary = os.environ.get("SFU_SERVER_BIN", str(os.path.join(os.path.dirname(__file__), "..", "..",
                                                               ".build", "release", "sfu-server")))
    if not os.access(binary, os.X_OK):
        pytest.skip("sfu-server binary not built")
    http_port, ws_port = free_tcp_port(), free_tcp_port()
    argv = [binary, "--http", f"127.0.0.1:{http_port}", "--ws", f"127.0.0.1:{ws_port}",
            "--ice-address", "127.0.0.1", "--media-ports", "41800-41810", "--workers", "1",
            "--log-level", "debug"] + (["--log-format", log_format] if log_format else [])
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().startswith("sfu-server ready"), proc.stderr.read()
        base = f"http://127.0.0.1:{http_port}/janus"
        sid = requests.post(base, json={"janus": "create", "transaction": "c"}, timeout=5).json()["data"]["id"]
        hid = requests.post(f"{base}/{sid}", json={"janus": "attach", "transaction": "a",
                                                  "plugin": "janus.plugin.echotest"}, timeout=5).json()["data"]["id"]
        requests.post(f"{base}/{sid}", json={"janus": "destroy", "transaction": "d"}, timeout=5)
        time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
    return err.splitlines(), sid, hid


def test_json_log_lines_carry_ids() -> None:
    if server_kind() != "swift":
        pytest.skip("swift-sfu's own flag")
    lines, sid, hid = _run("json")
    objects = [json.loads(line) for line in lines]  # every line parses
    assert objects, "no log lines"
    for o in objects:
        assert {"timestamp", "level", "logger", "message"} <= set(o), o
    attached = [o for o in objects if o["message"] == "Handle attached"]
    assert attached and attached[0]["session"] == sid and attached[0]["handle"] == hid, attached
    assert any(o.get("session") == sid and o["message"] == "Session destroyed" for o in objects), objects


def test_default_console_format_is_unchanged() -> None:
    if server_kind() != "swift":
        pytest.skip("swift-sfu's own flag")
    lines, sid, _ = _run(None)
    assert lines and not any(line.startswith("{") for line in lines), lines[:3]
    # swift-log's StreamLogHandler: "<timestamp> <level> <label>: <metadata> [<source>] <message>"
    created = [line for line in lines if "Session created" in line]
    assert created and f"session={sid}" in created[0] and " debug sfu-server: " in created[0], created
