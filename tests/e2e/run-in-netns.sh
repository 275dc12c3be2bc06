#!/usr/bin/env bash
# Run a command inside a fresh, private network namespace set up for the
# end-to-end tests:
#   lo up; veth pair veth-sfu0 (10.203.0.1/24) <-> veth-sfu1 (10.203.0.2/24),
#   both ends inside the namespace; default route via veth-sfu0; IPv6 off.
# Exports SFU_TEST_ADDRESS=10.203.0.1 (the address the server under test
# advertises) and SFU_PEER_ADDRESS=10.203.0.2, and SFU_NETNS=1.
#
# Why: aiortc ignores 127.0.0.1 candidates, so server and peers need a
# non-loopback address; a namespace gives one without touching the host's
# real interfaces. The namespace (and everything in it) disappears when the
# command exits.
#
# Usage: tests/e2e/run-in-netns.sh CMD [ARGS...]
#   e.g. SFU_E2E_SERVER=janus tests/e2e/run-in-netns.sh python3 -m pytest -v tests/e2e
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

readonly SERVER_ADDR=10.203.0.1
readonly PEER_ADDR=10.203.0.2

if [[ "${1:-}" != "--inside-netns" ]]; then
    if [[ "$(id -u)" != 0 ]]; then
        echo "$0: must run as root (unshare --net)" >&2
        exit 2
    fi
    SFU_OUTER_NETNS="$(readlink /proc/self/ns/net)"
    if [[ -z "${SFU_OUTER_NETNS}" ]]; then
        echo "$0: cannot read /proc/self/ns/net" >&2
        exit 2
    fi
    export SFU_OUTER_NETNS
    exec unshare --net -- "$0" --inside-netns "$@"
fi
shift

# Refuse to configure anything unless we really are in a namespace of our
# own (different from the one we were started in): never touch the host's
# interfaces.
readonly OWN_NETNS="$(readlink /proc/self/ns/net)"
if [[ -z "${OWN_NETNS}" || -z "${SFU_OUTER_NETNS:-}" || "${OWN_NETNS}" == "${SFU_OUTER_NETNS}" ]]; then
    echo "$0: not inside a private network namespace; refusing" >&2
    exit 2
fi

sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 >/dev/null 2>&1 || true
sysctl -q -w net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1 || true
ip link set lo up
ip link add veth-sfu0 type veth peer name veth-sfu1
ip addr add "${SERVER_ADDR}/24" dev veth-sfu0
ip addr add "${PEER_ADDR}/24" dev veth-sfu1
ip link set veth-sfu0 up
ip link set veth-sfu1 up
ip route add default via "${PEER_ADDR}" dev veth-sfu0

export SFU_NETNS=1
export SFU_TEST_ADDRESS="${SERVER_ADDR}"
export SFU_PEER_ADDRESS="${PEER_ADDR}"

# Run the command, then end whatever it left running in this namespace (a
# server or browser orphaned by a killed test run), so nothing keeps the
# namespace alive. Only processes inside our own, fresh namespace qualify:
# by construction the command started all of them.
leftovers() {
    local p ns
    for p in /proc/[0-9]*; do
        p="${p#/proc/}"
        if [[ "$p" == "$$" || "$p" == "$BASHPID" ]]; then continue; fi
        ns="$(readlink "/proc/$p/ns/net" 2>/dev/null)" || continue
        if [[ "$ns" == "${OWN_NETNS}" ]]; then echo "$p"; fi
    done
    return 0
}
rc=0
"$@" || rc=$?
pids="$(leftovers)"
if [[ -n "$pids" ]]; then
    echo "$0: ending leftover processes in the test namespace: $pids" >&2
    kill -TERM $pids 2>/dev/null || true
    sleep 1
    pids="$(leftovers)"
    if [[ -n "$pids" ]]; then kill -KILL $pids 2>/dev/null || true; fi
fi
exit "$rc"
