# Shared by compare-janus.sh and scenarios.sh (sourced, inside the private network namespace
# that tests/e2e/run-in-netns.sh makes): start one server — our sfu-server or the real
# Janus 1.1.2 (videoroom only) — on $SERVER_ADDR, wait until its API answers, stop it.
# Sets SERVER_PID, HTTP_URL and WS_URL. Needs ROOT and WORK.
SERVER_ADDR="${SFU_TEST_ADDRESS:-10.203.0.1}"
PEER_ADDR="${SFU_PEER_ADDRESS:-10.203.0.2}"
LOAD="${SFU_LOAD_BIN:-$ROOT/Benchmarks/.build/release/sfu-load}"
SERVER_BIN="${SFU_SERVER_BIN:-$ROOT/.build/release/sfu-server}"
SERVER_PID=""

# libnice pins its sockets to the interface (IP_UNICAST_IF = veth-sfu0), so Janus's packets to
# the peer address leave through the veth pair and arrive on veth-sfu1 from an address that is
# local too: accept them (these sysctls belong to the private namespace only).
allow_local_veth_traffic() {
    for conf in all default veth-sfu0 veth-sfu1; do
        sysctl -q -w "net.ipv4.conf.$conf.accept_local=1" "net.ipv4.conf.$conf.rp_filter=0" >/dev/null 2>&1 || true
    done
}

wait_http() {
    for _ in $(seq 100); do
        if curl -s -m 1 -X POST -d '{"janus":"info","transaction":"x"}' "http://$SERVER_ADDR:$1/janus" | grep -q server_info; then return 0; fi
        sleep 0.1
    done
    echo "server on port $1 did not come up" >&2; return 1
}

stop_server() {
    if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    SERVER_PID=""
}

# start_server swift|janus LOGNAME
start_server() {
    case "$1" in
    swift)
        "$SERVER_BIN" --ice-address "$SERVER_ADDR" --http "$SERVER_ADDR:18088" --ws "$SERVER_ADDR:18188" \
            --media-ports 41000-41010 --log-level error ${SFU_SERVER_ARGS:-} >"$WORK/$2.log" 2>&1 &
        SERVER_PID=$!; HTTP_URL="http://$SERVER_ADDR:18088/janus"; WS_URL="ws://$SERVER_ADDR:18188"
        wait_http 18088 ;;
    janus)
        python3 -c "
import sys; sys.path.insert(0, '$ROOT/tests/e2e')
from pathlib import Path
from janus_config import write_janus_config
write_janus_config(Path('$WORK/janus-conf'), http=('$SERVER_ADDR', 18089), ws=('$SERVER_ADDR', 18189),
                   ice_addresses=['$SERVER_ADDR'], media_ports=(42000, 44000), debug_level=int('${JANUS_DEBUG:-2}'), plugins=('videoroom',))"
        if [[ "${JANUS_NICE_DEBUG:-}" == 1 ]]; then sed -i 's/nice_debug = false/nice_debug = true/' "$WORK/janus-conf/janus.jcfg"; fi
        janus -F "$WORK/janus-conf" -C "$WORK/janus-conf/janus.jcfg" >"$WORK/$2.log" 2>&1 &
        SERVER_PID=$!; HTTP_URL="http://$SERVER_ADDR:18089/janus"; WS_URL="ws://$SERVER_ADDR:18189"
        wait_http 18089 ;;
    *) echo "unknown server $1" >&2; return 2 ;;
    esac
}
