#!/bin/sh
# Creates, once, everything the deployment needs, each part in the directory of the
# services that need it (so each service mounts only its own secrets):
#   ${KEYS_DIR:-/keys}                  servers and APISIX
#     jwt.pem  PKCS#8 P-256 key the servers sign tokens with (FAAS_JWT_PRIVATE_KEY_FILE)
#     jwt.pub  its public half, for APISIX's jwt-auth consumer (ES256)
#     tls.crt / tls.key  self-signed certificate APISIX serves on 9443
#   ${SERVER_AUTH_DIR:-/server-auth}    servers
#     server.password  the servers' NATS password (FAAS_NATS_PASSWORD_FILE)
#     request.key      signs activation requests (FAAS_REQUEST_KEY_FILE)
#     secrets.key      seals users' secrets at rest (FAAS_SECRETS_KEY_FILE)
#   ${WORKER_AUTH_DIR:-/worker-auth}    workers
#     worker.password  the workers' NATS password (FAAS_NATS_PASSWORD_FILE)
#     request.key      the same key, to verify requests (FAAS_REQUEST_KEY_FILE)
#     secrets.key      the same key, to open the secrets functions read
#   ${NATS_AUTH_DIR:-/nats-auth}        NATS
#     nats.conf        users and permissions (deploy/nats/auth.conf) with the
#                      passwords: `nats-server -c nats.conf`
#     cluster.conf     nats.conf plus the cluster routes and their password, for
#                      docker-compose.cluster.yml
#     kumori-cluster.conf  for Kumori's NATS with more than one instance: nats.conf
#                      in one file (a Kumori secret is one file), each server named
#                      after its host, routes to instance 0 with the route password
# Existing secrets are kept, so restarts never rotate keys (and never log users
# out); nats.conf and cluster.conf are written again from them each time.
# All directories may be the same one (e.g. to make Swarm or Kumori secrets).
set -eu
dir=${KEYS_DIR:-/keys}
server_dir=${SERVER_AUTH_DIR:-/server-auth}
worker_dir=${WORKER_AUTH_DIR:-/worker-auth}
nats_dir=${NATS_AUTH_DIR:-/nats-auth}
template=${NATS_AUTH_TEMPLATE:-/usr/local/share/faas/nats-auth.conf}
owner=${KEYS_OWNER:-10001:10001}
cn=${TLS_CN:-localhost}
mkdir -p "$dir" "$server_dir" "$worker_dir" "$nats_dir"

# A random secret in file $1 unless it has one.
secret() {
    if [ ! -s "$1" ]; then
        openssl rand -hex 32 >"$1.tmp"
        mv "$1.tmp" "$1"
        echo "keygen: new $(basename "$1")"
    fi
}

cd "$dir"
if [ ! -s jwt.pem ]; then
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out jwt.pem.tmp
    mv jwt.pem.tmp jwt.pem
    echo "keygen: new JWT signing key"
fi
[ -s jwt.pub ] || openssl pkey -in jwt.pem -pubout -out jwt.pub
if [ ! -s tls.crt ] || [ ! -s tls.key ]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 \
        -subj "/CN=$cn" -addext "subjectAltName=DNS:$cn,DNS:faas.local,IP:127.0.0.1" \
        -keyout tls.key -out tls.crt 2>/dev/null
    echo "keygen: new self-signed TLS certificate for $cn"
fi
chown "$owner" jwt.pem jwt.pub tls.crt tls.key
chmod 0400 jwt.pem tls.key
chmod 0444 jwt.pub tls.crt

secret "$server_dir/server.password"
secret "$worker_dir/worker.password"
secret "$server_dir/request.key"
secret "$server_dir/secrets.key"
secret "$nats_dir/route.password"
for shared in request.key secrets.key; do
    if [ "$worker_dir/$shared" -ef "$server_dir/$shared" ]; then :; else
        rm -f "$worker_dir/$shared"
        cp "$server_dir/$shared" "$worker_dir/$shared"
    fi
done
chown "$owner" "$server_dir/server.password" "$server_dir/request.key" \
    "$server_dir/secrets.key" "$worker_dir/worker.password" "$worker_dir/request.key" \
    "$worker_dir/secrets.key"
chmod 0400 "$server_dir/server.password" "$server_dir/request.key" \
    "$server_dir/secrets.key" "$worker_dir/worker.password" "$worker_dir/request.key" \
    "$worker_dir/secrets.key"

# The NATS config: the passwords, then the users and permissions (faas-server dev
# writes the same file from the same template).
route=$(cat "$nats_dir/route.password")
umask 077
{
    printf 'server_password: "%s"\n' "$(cat "$server_dir/server.password")"
    printf 'worker_password: "%s"\n\n' "$(cat "$worker_dir/worker.password")"
    cat "$template"
} >"$nats_dir/nats.conf.tmp"
mv "$nats_dir/nats.conf.tmp" "$nats_dir/nats.conf"
cat >"$nats_dir/cluster.conf.tmp" <<CONF
include "nats.conf"
# Routes between the nodes of docker-compose.cluster.yml, with their own password.
cluster {
  name: faas
  listen: 0.0.0.0:6222
  authorization { user: route, password: "$route" }
  routes: [
    "nats://route:$route@nats-1:6222"
    "nats://route:$route@nats-2:6222"
    "nats://route:$route@nats-3:6222"
  ]
}
CONF
mv "$nats_dir/cluster.conf.tmp" "$nats_dir/cluster.conf"
{
    cat "$nats_dir/nats.conf"
    cat <<CONF

# Kumori's NATS cluster (kumori/components/nats, hsize > 1). A JetStream cluster
# needs a unique server name per instance: the host name, which Kubernetes sets to
# the pod's name, kept across container restarts (kumori/README.md).
server_name: \$HOSTNAME
cluster {
  name: faas
  listen: 0.0.0.0:6222
  authorization { user: route, password: "$route" }
  # Instance 0 on the duplex channel "cluster"; the others are found from it.
  routes: ["nats://route:$route@0.cluster:6222"]
}
CONF
} >"$nats_dir/kumori-cluster.conf.tmp"
mv "$nats_dir/kumori-cluster.conf.tmp" "$nats_dir/kumori-cluster.conf"
chmod 0400 "$nats_dir/nats.conf" "$nats_dir/cluster.conf" "$nats_dir/kumori-cluster.conf" \
    "$nats_dir/route.password"
echo "keygen: keys ready in $dir, $server_dir, $worker_dir, $nats_dir"
