#!/usr/bin/env bash
# The templates' half of infra-aws's lint: synthesize the app (cdk-nag runs during synth), then cfn-lint and checkov on
# every template in dist/infra-aws/cdk.out. The tools come from STITCH_CFN_LINT and STITCH_CHECKOV, or PATH; one that
# is missing is skipped with one line saying how to install it, except under CI=true, where that is a failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"

project=infra/aws
out=dist/infra-aws/cdk.out
pins="$(grep -Ev '^[[:space:]]*(#|$)' "$project/requirements-lint.txt" | xargs)"
# Synth needs a region, and cfn-lint checks what each resource may be in it: the deployment's when set.
region="${AWS_REGION:-${AWS_DEFAULT_REGION:-us-east-1}}"

# Prints the tool's path: the one its variable names (which must then exist), else the one on PATH, else nothing.
find_tool() {
  local variable=$1 name=$2
  local configured="${!variable:-}"
  if [ -n "$configured" ]; then
    if [ ! -x "$configured" ]; then
      echo "$variable names $configured, which is not an executable file" >&2
      return 1
    fi
    echo "$configured"
  else
    command -v "$name" || true
  fi
}

cfn_lint="$(find_tool STITCH_CFN_LINT cfn-lint)"
checkov="$(find_tool STITCH_CHECKOV checkov)"
missing=()
[ -n "$cfn_lint" ] || missing+=(cfn-lint)
[ -n "$checkov" ] || missing+=(checkov)
if [ ${#missing[@]} -gt 0 ]; then
  names="${missing[0]}${missing[1]:+ and ${missing[1]}}"
  if [ "${CI:-}" = true ]; then
    echo "$names not found (STITCH_CFN_LINT / STITCH_CHECKOV, or PATH), and CI lints every template: pip install $pins" >&2
    exit 1
  fi
  echo "skipping $names: not found (STITCH_CFN_LINT / STITCH_CHECKOV, or PATH); to lint the templates: pip install $pins"
fi

# A fresh output, so a template the app no longer writes is not linted.
rm -rf "$out"
(cd "$project" && "$root/node_modules/.bin/cdk" synth --quiet --context "region=$region")
shopt -s nullglob
templates=("$out"/*.template.json)
if [ ${#templates[@]} -eq 0 ]; then
  echo "cdk synth wrote no *.template.json into $out" >&2
  exit 1
fi

# Both run whatever the other finds, so one lint shows every finding.
status=0
if [ -n "$cfn_lint" ]; then
  "$cfn_lint" --config-file "$project/.cfnlintrc.yaml" --regions "$region" -- "${templates[@]}" || status=1
fi
if [ -n "$checkov" ]; then
  "$checkov" --config-file "$project/.checkov.yaml" --skip-download --framework cloudformation --quiet --compact \
    --directory "$out" || status=1
fi
exit $status
