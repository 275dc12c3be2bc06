"""Fixtures for the end-to-end tests: the server under test (ours or the real Janus).

Select it with SFU_E2E_SERVER=swift (default) or SFU_E2E_SERVER=janus. Everything
must run inside `tests/e2e/run-in-netns.sh` (a private network namespace with the
test address 10.203.0.1), see README.md.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from janus_config import write_janus_config

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
ARTIFACTS = HERE / ".artifacts"

# The media port range both servers are told to use (Janus: rtp_port_range).
MEDIA_PORTS = (40000, 40100)
STARTUP_TIMEOUT = 30.0
LOG_TAIL_LINES = 80


# ---------------------------------------------------------------------------------------
# Environment checks
# ---------------------------------------------------------------------------------------

def _in_private_netns() -> bool:
    # run-in-netns.sh records the namespace it was started in (reading /proc/1/ns/net
    # is not allowed in every container).
    outer = os.environ.get("SFU_OUTER_NETNS")
    try:
        return bool(outer) and os.readlink("/proc/self/ns/net") != outer
    except OSError:
        return False


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "timeout(seconds): hard per-test timeout (pytest-timeout)")
    if os.environ.get("SFU_NETNS") != "1" or not _in_private_netns() or not os.environ.get(
            "SFU_TEST_ADDRESS"):
        raise pytest.UsageError(
            "the e2e tests must run inside their network namespace: "
            "tests/e2e/run-in-netns.sh python3 -m pytest -v tests/e2e")
    if not config.pluginmanager.hasplugin("timeout"):
        print("warning: pytest-timeout is not installed; only the tests' own timeouts apply",
              file=sys.stderr)


def server_kind() -> str:
    kind = os.environ.get("SFU_E2E_SERVER", "swift")
    if kind not in ("swift", "janus"):
        raise pytest.UsageError(f"SFU_E2E_SERVER must be 'swift' or 'janus', not {kind!r}")
    return kind


# ---------------------------------------------------------------------------------------
# Server process management
# ---------------------------------------------------------------------------------------

def _die_with_parent() -> None:
    # PR_SET_PDEATHSIG = 1: the server is killed if pytest dies (e.g. hard timeout), so
    # nothing outlives the run inside the namespace.
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    except OSError:
        pass


def free_tcp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ServerUnderTest:
    """A running server (ours or Janus) as the tests see it."""

    kind: str                      # "swift" or "janus"
    http_port: int
    ws_port: int
    ice_address: str               # the only address it may advertise
    media_ports: tuple[int, int]
    log_path: Path
    argv: list[str]
    proc: subprocess.Popen | None = None
    restarts: int = 0
    _log_file: object = field(default=None, repr=False)

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/janus"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.ws_port}/"

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def info(self, timeout: float = 5) -> dict:
        resp = requests.get(f"{self.http_url}/info", timeout=timeout)
        resp.raise_for_status()
        return resp.json()

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError as e:
            return f"<no log: {e}>"
        return "\n".join(text.splitlines()[-lines:])

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = open(self.log_path, "ab", buffering=0)
        self._log_file.write(f"\n=== starting: {' '.join(self.argv)}\n".encode())
        self.proc = subprocess.Popen(self.argv, stdout=self._log_file, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        last_error = "no attempt"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} server exited with {self.proc.returncode} during "
                                   f"start-up:\n{self.log_tail()}")
            try:
                reply = self.info(timeout=1)
                if reply.get("janus") == "server_info":
                    return
                last_error = f"unexpected info reply {reply}"
            except (requests.RequestException, ValueError) as e:
                last_error = repr(e)
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.kind} server not ready after {STARTUP_TIMEOUT}s ({last_error}):\n"
                           f"{self.log_tail()}")

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        return self.proc.returncode


def _swift_argv(http_port: int, ws_port: int, address: str, media_ports: tuple[int, int],
                session_timeout: int | None = None, workers: int | None = None,
                extra_args: list[str] | None = None) -> list[str]:
    binary = os.environ.get("SFU_SERVER_BIN", str(REPO_ROOT / ".build" / "release" / "sfu-server"))
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        pytest.skip(f"sfu-server binary not found at {binary} (build it with "
                    f"`swift build -c release` or set SFU_SERVER_BIN)")
    return [binary,
            "--http", f"127.0.0.1:{http_port}",
            "--ws", f"127.0.0.1:{ws_port}",
            "--ice-address", address,
            "--media-ports", f"{media_ports[0]}-{media_ports[1]}",
            "--log-level", os.environ.get("SFU_LOG_LEVEL", "debug")] + (
        [] if session_timeout is None else ["--session-timeout", str(session_timeout)]) + (
        [] if workers is None else ["--workers", str(workers)]) + (extra_args or [])


def _janus_argv(http_port: int, ws_port: int, address: str, media_ports: tuple[int, int],
                confdir: Path, session_timeout: int | None = None) -> list[str]:
    binary = os.environ.get("JANUS_BIN", shutil.which("janus") or "/usr/bin/janus")
    if not os.access(binary, os.X_OK):
        pytest.skip(f"janus binary not found at {binary} (Debian package `janus`)")
    jcfg = write_janus_config(confdir, http=("127.0.0.1", http_port), ws=("127.0.0.1", ws_port),
                              ice_addresses=[address], media_ports=media_ports,
                              session_timeout=60 if session_timeout is None else session_timeout,
                              plugins=("echotest", "videoroom"))
    return [binary, "-F", str(confdir), "-C", str(jcfg)]


def _make_server(tmp_dir: Path, session_timeout: int | None = None, name: str = "",
                 media_ports: tuple[int, int] = MEDIA_PORTS, workers: int | None = None,
                 extra_args: list[str] | None = None) -> ServerUnderTest:
    """`extra_args`: more sfu-server flags (swift only; with Janus the test should skip)."""
    kind = server_kind()
    address = os.environ["SFU_TEST_ADDRESS"]
    http_port, ws_port = free_tcp_port(), free_tcp_port()
    while ws_port == http_port:
        ws_port = free_tcp_port()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    log_path = ARTIFACTS / f"{kind}{name}-{stamp}-{os.getpid()}.log"
    if kind == "swift":
        argv = _swift_argv(http_port, ws_port, address, media_ports, session_timeout, workers, extra_args)
    else:
        argv = _janus_argv(http_port, ws_port, address, media_ports, tmp_dir / "janus-conf",
                           session_timeout)
    return ServerUnderTest(kind=kind, http_port=http_port, ws_port=ws_port, ice_address=address,
                           media_ports=media_ports, log_path=log_path, argv=argv)


@pytest.fixture(scope="session")
def _server_session(tmp_path_factory: pytest.TempPathFactory):
    srv = _make_server(tmp_path_factory.mktemp("server"))
    srv.start()
    yield srv
    rc = srv.stop()
    print(f"\n{srv.kind} server stopped (exit {rc}); log: {srv.log_path}")


@pytest.fixture
def server(_server_session: ServerUnderTest, request: pytest.FixtureRequest):
    """The server under test, alive at the start of the test; a test during which it
    dies fails (and the next test gets a fresh one)."""
    srv = _server_session
    if not srv.alive():
        srv.stop()
        srv.restarts += 1
        srv.start()
    request.node._server_under_test = srv
    yield srv
    if not srv.alive():
        pytest.fail(f"{srv.kind} server died during the test (exit {srv.proc.returncode}); "
                    f"log tail:\n{srv.log_tail()}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    outcome = yield
    report = outcome.get_result()
    srv = getattr(item, "_server_under_test", None)
    if report.failed and srv is not None:
        report.sections.append((f"{srv.kind} server log (last {LOG_TAIL_LINES} lines of "
                                f"{srv.log_path})", srv.log_tail()))


SHORT_SESSION_TIMEOUT = 3


@pytest.fixture(scope="module")
def _short_timeout_session(tmp_path_factory: pytest.TempPathFactory):
    # Its own media port range: the main instance may hold its ports all the while.
    srv = _make_server(tmp_path_factory.mktemp("server-short"), SHORT_SESSION_TIMEOUT, "-timeout3",
                       media_ports=(40200, 40300))
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def short_timeout_server(_short_timeout_session: ServerUnderTest, request: pytest.FixtureRequest):
    """A second server instance started with `--session-timeout 3`."""
    srv = _short_timeout_session
    request.node._server_under_test = srv
    yield srv
    if not srv.alive():
        pytest.fail(f"{srv.kind} server died during the test; log tail:\n{srv.log_tail()}")


@pytest.fixture
def test_address() -> str:
    return os.environ["SFU_TEST_ADDRESS"]


MULTI_WORKERS = 3


@pytest.fixture(scope="module")
def _multi_worker_session(tmp_path_factory: pytest.TempPathFactory):
    # `--workers 3` (Janus has no such knob and runs as usual); its own media port range.
    srv = _make_server(tmp_path_factory.mktemp("server-workers"), name=f"-workers{MULTI_WORKERS}",
                       media_ports=(40400, 40500), workers=MULTI_WORKERS)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def multi_worker_server(_multi_worker_session: ServerUnderTest, request: pytest.FixtureRequest):
    """A server with several media workers (worker i listens on the range's low port + i)."""
    srv = _multi_worker_session
    request.node._server_under_test = srv
    yield srv
    if not srv.alive():
        pytest.fail(f"{srv.kind} server died during the test (exit {srv.proc.returncode}); "
                    f"log tail:\n{srv.log_tail()}")
