#!/usr/bin/env bash
# Marks the Service Bus namespace $SERVICEBUS_NAMESPACE for shop $STITCH_SHOP_ID with the shop's own topology tool
# (`npm run topology:azure -- --apply`), as the deployer signed in with the Azure CLI. The program has just granted
# the deployer Data Owner on the namespace, and Azure can take minutes to honour a new role assignment: the tool is
# retried for up to 10 minutes while it is refused.
set -euo pipefail
: "${SERVICEBUS_NAMESPACE:?SERVICEBUS_NAMESPACE names the namespace}" "${STITCH_SHOP_ID:?STITCH_SHOP_ID names the shop}"
cd "$(dirname "$0")/../../.."

for attempt in $(seq 1 20); do
  if npm run -s topology:azure -- --apply --shop "$STITCH_SHOP_ID"; then exit 0; fi
  echo "topology:azure failed (attempt $attempt of 20); a new role assignment may not be in effect yet, trying again in 30 s" >&2
  sleep 30
done
echo "the namespace $SERVICEBUS_NAMESPACE could not be marked for shop $STITCH_SHOP_ID; see the errors above" >&2
exit 1
