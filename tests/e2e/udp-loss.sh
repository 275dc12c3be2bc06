#!/usr/bin/env bash
# Drop N% of incoming UDP inside the test network namespace (the kernel has
# no netem qdisc). Dropping on the input hook loses the packet on the wire;
# dropping on output would make the sender's sendto() fail instead.
#
# Usage (inside tests/e2e/run-in-netns.sh only):
#   tests/e2e/udp-loss.sh 5      # drop 5% of incoming UDP
#   tests/e2e/udp-loss.sh off    # remove the rule
set -euo pipefail

own="$(readlink /proc/self/ns/net)"
if [[ "${SFU_NETNS:-}" != 1 || -z "$own" || -z "${SFU_OUTER_NETNS:-}" || "$own" == "${SFU_OUTER_NETNS}" ]]; then
    echo "$0: only inside tests/e2e/run-in-netns.sh (refusing to touch the host's nftables)" >&2
    exit 2
fi

case "${1:-}" in
    off)
        nft delete table inet loss 2>/dev/null || true
        ;;
    ''|*[!0-9]*)
        echo "usage: $0 PERCENT|off" >&2
        exit 2
        ;;
    *)
        if (( $1 > 100 )); then echo "$0: percent must be 0..100" >&2; exit 2; fi
        nft delete table inet loss 2>/dev/null || true
        nft add table inet loss
        nft add chain inet loss input '{ type filter hook input priority 0; policy accept; }'
        nft add rule inet loss input meta l4proto udp numgen random mod 100 '<' "$1" drop
        ;;
esac
