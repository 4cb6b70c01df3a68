#!/bin/sh
# Creates, once, everything the deployment needs in ${KEYS_DIR:-/keys}:
#   jwt.pem  PKCS#8 P-256 key the servers sign tokens with (FAAS_JWT_PRIVATE_KEY_FILE)
#   jwt.pub  its public half, for APISIX's jwt-auth consumer (ES256)
#   tls.crt / tls.key  self-signed certificate APISIX serves on 9443
# Existing files are kept, so restarts never rotate keys (and never log users out).
set -eu
dir=${KEYS_DIR:-/keys}
owner=${KEYS_OWNER:-10001:10001}
cn=${TLS_CN:-localhost}
mkdir -p "$dir"
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
echo "keygen: keys ready in $dir"
