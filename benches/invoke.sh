#!/usr/bin/env bash
# Benchmark: one synchronous invoke of `reverse` through the API vs `docker run --rm`
# of the same image, measured in the same run on this machine, plus the idle RSS of
# faas-server and faas-worker. Prints a report; asserts nothing.
#
# Usage: bash benches/invoke.sh [ROUNDS]   (default 20)
# Needs: nats-server, docker, curl, the example images (scripts/build-function-images.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-20}
image=faas-examples/reverse:latest

cargo build --release -q -p faas-server -p faas-worker
work=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

nats-server -js -a 127.0.0.1 -p -1 -sd "$work/nats" 2>"$work/nats.log" &
pids+=($!)
for _ in $(seq 50); do grep -q "Listening for client connections" "$work/nats.log" && break; sleep 0.1; done
nats_port=$(grep -o 'client connections on [0-9.]*:[0-9]*' "$work/nats.log" | grep -o '[0-9]*$')
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/jwt.pem" 2>/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

export FAAS_NATS_URL=nats://127.0.0.1:$nats_port FAAS_JWT_PRIVATE_KEY_FILE=$work/jwt.pem \
  FAAS_LISTEN=127.0.0.1:$port RUST_LOG=warn
target/release/faas-server serve & pids+=($!); server_pid=$!
target/release/faas-worker & pids+=($!); worker_pid=$!
api=http://127.0.0.1:$port
for _ in $(seq 100); do curl -fs "$api/readyz" >/dev/null && break; sleep 0.1; done

json='Content-Type: application/json'
curl -fs -H "$json" -d '{"username":"bench","password":"benchmark password"}' "$api/v1/users" >/dev/null
token=$(curl -fs -H "$json" -d '{"username":"bench","password":"benchmark password"}' "$api/v1/auth/login" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
auth="Authorization: Bearer $token"
curl -fs -X PUT -H "$auth" -H "$json" -d "{\"image\":\"$image\"}" "$api/v1/functions/reverse" >/dev/null
sleep 2
rss() { awk '/VmRSS/ {printf "%.1f MiB", $2/1024}' "/proc/$1/status"; }
server_idle=$(rss "$server_pid"); worker_idle=$(rss "$worker_pid")

# Warm up both paths once.
curl -fs -H "$auth" -H 'Accept: text/plain' --data-binary hello "$api/v1/functions/reverse/invoke" >/dev/null
docker run --rm "$image" hello >/dev/null

ms() { date +%s%N; }
api_total=0; docker_total=0
for i in $(seq "$rounds"); do
  t0=$(ms); out=$(curl -fs -H "$auth" -H 'Accept: text/plain' --data-binary hello "$api/v1/functions/reverse/invoke"); t1=$(ms)
  [ "$out" = olleh ] || { echo "unexpected result: $out" >&2; exit 1; }
  api_total=$((api_total + t1 - t0))
  t0=$(ms); docker run --rm --network none "$image" hello >/dev/null; t1=$(ms)
  docker_total=$((docker_total + t1 - t0))
done
leftovers=$(docker ps -aq --filter label=io.faas.owner=bench | wc -l)

api_ms=$((api_total / rounds / 1000000)); docker_ms=$((docker_total / rounds / 1000000))
echo "faas invoke benchmark ($rounds rounds, interleaved, $(nproc) cores)"
echo "  faas API invoke (curl, text/plain):  mean ${api_ms} ms"
echo "  docker run --rm --network none:      mean ${docker_ms} ms"
python3 -c "print(f'  ratio faas / docker run:             {$api_total/$docker_total:.2f}')"
echo "  idle RSS faas-server:                $server_idle"
echo "  idle RSS faas-worker:                $worker_idle"
echo "  RSS after benchmark: server $(rss "$server_pid"), worker $(rss "$worker_pid")"
echo "  containers left behind:              $leftovers"
