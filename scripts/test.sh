#!/usr/bin/env bash
# Runs every faas test against real parts: a real nats-server and the local Docker
# Engine. Builds the example function images first (offline, from busybox-static),
# and the deployment images (faas/server, worker, keygen, nats :test) that the
# compose tests start with docker-compose.
# Usage: bash scripts/test.sh [extra cargo-nextest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v nats-server >/dev/null || missing+=("nats-server (apt-get install nats-server)")
[ -x /bin/busybox ] || missing+=("busybox-static (apt-get install busybox-static)")
command -v docker >/dev/null && docker info >/dev/null 2>&1 || missing+=("a running Docker Engine")
command -v cargo-nextest >/dev/null || missing+=("cargo-nextest (cargo install cargo-nextest)")
command -v docker-compose >/dev/null || missing+=("docker-compose (apt-get install docker-compose)")
docker image inspect faas/debian-base:bookworm >/dev/null 2>&1 || command -v debootstrap >/dev/null ||
  missing+=("debootstrap, to make the base image once (apt-get install debootstrap)")
if [ ${#missing[@]} -gt 0 ]; then
  echo "scripts/test.sh: missing: ${missing[*]}" >&2
  exit 1
fi

bash scripts/build-function-images.sh
TAG=test PROFILE=debug bash deploy/build-images.sh
cargo nextest run --workspace --no-fail-fast "$@"
