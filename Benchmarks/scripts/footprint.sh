#!/usr/bin/env bash
# Idle memory and start-up time of a server: our sfu-server, the real Janus 1.1.2 (Debian
# `janus`), and any command that prints a ready line (e.g. an embedding daemon).
#
# For each target and each of N runs: start it, measure the time from exec to readiness (a line
# matching the ready pattern on its stdout; for Janus, the first answer of its HTTP `info`
# request), let it settle for S seconds, read /proc/PID/smaps_rollup and /proc/PID/status, stop
# it. Prints one Markdown table row per target: medians over the runs.
#   RSS  resident pages, shared library pages included (what `ps`/`top` show)
#   PSS  RSS with each shared page divided among the processes that map it
#   USS  private pages only (Private_Clean + Private_Dirty): what one more process really adds
#   anon anonymous memory (heap, stacks): the part that grows with load
#
# As root and with Janus among the targets, everything runs inside a private network namespace
# (tests/e2e/run-in-netns.sh; Janus's libnice does not gather loopback candidates, so it gets
# the namespace's 10.203.0.1), which also keeps the ports private. Without Janus it runs in the
# current namespace on loopback ports.
#
# Usage (repository root, after `swift build -c release --product sfu-server`):
#   Benchmarks/scripts/footprint.sh [--runs N] [--settle SECONDS] [--targets "swift janus"]
#       [--ready-pattern REGEX] [--breakdown] [--command 'LABEL=SHELL COMMAND']...
#   e.g. Benchmarks/scripts/footprint.sh --runs 7
#        Benchmarks/scripts/footprint.sh --targets "" --command 'twin-daemon=.build/release/twin-daemon'
# --command may repeat; the command runs through `exec`, so the measured PID is the command
# itself, and it must print a line matching the ready pattern (default: `ready`) on stdout.
# Environment: SFU_SERVER_BIN (default .build/release/sfu-server), SFU_SERVER_ARGS (extra flags).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
RUNS=5
SETTLE=2
TARGETS="swift janus"
READY_PATTERN='\bready\b'
BREAKDOWN=0
COMMANDS=()
ORIGINAL_ARGS=("$@")
while [[ $# -gt 0 ]]; do
    case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --settle) SETTLE="$2"; shift 2 ;;
    --targets) TARGETS="$2"; shift 2 ;;
    --ready-pattern) READY_PATTERN="$2"; shift 2 ;;
    --breakdown) BREAKDOWN=1; shift ;;
    --command) COMMANDS+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

WANT_JANUS=0
for target in $TARGETS; do
    case "$target" in
    swift) ;;
    janus) WANT_JANUS=1 ;;
    *) echo "unknown target $target (swift, janus; other programs go through --command)" >&2; exit 2 ;;
    esac
done
if [[ "$WANT_JANUS" == 1 && "${SFU_NETNS:-}" != 1 ]]; then
    if [[ "$(id -u)" != 0 ]]; then
        echo "measuring Janus needs root (a private network namespace); use --targets swift" >&2
        exit 2
    fi
    exec "$ROOT/tests/e2e/run-in-netns.sh" "$0" "${ORIGINAL_ARGS[@]}"
fi

WORK="$(mktemp -d /tmp/sfu-footprint.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
if [[ "$WANT_JANUS" == 1 ]]; then
    python3 -c "
import sys; sys.path.insert(0, '$ROOT/tests/e2e')
from pathlib import Path
from janus_config import write_janus_config
write_janus_config(Path('$WORK/janus-conf'), http=('${SFU_TEST_ADDRESS:-10.203.0.1}', 18089),
                   ws=('${SFU_TEST_ADDRESS:-10.203.0.1}', 18189), ice_addresses=['${SFU_TEST_ADDRESS:-10.203.0.1}'],
                   media_ports=(42000, 44000), debug_level=4, plugins=('echotest', 'videoroom'))"
fi

export FOOTPRINT_ROOT="$ROOT" FOOTPRINT_WORK="$WORK" FOOTPRINT_RUNS="$RUNS" FOOTPRINT_SETTLE="$SETTLE"
export FOOTPRINT_TARGETS="$TARGETS" FOOTPRINT_READY="$READY_PATTERN" FOOTPRINT_BREAKDOWN="$BREAKDOWN"
export FOOTPRINT_SERVER_ADDR="${SFU_TEST_ADDRESS:-10.203.0.1}"
printf '%s\n' "${COMMANDS[@]+"${COMMANDS[@]}"}" >"$WORK/commands"
exec python3 - <<'PYTHON'
import os, random, re, select, signal, statistics, subprocess, sys, time, urllib.request

root = os.environ["FOOTPRINT_ROOT"]
work = os.environ["FOOTPRINT_WORK"]
runs = int(os.environ["FOOTPRINT_RUNS"])
settle = float(os.environ["FOOTPRINT_SETTLE"])
ready_pattern = re.compile(os.environ["FOOTPRINT_READY"])
breakdown = os.environ["FOOTPRINT_BREAKDOWN"] == "1"
server_addr = os.environ["FOOTPRINT_SERVER_ADDR"]


