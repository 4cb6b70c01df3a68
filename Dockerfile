# faas-server and faas-worker images, from one build. From the repository root:
#   docker build --target server -t faas/server:latest .
#   docker build --target worker -t faas/worker:latest .
# (docker-compose.yml builds both. On a machine with no registry use
# deploy/build-images.sh instead: the same runtime images, built FROM a
# debootstrapped base with binaries compiled on the host.)
FROM rust:1-bookworm AS build
# The worker links libseccomp (its OCI backend compiles the seccomp filter once).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libseccomp-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The server without its `dev` feature: no worker, no bollard in the API's image.
RUN cargo build --release --locked -p faas-server --no-default-features \
 && cargo build --release --locked -p faas-worker \
 && strip target/release/faas-server target/release/faas-worker
# The init of prewarmed containers runs inside function images (FROM scratch too):
# static, on the gnu target so the flag does not reach build scripts.
RUN RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --locked -p faas-init \
      --target x86_64-unknown-linux-gnu

# Both run as the unprivileged user 10001.
FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 faas \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin faas
USER 10001:10001

FROM runtime AS server
COPY --from=build /src/target/release/faas-server /usr/local/bin/faas-server
ENV FAAS_LISTEN=0.0.0.0:8080
EXPOSE 8080
# No curl in slim: bash's /dev/tcp speaks just enough HTTP/1.0 to read the status line.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${FAAS_LISTEN##*:} && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["/usr/local/bin/faas-server"]
CMD ["serve"]

# The worker drives the host's Docker Engine through /var/run/docker.sock; give it
# the socket's group at run time instead of running as root:
#   docker run --group-add "$(stat -c %g /var/run/docker.sock)" \
#     -v /var/run/docker.sock:/var/run/docker.sock faas/worker
# (docker-compose.yml does the same with DOCKER_GID). Whoever can use that socket
# controls the host: treat the worker like the Docker daemon itself.
FROM runtime AS worker
COPY --from=build /src/target/release/faas-worker /usr/local/bin/faas-worker
# Found beside the worker (FAAS_WORKER_INIT); the worker hands it to the engine as
# a named volume, so it works although the engine cannot see the worker's files.
COPY --from=build /src/target/x86_64-unknown-linux-gnu/release/faas-init /usr/local/bin/faas-init
# The worker serves no port; it is healthy while its process runs (Docker restarts
# it otherwise). The server's /readyz checks NATS only, not workers: with no worker
# running, invocations answer 503 no_capacity after the queue timeout. On SIGTERM it
# finishes what it runs (up to 310 s): give it `docker stop -t 320` (compose and the
# stack set stop_grace_period: 320s).
HEALTHCHECK NONE
ENTRYPOINT ["/usr/local/bin/faas-worker"]
