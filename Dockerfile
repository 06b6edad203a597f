# One image per service of the shop, all from this file:
#   docker build --platform linux/amd64 --build-arg SERVICE=order-service -t stitch/order-service .
# Configuration comes only from the environment at `docker run` (DATABASE_URL, STITCH_SHOP_ID, MESSAGING_TRANSPORT,
# the transport's settings, PORT, the storefront's secrets...); nothing secret is built in.
#
# BASE can name a local stand-in for the official image where no registry is reachable (.ci/containers.sh).
ARG BASE=node:24-bookworm-slim

# The workspace's package.json files and the lockfile, alone: the installs below depend on nothing else, so a change
# to the code rebuilds neither of them, and every service shares them.
FROM ${BASE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
    && find . -maxdepth 4 -name node_modules -prune -o \( -name package.json -o -name package-lock.json \) \
       -exec cp --parents -t /manifests {} +

# Every dependency (the build needs Nx, Prisma's generator and swc), then the code; SERVICE comes after both so the
# services share these layers.
FROM ${BASE} AS build
ENV NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false CI=true
WORKDIR /src
COPY --from=manifests /manifests/ ./
# The CA secret: a registry behind a TLS-intercepting proxy is reached with its certificate authority, passed as a
# build secret (--secret id=ca,src=...) so it never lands in a layer; without it npm uses Node's own CAs.
RUN --mount=type=secret,id=ca,required=false \
    NODE_EXTRA_CA_CERTS=/run/secrets/ca npm ci --no-audit --no-fund --loglevel=error
COPY . .
ARG SERVICE
RUN test -n "${SERVICE}" || { echo "--build-arg SERVICE=<a service of libs/manifest> is required" >&2; exit 1; }; \
    npx nx run "${SERVICE}:build" --outputStyle=static

FROM ${BASE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=manifests /manifests/ ./
# Production dependencies only; no install scripts (nothing the services run needs one, and the build tools that do
# are not installed).
RUN --mount=type=secret,id=ca,required=false \
    NODE_EXTRA_CA_CERTS=/run/secrets/ca npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error \
    && npm cache clean --force \
    && mkdir -p /var/lib/stitch \
    && chown node:node /var/lib/stitch
ARG SERVICE
# HOST: every interface, so the published port reaches the service (its default, loopback, is for a developer's
# machine). STITCH_DATA_DIR: local state (the embedded transport's file, written mails) outside the code, where the
# node user may write; mount a volume there to keep it.
ENV STITCH_SERVICE=${SERVICE} \
    HOST=0.0.0.0 \
    STITCH_DATA_DIR=/var/lib/stitch
COPY --from=build /src/dist/${SERVICE}/ ./
WORKDIR /app/apps/${SERVICE}
USER node
# Nest closes the HTTP server, the consumer and the database on SIGTERM (enableShutdownHooks), so node runs as PID 1
# and receives it directly.
STOPSIGNAL SIGTERM
# Liveness only: readiness fails while a dependency is down, and restarting the container would not bring it back.
# The port is PORT when set, else the service's port in the manifest (the service's own default).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["node", "-e", "const port = process.env.PORT || require('@stitch/manifest').serviceEntry(process.env.STITCH_SERVICE).port; fetch(`http://127.0.0.1:${port}/health/live`, { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));"]
CMD ["node", "--enable-source-maps", "src/main.js"]
