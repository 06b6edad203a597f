#!/usr/bin/env bash
# Starts one execution of the Container Apps job $JOB in $RESOURCE_GROUP and waits for its end: the deploy goes on only
# once it succeeded. Needs the Azure CLI, signed in as the deployer (`az login`).
set -euo pipefail
: "${JOB:?JOB names the Container Apps job}" "${RESOURCE_GROUP:?RESOURCE_GROUP names its resource group}"

execution=$(az containerapp job start --name "$JOB" --resource-group "$RESOURCE_GROUP" --query name --output tsv)
echo "job $JOB: execution $execution started"
# A job replica times out after 5 minutes and is retried twice: 20 minutes is past its last possible end.
for _ in $(seq 1 120); do
  status=$(az containerapp job execution show --name "$JOB" --resource-group "$RESOURCE_GROUP" \
    --job-execution-name "$execution" --query properties.status --output tsv)
  case "$status" in
    Succeeded) echo "job $JOB: execution $execution succeeded"; exit 0 ;;
    Failed | Stopped | Degraded)
      echo "job $JOB: execution $execution ended $status; its logs: az containerapp job logs show --name $JOB --resource-group $RESOURCE_GROUP --execution $execution --container $JOB" >&2
      exit 1 ;;
  esac
  sleep 10
done
echo "job $JOB: execution $execution still not done after 20 minutes" >&2
exit 1
