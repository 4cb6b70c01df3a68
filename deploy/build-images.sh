#!/usr/bin/env bash
# Builds faas/server, faas/worker and faas/keygen without any container registry:
# binaries are compiled on this (Debian 12) host and copied onto a Debian bookworm
# base image made with debootstrap + docker import when it is not there yet.
#   deploy/build-images.sh            # release build, tag :latest
#   TAG=dev PROFILE=debug deploy/build-images.sh
set -euo pipefail
cd "$(dirname "$0")/.."
base=${BASE:-faas/debian-base:bookworm}
tag=${TAG:-latest}
profile=${PROFILE:-release}

if ! docker image inspect "$base" >/dev/null 2>&1; then
    command -v debootstrap >/dev/null || { echo "need debootstrap: apt-get install -y debootstrap" >&2; exit 1; }
    root=$(mktemp -d)
    trap 'rm -rf "$root"' EXIT
    echo "making $base with debootstrap in $root"
    debootstrap --variant=minbase --include=ca-certificates,openssl bookworm "$root" \
        "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >/dev/null
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb
    tar -C "$root" -c . | docker import -c 'CMD ["/bin/bash"]' - "$base"
fi

if [ "$profile" = release ]; then
    cargo build --release --locked -p faas-server -p faas-worker
else
    cargo build --locked -p faas-server -p faas-worker
fi

ctx=$(mktemp -d)
trap 'rm -rf "$ctx" ${root:+"$root"}' EXIT
for bin in faas-server faas-worker; do
    cp "target/$profile/$bin" "$ctx/$bin"
    docker build -q -f deploy/Dockerfile.runtime --build-arg BASE="$base" \
        --build-arg BIN="$bin" -t "faas/${bin#faas-}:$tag" "$ctx"
done
docker build -q -f deploy/Dockerfile.keygen --build-arg BASE="$base" -t "faas/keygen:$tag" .
docker images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E '^faas/(server|worker|keygen|debian-base)'
