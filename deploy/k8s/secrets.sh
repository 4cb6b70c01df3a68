#!/bin/sh
# Prints the Secrets of deploy/k8s as YAML, made by deploy/keygen.sh (the same
# keys, passwords and NATS users as compose, the stack and Kumori). Nothing is
# written into the repository; pipe it to kubectl:
#   sh deploy/k8s/secrets.sh | kubectl apply -f -
#   sh deploy/k8s/secrets.sh ./faas-secrets | kubectl apply -f -   # keep the files
# With a directory the files are kept there (and reused on the next run, as
# keygen reuses them), otherwise they live in a temporary directory that is
# removed. Needs openssl and kubectl (no cluster: --dry-run=client).
#   faas-jwt          jwt.pem                        servers
#   faas-gateway      jwt.pub, tls.crt, tls.key      APISIX
#   faas-server-auth  server.password, request.key, secrets.key   servers
#   faas-worker-auth  worker.password, request.key, secrets.key   workers
#   faas-nats-auth    nats.conf, cluster.conf        NATS (cluster.conf: overlays/prod)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
namespace=${NAMESPACE:-faas}
if [ $# -gt 0 ]; then
    dir=$1
    mkdir -p "$dir"
else
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
fi
KEYS_DIR="$dir/keys" SERVER_AUTH_DIR="$dir/server" WORKER_AUTH_DIR="$dir/worker" \
    NATS_AUTH_DIR="$dir/nats" KEYS_OWNER="$(id -u):$(id -g)" TLS_CN="${FAAS_DOMAIN:-localhost}" \
    NATS_AUTH_TEMPLATE="$here/../nats/auth.conf" sh "$here/../keygen.sh" >&2

# keygen's cluster.conf routes to compose's nats-1..3; the StatefulSet's nodes are
# nats-0.nats .. nats-2.nats (same users, same route password).
route=$(cat "$dir/nats/route.password")
(
    umask 077
    cat >"$dir/nats/k8s-cluster.conf" <<CONF
include "nats.conf"
# Routes between the nodes of StatefulSet nats (deploy/k8s/overlays/prod), with
# their own password.
cluster {
  name: faas
  listen: 0.0.0.0:6222
  authorization { user: route, password: "$route" }
  routes: [
    "nats://route:$route@nats-0.nats:6222"
    "nats://route:$route@nats-1.nats:6222"
    "nats://route:$route@nats-2.nats:6222"
  ]
}
CONF
)

secret() {
    name=$1
    shift
    echo "---"
    kubectl create secret generic "$name" --namespace "$namespace" "$@" \
        --dry-run=client -o yaml
}
secret faas-jwt --from-file="$dir/keys/jwt.pem"
secret faas-gateway --from-file="$dir/keys/jwt.pub" --from-file="$dir/keys/tls.crt" \
    --from-file="$dir/keys/tls.key"
secret faas-server-auth --from-file="$dir/server/server.password" \
    --from-file="$dir/server/request.key" --from-file="$dir/server/secrets.key"
secret faas-worker-auth --from-file="$dir/worker/worker.password" \
    --from-file="$dir/worker/request.key" --from-file="$dir/worker/secrets.key"
secret faas-nats-auth --from-file="$dir/nats/nats.conf" \
    --from-file=cluster.conf="$dir/nats/k8s-cluster.conf"
