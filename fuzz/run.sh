#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each, one after
# another, and prints the executions, corpus size and outcome per target.
# Exits non-zero if any target crashed (or failed to build or run).
#
#   fuzz/run.sh SECONDS [TARGET...]
#
# Works on stable Rust: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its nightly
# flags (-Zsanitizer=address, ...). Installs cargo-fuzz if it is missing.
# Seeds (fuzz/seeds/<target>/, committed) are copied into
# fuzz/corpus/<target>/ (ignored by git), where libFuzzer adds what it finds.
# Crash inputs land in fuzz/artifacts/<target>/; logs in $FUZZ_LOG_DIR
# (default /tmp/usso-fuzz-logs).
set -uo pipefail

if [[ $# -lt 1 || ! $1 =~ ^[0-9]+$ ]]; then
    echo "usage: $0 SECONDS [TARGET...]" >&2
    exit 2
fi
seconds=$1
shift

cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1
log_dir=${FUZZ_LOG_DIR:-/tmp/usso-fuzz-logs}
mkdir -p "$log_dir"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is missing; installing it" >&2
    cargo install cargo-fuzz --locked || cargo install cargo-fuzz || exit 2
fi

if [[ $# -gt 0 ]]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

echo "building ${targets[*]}" >&2
for target in "${targets[@]}"; do
    if ! cargo fuzz build "$target" >"$log_dir/build-$target.log" 2>&1; then
        echo "build of $target failed; see $log_dir/build-$target.log" >&2
        exit 2
    fi
done

status=0
summary=()
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target"
    if [[ -d "seeds/$target" ]]; then
        cp -n "seeds/$target"/* "corpus/$target/" 2>/dev/null || true
    fi
    log="$log_dir/$target.log"
    echo "fuzzing $target for ${seconds}s (log: $log)" >&2
    started=$(date +%s)
    cargo fuzz run "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=16384 \
        -timeout=60 -print_final_stats=1 >"$log" 2>&1
    code=$?
    took=$(($(date +%s) - started))
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
    if [[ -z $execs ]]; then
        execs=$(grep -oE '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 | grep -oE '[0-9]+')
    fi
    files=$(find "corpus/$target" -type f | wc -l)
    bytes=$(find "corpus/$target" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
    if [[ $code -eq 0 ]]; then
        result="ok"
    else
        result="FAILED (exit $code; see $log and artifacts/$target/)"
        status=1
    fi
    summary+=("$(printf '%-18s %6ss %12s execs %6s corpus files %10s bytes  %s' \
        "$target" "$took" "${execs:-?}" "$files" "$bytes" "$result")")
done

echo
printf '%s\n' "${summary[@]}"
exit $status
