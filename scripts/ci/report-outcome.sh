#!/usr/bin/env bash
# Last step of a deploy build. Nothing failed: staging marks the bundle
# generation it deployed validated, with its sha256 (production promotes only
# that generation). A step failed: publishes
# a critical `deployment_failed` Alert on `alerts` (alert-dispatch pages
# on-call; its correlation id build-<BUILD_ID> is the one build-events puts on
# build_failed), marks a staging bundle failed, and fails the build.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
env=$(fg_environment)
project="${PROJECT_ID:?PROJECT_ID is required}"
build="${BUILD_ID:-local}"
object="gs://${FUNCTIONS_BUCKET:?FUNCTIONS_BUCKET (substitution _FUNCTIONS_BUCKET) is required}/$(bundle_object)"

generation=$(bundle_generation)
if ! failed_already; then
  if [ "$env" = staging ]; then
    # The mark goes on the generation staging deployed, with that generation and its sha256: production
    # promotes exactly those bytes (promote-bundle.sh).
    [ -n "$generation" ] || die "no bundle generation recorded: cannot mark what staging validated"
    run gcloud storage objects update "$object#$generation" \
      --update-custom-metadata="fg-staging-validated=$build,fg-validated-generation=$generation,fg-validated-sha256=$(bundle_sha256)"
  fi
  log "deploy to $env passed validation and the smoke health check"
  exit 0
fi

json_string() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/ }
  s=${s//$'\r'/ }
  s=${s//$'\t'/ }
  printf '"%s"' "$s"
}

read -r step code <"$FG_FAILED_MARKER"
rollback=$(cat "$FG_CI_STATE/rollback" 2>/dev/null || echo "not attempted")
commit="${SHORT_SHA:-${COMMIT_SHA:-unknown}}"
corr="build-$build"
log_url="https://console.cloud.google.com/cloud-build/builds/$build?project=$project"
summary="forecast-guard deploy to $env failed at $step (build ${build:0:8}, commit $commit); rollback: $rollback"
alert=$(printf '{"kind":"deployment_failed","severity":"critical","status":"firing","summary":%s,"details":{"buildId":%s,"commit":%s,"failedStep":%s,"exitCode":%s,"rollback":%s,"bundle":%s,"logUrl":%s},"source":"cloud-build","observedAt":%s,"correlationId":%s,"environment":%s}' \
  "$(json_string "${summary:0:500}")" "$(json_string "$build")" "$(json_string "$commit")" "$(json_string "$step")" \
  "$(json_string "$code")" "$(json_string "$rollback")" "$(json_string "$(bundle_object)")" "$(json_string "$log_url")" \
  "$(json_string "$(date -u +%Y-%m-%dT%H:%M:%SZ)")" "$(json_string "$corr")" "$(json_string "$env")")
printf '%s\n' "$alert" >"$FG_CI_STATE/alert.json"

run gcloud pubsub topics publish alerts --project="$project" --message="$alert" \
  --attribute="correlationId=$corr,kind=deployment_failed,severity=critical"
if [ "$env" = staging ]; then
  run gcloud storage objects update "$object${generation:+#$generation}" --update-custom-metadata="fg-staging-failed=$build" || true
fi
echo "error: $summary" >&2
exit 1
