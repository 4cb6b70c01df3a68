#!/usr/bin/env bash
# Builds the example function images offline: a FROM-scratch busybox base, then one
# image per folder of examples/functions, tagged faas-examples/<name>:latest.
# Idempotent; re-runs are served from Docker's build cache.
set -euo pipefail
export DOCKER_BUILDKIT=0  # the legacy builder, quietly: no buildx here
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
cp base/Dockerfile "$context/"
cp "$busybox" "$context/busybox"
docker build -q -t faas-examples/busybox:latest "$context" >/dev/null
echo "built faas-examples/busybox:latest"

for dir in */; do
  name=${dir%/}
  [ "$name" = base ] && continue
  docker build -q -t "faas-examples/$name:latest" "$name" >/dev/null
  echo "built faas-examples/$name:latest"
done
