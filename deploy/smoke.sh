#!/usr/bin/env bash
# Compose smoke test without a registry and without APISIX: builds the images from
# host binaries (deploy/build-images.sh), runs nats + 2 servers + 3 workers, then
# register / login / add / invoke against server-1 directly, and counts which worker
# ran each activation (Docker `start` events of containers labelled io.faas.worker).
# Tears everything down (volumes included) at the end. Not part of CI.
#   deploy/smoke.sh [INVOCATIONS]      (default 12)
# Needs: docker, docker-compose, curl, python3, the example image
# faas-examples/reverse (scripts/build-function-images.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-12}
export SMOKE_PORT=${SMOKE_PORT:-18080}
export DOCKER_GID=$(stat -c %g /var/run/docker.sock)
compose=(docker-compose -p faas-smoke -f docker-compose.yml -f deploy/smoke.override.yml)
start=$(date +%s)

deploy/build-images.sh >/dev/null
ctx=$(mktemp -d)
cp "$(command -v nats-server)" "$ctx/nats-server"
printf 'FROM faas/debian-base:bookworm\nCOPY nats-server /usr/local/bin/nats-server\n' |
    docker build -q -t faas/nats-host:smoke -f - "$ctx" >/dev/null
rm -rf "$ctx"

events=$(mktemp)
cleanup() {
    kill "${events_pid:-}" 2>/dev/null || true
    "${compose[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
    rm -f "$events"
}
trap cleanup EXIT

"${compose[@]}" up -d --scale worker=3 nats server-1 server-2 worker
api=http://127.0.0.1:$SMOKE_PORT
for _ in $(seq 60); do curl -fsS "$api/readyz" >/dev/null 2>&1 && break; sleep 1; done
curl -fsS "$api/readyz"; echo

docker events --filter label=io.faas.worker --filter event=start \
    --format '{{index .Actor.Attributes "io.faas.worker"}}' >"$events" &
events_pid=$!

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
user=smoke$RANDOM
curl -fsS -X POST "$api/v1/users" -H 'content-type: application/json' \
    -d "{\"username\":\"$user\",\"password\":\"smoke-password-1\"}"; echo
token=$(curl -fsS -X POST "$api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"$user\",\"password\":\"smoke-password-1\"}" | json '["token"]')
auth=(-H "authorization: Bearer $token")
curl -fsS -X PUT "$api/v1/functions/reverse" "${auth[@]}" -H 'content-type: application/json' \
    -d '{"image":"faas-examples/reverse:latest"}' >/dev/null
pids=()
for i in $(seq "$n"); do
    curl -fsS -X POST "$api/v1/functions/reverse/invoke" "${auth[@]}" \
        -H 'content-type: application/json' -d "{\"param\":\"hello $i\"}" \
        -o "$events.out.$i" & pids+=($!)
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
sleep 1
echo "sample result: $(json '["result"]' <"$events.out.1")"
rm -f "$events".out.*
echo "invocations: $n, failed: $failed"
echo "activations per worker:"
sort "$events" | uniq -c
echo "run time: $(( $(date +%s) - start )) s"
[ "$failed" -eq 0 ]
