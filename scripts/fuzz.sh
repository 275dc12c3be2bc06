#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer + AddressSanitizer) of the parsers that see peer bytes.
#
#   scripts/fuzz.sh [TARGET|all] [SECONDS]   build, then fuzz TARGET (default all) SECONDS each (default 30)
#   scripts/fuzz.sh build                    only build the fuzz targets
#   scripts/fuzz.sh list                     list the targets
#   scripts/fuzz.sh seeds                    regenerate the built-in seeds into Fuzz/Corpus/<target>/
#   scripts/fuzz.sh repro TARGET FILE...     run TARGET once on FILE(s) (a crash reproducer)
#
# Targets live in Fuzz/ (a separate SwiftPM package depending on this one by path) and build
# into .build-fuzz/. Each run starts from the committed seeds in Fuzz/Corpus/<target>/ plus
# the working corpus kept in .build-fuzz/corpus/<target>/. Exits non-zero if any target
# crashed, leaked or timed out, and prints the reproducer path.
# Extra libFuzzer flags: FUZZ_ARGS="-max_len=2048 ...".
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCRATCH="$ROOT/.build-fuzz"
BIN="$SCRATCH/release"
TARGETS=(stun ice rtp rtcp srtp dtls sdp json janus videoroom transport)
# Crash backtraces from the Swift runtime would stall each crash for 30 s.
export SWIFT_BACKTRACE=enable=no
# Leak detection: Swift's runtime caches (metadata, conformances) look like leaks.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}"

build() {
    echo "== building fuzz targets (release, -sanitize=fuzzer,address) into .build-fuzz/"
    (cd "$ROOT/Fuzz" && swift build -c release --scratch-path "$SCRATCH" \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -g) || { echo "fuzz build failed" >&2; exit 2; }
}

run_target() {
    local target="$1" seconds="$2"
    local exe="$BIN/fuzz-$target"
    local seeds="$ROOT/Fuzz/Corpus/$target"
    local work="$SCRATCH/corpus/$target"
    local artifacts="$SCRATCH/artifacts/$target/"
    local log="$SCRATCH/logs/$target.log"
    mkdir -p "$work" "$artifacts" "$(dirname "$log")" "$seeds"
    local dict=()
    [[ -f "$ROOT/Fuzz/Dictionaries/$target.dict" ]] && dict=(-dict="$ROOT/Fuzz/Dictionaries/$target.dict")
    echo "== fuzz-$target for ${seconds}s (log: ${log#$ROOT/})"
    # shellcheck disable=SC2086
    "$exe" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
        -artifact_prefix="$artifacts" "${dict[@]}" ${FUZZ_ARGS:-} "$work" "$seeds" >"$log" 2>&1
    local status=$?
    local runs speed
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    if [[ $status -ne 0 ]]; then
        echo "!! fuzz-$target FAILED (exit $status)"
        grep -E "ERROR: (AddressSanitizer|libFuzzer)|FUZZ INVARIANT|Fatal error|SUMMARY" "$log" | head -5
        local repro
        repro=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
        echo "   reproducer: ${repro:-<none written, see log>}"
        echo "   replay:     scripts/fuzz.sh repro $target ${repro:-FILE}"
        return 1
    fi
    echo "   ok: ${runs:-?} executions (${speed:-?}/s), corpus $(ls "$work" | wc -l) files"
    return 0
}

cmd="${1:-all}"
case "$cmd" in
    list)
        printf '%s\n' "${TARGETS[@]}"
        exit 0
        ;;
    build)
        build
        exit 0
        ;;
    seeds)
        build
        for t in stun ice rtp rtcp srtp dtls; do
            mkdir -p "$ROOT/Fuzz/Corpus/$t"
            FUZZ_WRITE_SEEDS="$ROOT/Fuzz/Corpus/$t" "$BIN/fuzz-$t" || exit 1
        done
        exit 0
        ;;
    repro)
        target="${2:?usage: scripts/fuzz.sh repro TARGET FILE...}"
        shift 2
        [[ -x "$BIN/fuzz-$target" ]] || build
        exec "$BIN/fuzz-$target" -runs=1 "$@"
        ;;
esac

seconds="${2:-30}"
if [[ "$cmd" == all ]]; then
    selected=("${TARGETS[@]}")
else
    [[ " ${TARGETS[*]} " == *" $cmd "* ]] || { echo "unknown target '$cmd' (scripts/fuzz.sh list)" >&2; exit 2; }
    selected=("$cmd")
fi
build
failed=()
for t in "${selected[@]}"; do
    run_target "$t" "$seconds" || failed+=("$t")
done
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "== FAILED: ${failed[*]}"
    exit 1
fi
echo "== all fuzz targets ran clean"
