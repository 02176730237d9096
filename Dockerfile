# syntax=docker/dockerfile:1
# clusterdns container image: the same process as `node dist/cli.js`, run as CoreDNS's image runs.
#
#   docker build -t ghcr.io/clusterdns/clusterdns:0.1.0 .
#   docker run --rm -p 1053:53/udp -v "$PWD/my-Corefile:/etc/coredns/Corefile:ro" ghcr.io/clusterdns/clusterdns:0.1.0
#
# Layout of the final image (test/e2e/image-layout.e2e.test.ts rebuilds it without Docker and runs it):
#   /app/dist               compiled JavaScript (npm run build)
#   /app/node_modules       production dependencies only (npm ci --omit=dev): the `node` and
#                           `typescript` devDependencies never reach the image
#   /app/package.json       "type": "module" and the version the banner prints
#   /etc/coredns/Corefile   default config (kubeadm's Corefile); Kubernetes mounts the ConfigMap over it
# Runs as uid/gid 65532 (distroless "nonroot") and writes nothing, so readOnlyRootFilesystem works.
# Port 53 as non-root: the pod sets net.ipv4.ip_unprivileged_port_start=0 (see deploy/deployment.yaml
# and docs/install.md); elsewhere give the container NET_BIND_SERVICE and run node with that file
# capability, or serve a high port (-dns.port / `.:1053`).

ARG BUILD_IMAGE=node:24-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot

# 1. Compile TypeScript (needs the devDependencies: typescript, the pinned node).
FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

# 2. Production dependencies only, from the lockfile; no install scripts run.
FROM ${BUILD_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# 3. Runtime: distroless Node 24 (no shell, no package manager), non-root.
FROM ${RUNTIME_IMAGE}
LABEL org.opencontainers.image.title="clusterdns" \
      org.opencontainers.image.description="Kubernetes-aware DNS server, drop-in for CoreDNS with its kubernetes plugin" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
COPY Corefile.example /etc/coredns/Corefile
USER 65532:65532
# DNS, prometheus, health, ready (CoreDNS's ports).
EXPOSE 53/udp 53/tcp 9153/tcp 8080/tcp 8181/tcp
# Distroless's own entrypoint is /nodejs/bin/node; name the script here so CMD holds only flags, as
# in CoreDNS's image (`args: [-conf, /etc/coredns/Corefile]` in a pod spec replaces CMD only).
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=1", "dist/cli.js"]
CMD ["-conf", "/etc/coredns/Corefile"]
