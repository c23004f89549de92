#!/usr/bin/env bash
# Smoke test of the deployed functions: publishes a manual HealthCheckRequest
# on health-check-requests, as Cloud Scheduler would, and waits for the
# health-check function to log that it handled that message (found by its
# correlation id). Fails when it is dead-lettered or nothing arrives in time.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
env=$(fg_environment)
project="${PROJECT_ID:?PROJECT_ID is required}"
corr="smoke-${BUILD_ID:-$(date +%s)}"
timeout=${FG_SMOKE_TIMEOUT_SECONDS:-900}

run gcloud pubsub topics publish health-check-requests --project="$project" \
  --message="{\"trigger\":\"manual\",\"correlationId\":\"$corr\"}" \
  --attribute="correlationId=$corr"
log "published a health check request ($corr) in $env; waiting up to ${timeout}s for health-check to handle it"
[ "${FG_CI_DRY_RUN:-}" = 1 ] && exit 0

filter="resource.type=\"cloud_run_revision\" AND labels.component=\"health-check\" AND jsonPayload.correlationId=\"$corr\" AND jsonPayload.message=\"health-check message done\""
deadline=$((SECONDS + timeout))
while [ "$SECONDS" -lt "$deadline" ]; do
  outcome=$(gcloud logging read "$filter" --project="$project" --freshness=1h --limit=1 --format='value(jsonPayload.outcome)' || true)
  case "$outcome" in
    handled | duplicate)
      log "health-check handled $corr"
      exit 0
      ;;
    dead-lettered) die "health-check dead-lettered the smoke request $corr: see jsonPayload.correlationId=\"$corr\"" ;;
  esac
  sleep 15
done
die "health-check did not handle $corr within ${timeout}s (query: jsonPayload.correlationId=\"$corr\")"
