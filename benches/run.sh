#!/usr/bin/env bash
# Builds faas-server, faas-worker, faas-init and faas-bench (release) and runs the
# benchmark harness on both worker backends (--backends docker,oci).
# The report goes to stdout, progress to stderr, the chart to --chart (default
# latency-by-concurrency.svg). Options: see `faas-bench --help`, e.g.
#   bash benches/run.sh --rounds 30 --jobs 32 --chart docs/benchmarks-latency.svg
#   bash benches/run.sh --quick
#   bash benches/run.sh load --seconds 60 --users 3
# Needs: docker, nats-server, the example images (scripts/build-function-images.sh);
# the oci backend also needs root and crun or runc (left out, with the reason, if not).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p faas-server -p faas-worker -p faas-bench
# The static init of prewarmed containers (and of every OCI container), for the
# workers the harness starts.
RUSTFLAGS="-C target-feature=+crt-static" cargo build --release -q -p faas-init \
  --target x86_64-unknown-linux-gnu
# Absolute: the OCI worker bind-mounts it into each container as given, and crun
# resolves a relative source against its own directory.
target="$(realpath "${CARGO_TARGET_DIR:-target}")"
export FAAS_WORKER_INIT="$target/x86_64-unknown-linux-gnu/release/faas-init"
exec "$target/release/faas-bench" "$@"
