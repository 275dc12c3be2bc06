"""`sfu-server` as a sidecar (issue 6, part 3): JSON config with embedded defaults,
`--print-config`, readiness on stdout and in `--ready-file`, and its exit codes
(0 clean shutdown, 64 usage/configuration error, 1 runtime failure)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from conftest import REPO_ROOT, _die_with_parent, free_tcp_port, server_kind

pytestmark = pytest.mark.timeout(60)


def _sfu_server() -> str:
    if server_kind() != "swift":
        pytest.skip("sidecar tests run against our sfu-server only")
    path = os.environ.get("SFU_SERVER_BIN", str(REPO_ROOT / ".build" / "release" / "sfu-server"))
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.skip(f"sfu-server not found at {path}")
    return path


def _run(argv: list[str], timeout: float = 20) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, preexec_fn=_die_with_parent)


def test_embedding_sidecar_config_file_and_print_config(tmp_path: Path, test_address: str) -> None:
    binary = _sfu_server()
    config = tmp_path / "sfu.json"
    config.write_text(json.dumps({"ws": "off", "mediaPorts": "41000-41010", "workers": 1,
                                  "iceAddresses": [test_address], "adminKey": "k"}))
    shown = _run([binary, "--config", str(config), "--session-timeout", "5", "--print-config"])
    assert shown.returncode == 0, shown.stderr
    effective = json.loads(shown.stdout)
    # File values, flags over the file, embedded defaults for the rest.
    assert effective["ws"] == "off" and effective["mediaPorts"] == "41000-41010"
    assert effective["workers"] == 1 and effective["adminKey"] == "k"
    assert effective["sessionTimeout"] == 5
    assert effective["http"] == "127.0.0.1:8088" and effective["basePath"] == "/janus"
    assert effective["logLevel"] == "info"
    # Without a file: the embedded defaults alone.
    defaults = json.loads(_run([binary, "--print-config"]).stdout)
    assert defaults["ws"] == "127.0.0.1:8188" and defaults["mediaPorts"] == "20000-20100"


@pytest.mark.parametrize("args", [
    ["--media-ports", "9-1"],
    ["--http", "nowhere"],
    ["--log-level", "loud"],
    ["--no-such-flag"],
    ["--config", "/nonexistent/sfu.json"],
    ["--config", "BROKEN"],
    ["--https", "127.0.0.1:0"],                      # no certificate
    ["--wss", "127.0.0.1:0", "--tls-key", "k.pem"],  # a key without its certificate
    ["--https", "127.0.0.1:0", "--tls-self-signed", "--tls-certificate", "c.pem", "--tls-key", "k.pem"],
    ["--web-client", "/nonexistent/web"],
])
def test_embedding_sidecar_configuration_errors_exit_64(tmp_path: Path, args: list[str]) -> None:
    binary = _sfu_server()
    if "BROKEN" in args:
        broken = tmp_path / "broken.json"
        broken.write_text("{\"http\": ")
        args = [a if a != "BROKEN" else str(broken) for a in args]
    done = _run([binary, "--ice-address", "127.0.0.1", *args])
    assert done.returncode == 64, (done.returncode, done.stderr)
    assert "ready" not in done.stdout


def test_embedding_sidecar_ready_file_clean_exit_and_busy_port(tmp_path: Path, test_address: str) -> None:
    binary = _sfu_server()
    http_port, ws_port = free_tcp_port(), free_tcp_port()
    ready_file = tmp_path / "ready"
    argv = [binary, "--http", f"127.0.0.1:{http_port}", "--ws", f"127.0.0.1:{ws_port}",
            "--ice-address", test_address, "--media-ports", "41100-41110", "--workers", "1",
            "--ready-file", str(ready_file)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            preexec_fn=_die_with_parent)
    try:
        line = proc.stdout.readline().strip()
        assert line == f"sfu-server ready http={http_port} ws={ws_port} media={test_address}:41100", line
        assert ready_file.read_text().strip() == line
        assert requests.get(f"http://127.0.0.1:{http_port}/janus/info", timeout=5).json()["janus"] == "server_info"
        # A second server on the same ports: a runtime failure, exit 1.
        busy = _run([binary, "--http", f"127.0.0.1:{http_port}", "--ws", "off", "--ice-address", test_address,
                     "--media-ports", "41200-41210", "--workers", "1"])
        assert busy.returncode == 1, (busy.returncode, busy.stderr[-500:])
        assert "ready" not in busy.stdout
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{http_port}/janus/info", timeout=2)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