def swift_command():
    base = random.randrange(20000, 40000, 20)
    binary = os.environ.get("SFU_SERVER_BIN", os.path.join(root, ".build/release/sfu-server"))
    extra = os.environ.get("SFU_SERVER_ARGS", "").split()
    return [binary, "--ice-address", "127.0.0.1", "--http", f"127.0.0.1:{base}", "--ws", f"127.0.0.1:{base + 1}",
            "--media-ports", f"{base + 2}-{base + 12}", "--log-level", "error"] + extra


def janus_ready():
    request = urllib.request.Request(f"http://{server_addr}:18089/janus", data=b'{"janus":"info","transaction":"f"}')
    try:
        with urllib.request.urlopen(request, timeout=0.5) as response:
            return b"server_info" in response.read()
    except OSError:
        return False


targets = []  # (label, argv factory, readiness: "line" or a poll function)
for name in os.environ["FOOTPRINT_TARGETS"].split():
    if name == "swift":
        targets.append(("sfu-server", swift_command, "line"))
    elif name == "janus":
        conf = os.path.join(work, "janus-conf")
        targets.append(("Janus 1.1.2", lambda: ["janus", "-F", conf, "-C", os.path.join(conf, "janus.jcfg")], janus_ready))
for line in open(os.path.join(work, "commands")).read().splitlines():
    if not line.strip():
        continue
    label, _, command = line.partition("=")
    targets.append((label, lambda command=command: ["bash", "-c", "exec " + command], "line"))


def wait_ready(process, readiness, deadline):
    """Seconds from start to readiness are measured by the caller; this only waits."""
    if readiness == "line":
        buffered = b""
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"exited with {process.returncode} before it was ready")
            readable, _, _ = select.select([process.stdout], [], [], 0.05)
            if not readable:
                continue
            chunk = os.read(process.stdout.fileno(), 65536)
            buffered += chunk
            for text in buffered.split(b"\n")[:-1]:
                if ready_pattern.search(text.decode(errors="replace")):
                    return
            buffered = buffered.split(b"\n")[-1]
        raise RuntimeError("no ready line in time")
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode} before it was ready")
        if readiness():
            return
        time.sleep(0.002)
    raise RuntimeError("not ready in time")


def memory(pid):
    fields = {}
    for line in open(f"/proc/{pid}/smaps_rollup"):
        parts = line.split()
        if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
            fields[parts[0][:-1]] = int(parts[1])
    threads = next(int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.startswith("Threads:"))
    return {"rss": fields["Rss"], "pss": fields["Pss"], "uss": fields["Private_Clean"] + fields["Private_Dirty"],
            "anon": fields["Anonymous"], "threads": threads}


def mappings(pid):
    totals, current = {}, None
    for line in open(f"/proc/{pid}/smaps"):
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            parts = line.split()
            current = os.path.basename(parts[5]) if len(parts) > 5 else "[anonymous]"
        elif line.startswith("Rss:"):
            totals[current] = totals.get(current, 0) + int(line.split()[1])
    return sorted(totals.items(), key=lambda item: -item[1])


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


print(f"runs={runs} settle={settle:g}s; medians; MB = 10^6 bytes", file=sys.stderr)
print("| target | start → ready (median, min–max) | RSS | PSS | USS (private) | anonymous | threads |")
print("|---|---|---|---|---|---|---|")
for label, argv, readiness in targets:
    times, samples, last_map = [], [], None
    for _ in range(runs):
        command = argv()
        started = time.monotonic()
        process = subprocess.Popen(command, stdout=subprocess.PIPE if readiness == "line" else subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, cwd=root)
        try:
            wait_ready(process, readiness, started + 30)
            times.append((time.monotonic() - started) * 1000)
            time.sleep(settle)
            samples.append(memory(process.pid))
            if breakdown:
                last_map = mappings(process.pid)
        except RuntimeError as error:
            print(f"{label}: {error}", file=sys.stderr)
        finally:
            stop(process)
    if not samples:
        print(f"| {label} | failed | | | | | |")
        continue
    median = lambda key: statistics.median(sample[key] for sample in samples) * 1024 / 1e6
    print(f"| {label} | {statistics.median(times):.0f} ms ({min(times):.0f}–{max(times):.0f}) | {median('rss'):.1f} MB "
          f"| {median('pss'):.1f} MB | {median('uss'):.1f} MB | {median('anon'):.1f} MB "
          f"| {statistics.median(s['threads'] for s in samples):.0f} |")
    if last_map:
        for name, kilobytes in last_map[:15]:
            print(f"    {kilobytes * 1024 / 1e6:6.2f} MB  {name}", file=sys.stderr)
PYTHON
