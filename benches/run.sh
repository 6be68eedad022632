#!/usr/bin/env bash
# Re-runs every benchmark in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
fi
cargo bench --bench verify
# The cost of the `metrics` counters (Prometheus recorder) and of an audit hook.
USSO_BENCH_ONLY=metrics cargo bench --bench verify --features usso/metrics
cargo bench --bench http
command -v redis-server >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server
cargo bench --bench revocation --features usso/redis
