#!/usr/bin/env bash
# In a codespace the browser reaches the storefront through GitHub's port forwarding, so the page's POSTs carry that
# https origin, which the storefront refuses unless ALLOWED_ORIGINS names it. Written to .env (git-ignored, read by
# npm start) and only when the user has not set ALLOWED_ORIGINS there; elsewhere this does nothing.
set -euo pipefail
[ "${CODESPACES:-}" = true ] || exit 0
origin="https://${CODESPACE_NAME:?}-3000.${GITHUB_CODESPACES_PORT_FORWARDING_DOMAIN:?}"
if ! grep -qs '^ALLOWED_ORIGINS=' .env; then
  echo "ALLOWED_ORIGINS=${origin}" >>.env
  echo "storefront: allowing the page's requests from ${origin} (ALLOWED_ORIGINS in .env)"
fi
