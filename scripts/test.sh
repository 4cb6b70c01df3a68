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
command -v dot >/dev/null || missing+=("Graphviz, for the write-up's figures (apt-get install graphviz)")
command -v kubectl >/dev/null || missing+=("kubectl, to render deploy/k8s (apt-get install kubernetes-client)")
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=("python3 with venv, for schemathesis (apt-get install python3-venv)")
[ -e /usr/include/seccomp.h ] || missing+=("libseccomp-dev, which the worker links (apt-get install libseccomp-dev)")
[ -e /usr/share/containers/seccomp.json ] || missing+=("the default seccomp profile of the OCI backend (apt-get install golang-github-containers-common)")
docker image inspect faas/debian-base:bookworm >/dev/null 2>&1 || command -v debootstrap >/dev/null ||
  missing+=("debootstrap, to make the base image once (apt-get install debootstrap)")
if [ ${#missing[@]} -gt 0 ]; then
  echo "scripts/test.sh: missing: ${missing[*]}" >&2
  exit 1
fi

# schemathesis (api/tests/suite/schemathesis.rs), the version pinned in
# tests/schemathesis/requirements.txt, in a venv of its own; reinstalled only when
# the pin changes.
venv=.venv-schemathesis
if ! cmp -s tests/schemathesis/requirements.txt "$venv/requirements.txt"; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/schemathesis/requirements.txt
  cp tests/schemathesis/requirements.txt "$venv/requirements.txt"
fi

bash scripts/build-function-images.sh
TAG=test PROFILE=debug bash deploy/build-images.sh
cargo nextest run --workspace --no-fail-fast "$@"
