#!/usr/bin/env bash
# Production only: waits until the staging build of this commit has validated
# its bundle (staging marks the object fg-staging-validated, or
# fg-staging-failed), then copies that very bundle into production's bucket.
# Production never deploys what staging did not validate.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
src="gs://${PROMOTE_FROM_BUCKET:?PROMOTE_FROM_BUCKET (substitution _PROMOTE_FROM_BUCKET) is required}/$(bundle_object)"
dest="gs://${FUNCTIONS_BUCKET:?FUNCTIONS_BUCKET (substitution _FUNCTIONS_BUCKET) is required}/$(bundle_object)"
wait_seconds=${FG_PROMOTE_WAIT_SECONDS:-3600}
deadline=$((SECONDS + wait_seconds))

while :; do
  meta=$(gcloud storage objects describe "$src" --format=json 2>/dev/null || true)
  case "$meta" in
    *fg-staging-failed*) die "staging failed for this commit ($src): not promoting it" ;;
    *fg-staging-validated*) break ;;
  esac
  [ "$SECONDS" -lt "$deadline" ] || die "staging did not validate $src within ${wait_seconds}s"
  log "waiting for staging to validate $src"
  sleep 30
done

run gcloud storage cp "$src" "$dest"
log "promoted $src to $dest"
