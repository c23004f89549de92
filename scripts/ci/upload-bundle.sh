#!/usr/bin/env bash
# Uploads the packaged bundle as this commit's object in the functions bucket,
# with its sha256, and pins the generation it made (deploy.sh deploys exactly
# that generation; report-outcome.sh marks it validated for production).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ -f "$FG_BUNDLE_FILE" ] || die "$FG_BUNDLE_FILE is missing: run scripts/package-functions.sh first"
dest="gs://${FUNCTIONS_BUCKET:?FUNCTIONS_BUCKET (substitution _FUNCTIONS_BUCKET) is required}/$(bundle_object)"
sha=$(sha256_of "$FG_BUNDLE_FILE")
run gcloud storage cp "$FG_BUNDLE_FILE" "$dest" --custom-metadata="fg-sha256=$sha"
pin_uploaded_bundle "$dest" "$sha"
log "uploaded $dest"
