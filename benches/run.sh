#!/usr/bin/env bash
# Builds faas-server and faas-bench (release) and runs the benchmark harness.
# The report goes to stdout, progress to stderr, the chart to --chart (default
# latency-by-concurrency.svg). Options: see `faas-bench --help`, e.g.
#   bash benches/run.sh --rounds 30 --jobs 32 --chart docs/benchmarks-latency.svg
#   bash benches/run.sh --quick
# Needs: docker, nats-server, the example images (scripts/build-function-images.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p faas-server -p faas-bench
exec "${CARGO_TARGET_DIR:-target}/release/faas-bench" "$@"
