#!/usr/bin/env bash
# Builds the example function images offline: a FROM-scratch busybox base, then one
# image per folder of examples/functions, tagged faas-examples/<name>:latest.
# Idempotent; re-runs are served from Docker's build cache.
set -euo pipefail
cd "$(dirname "$0")/../examples/functions"

command -v docker >/dev/null || { echo "docker is not installed" >&2; exit 1; }
busybox=/bin/busybox
# The images have no libc, so busybox must be the static build.
if ! [ -x "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
  echo "a static busybox is needed at $busybox: apt-get install busybox-static" >&2
  exit 1
fi

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
# Quiet builds: Docker's output (and its legacy-builder notice) only on failure.
build() {
  docker build -q -t "$1" "$2" >/dev/null 2>"$context/build.log" || { cat "$context/build.log" >&2; exit 1; }
  echo "built $1"
}
cp base/Dockerfile "$context/"
cp "$busybox" "$context/busybox"
build faas-examples/busybox:latest "$context"

for dir in */; do
  name=${dir%/}
  [ "$name" = base ] && continue
  build "faas-examples/$name:latest" "$name"
done
