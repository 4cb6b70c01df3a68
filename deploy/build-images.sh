#!/usr/bin/env bash
# Builds faas/server, faas/worker, faas/keygen and faas/nats without any container
# registry: binaries are compiled on this (Debian 12) host and copied onto a Debian
# bookworm base image made with debootstrap + docker import when it is not there yet.
# faas/nats carries the host's nats-server (apt-get install nats-server) laid out like
# the official nats image (/nats-server as entrypoint), so the compose files' NATS
# commands and health checks work unchanged with it.
#   deploy/build-images.sh            # release build, tag :latest
#   TAG=test PROFILE=debug deploy/build-images.sh     # what scripts/test.sh runs
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

# The server as the Dockerfile builds it: without `dev`, so no worker inside.
flags=(--locked)
[ "$profile" = release ] && flags+=(--release)
cargo build "${flags[@]}" -p faas-server --no-default-features
cargo build "${flags[@]}" -p faas-worker
# The init of prewarmed containers: static (it runs in any function image), on the
# gnu target so the flag does not reach build scripts; always optimized (it is tiny).
RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --locked -p faas-init \
    --target x86_64-unknown-linux-gnu

ctx=$(mktemp -d)
trap 'rm -rf "$ctx" ${root:+"$root"}' EXIT
for bin in faas-server faas-worker; do
    cp "${CARGO_TARGET_DIR:-target}/$profile/$bin" "$ctx/$bin"
    docker build -q -f deploy/Dockerfile.runtime --build-arg BASE="$base" \
        --build-arg BIN="$bin" -t "faas/${bin#faas-}:$tag" "$ctx"
done
# The worker finds faas-init beside itself (/usr/local/bin/app there).
cp "${CARGO_TARGET_DIR:-target}/x86_64-unknown-linux-gnu/release/faas-init" "$ctx/faas-init"
printf 'FROM faas/worker:%s\nCOPY faas-init /usr/local/bin/faas-init\n' "$tag" |
    docker build -q -t "faas/worker:$tag" -f - "$ctx"
docker build -q -f deploy/Dockerfile.keygen --build-arg BASE="$base" -t "faas/keygen:$tag" .
if nats=$(command -v nats-server); then
    cp "$nats" "$ctx/nats-server"
    printf 'FROM %s\nCOPY nats-server /nats-server\nENTRYPOINT ["/nats-server"]\n' "$base" |
        docker build -q -t "faas/nats:$tag" -f - "$ctx"
else
    echo "no nats-server on PATH: faas/nats:$tag not built (apt-get install nats-server)" >&2
fi
docker images --format '{{.Repository}}:{{.Tag}} {{.Size}}' |
    grep -E "^faas/(server|worker|keygen|nats):$tag |^$base "
