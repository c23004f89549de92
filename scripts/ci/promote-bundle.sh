#!/usr/bin/env bash
# Production only: waits until the staging build of this commit has validated
# its bundle (staging marks the generation it deployed fg-staging-validated,
# with that generation and its sha256, or fg-staging-failed), then copies
# exactly that generation into production's bucket, refusing when the live
# object is another generation or the bytes do not have the recorded sha256.
# Production never deploys what staging did not validate.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
src="gs://${PROMOTE_FROM_BUCKET:?PROMOTE_FROM_BUCKET (substitution _PROMOTE_FROM_BUCKET) is required}/$(bundle_object)"
dest="gs://${FUNCTIONS_BUCKET:?FUNCTIONS_BUCKET (substitution _FUNCTIONS_BUCKET) is required}/$(bundle_object)"
wait_seconds=${FG_PROMOTE_WAIT_SECONDS:-3600}
deadline=$((SECONDS + wait_seconds))

while :; do
  meta=$(gcloud storage objects describe "$src" --raw --format=json 2>/dev/null || true)
  case "$meta" in
    *fg-staging-failed*) die "staging failed for this commit ($src): not promoting it" ;;
    *fg-staging-validated*) break ;;
  esac
  [ "$SECONDS" -lt "$deadline" ] || die "staging did not validate $src within ${wait_seconds}s"
  log "waiting for staging to validate $src"
  sleep 30
done

live=$(printf '%s' "$meta" | object_field generation)
validated=$(printf '%s' "$meta" | object_field metadata.fg-validated-generation)
sha=$(printf '%s' "$meta" | object_field metadata.fg-validated-sha256)
[ -n "$validated" ] && [ -n "$sha" ] ||
  die "$src is marked validated without the generation and sha256 staging deployed: not promoting it"
[ "$live" = "$validated" ] ||
  die "$src is generation $live, but staging validated generation $validated: not promoting it"

mkdir -p "$FG_CI_STATE"
fetched="$FG_CI_STATE/promoted-bundle.zip"
gcloud storage cp "$src#$validated" "$fetched" >/dev/null || die "could not read $src#$validated"
got=$(sha256_of "$fetched")
[ "$got" = "$sha" ] ||
  die "digest of $src#$validated is $got, staging validated $sha: refusing to promote it"

run gcloud storage cp "$fetched" "$dest" --custom-metadata="fg-sha256=$sha,fg-promoted-from=$src#$validated"
rm -f "$fetched"
pin_uploaded_bundle "$dest" "$sha"
log "promoted $src#$validated to $dest"
