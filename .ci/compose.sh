# shellcheck shell=bash
# Functions for checking docker-compose.yml with podman-compose; sourcing this file defines them and does nothing else.
#   source .ci/compose.sh && check_compose_profiles
# Machines without Docker (CI here has none) still run podman-compose from PyPI, which parses, interpolates and
# resolves a compose file as docker compose does.

PODMAN_COMPOSE_VERSION=1.6.0

# podman-compose in its own venv under .tools/podman-compose, installed from PyPI when missing or of another version.
ensure_podman_compose() {
  local root=${1:-.}
  local venv="$root/.tools/podman-compose"
  if [ -x "$venv/bin/podman-compose" ] && [ "$("$venv/bin/podman-compose" --version 2>/dev/null | awk '{print $NF; exit}')" = "$PODMAN_COMPOSE_VERSION" ]; then
    return 0
  fi
  echo "installing podman-compose $PODMAN_COMPOSE_VERSION into $venv"
  python3 -m venv "$venv" || return 1
  "$venv/bin/pip" install --quiet --disable-pip-version-check "podman-compose==$PODMAN_COMPOSE_VERSION" || return 1
}

# The profiles docker-compose.yml names, one a line (PyYAML comes with podman-compose).
compose_profiles() {
  local root=${1:-.}
  "$root/.tools/podman-compose/bin/python" -c '
import sys, yaml
services = yaml.safe_load(open(sys.argv[1]))["services"]
print("\n".join(sorted({p for s in services.values() for p in s.get("profiles", [])})))
' "$root/docker-compose.yml"
}

# Each profile of docker-compose.yml resolved on its own (podman-compose --profile <p> config), in an environment
# with none of the shop's settings and no .env: a profile that needs another's variables, or any variable at all,
# fails here. Returns non-zero when any profile fails.
check_compose_profiles() {
  local root=${1:-.}
  ensure_podman_compose "$root" || return 1
  local profiles failed=0 profile output
  profiles=$(compose_profiles "$root") || return 1
  [ -n "$profiles" ] || { echo "docker-compose.yml names no profile"; return 1; }
  # One profile a line, read as lines: zsh, which may source this too, does not split an unquoted variable.
  while IFS= read -r profile; do
    # An empty env file in place of .env, and an environment without the settings a user may have exported.
    if output=$(cd "$root" && env -u STITCH_SHOP_ID -u SESSION_SECRET -u OPERATOR_TOKEN -u MSSQL_SA_PASSWORD -u ACCEPT_EULA \
      .tools/podman-compose/bin/podman-compose --env-file /dev/null -f docker-compose.yml --profile "$profile" config 2>&1 >/dev/null); then
      echo "ok   compose profile $profile"
    else
      echo "FAIL compose profile $profile: $(printf '%s\n' "$output" | tail -n 1)"
      failed=1
    fi
  done <<<"$profiles"
  return "$failed"
}
