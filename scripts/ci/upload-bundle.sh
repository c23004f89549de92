#!/usr/bin/env bash
# Uploads the packaged bundle as this commit's object in the functions bucket.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ -f "$FG_BUNDLE_FILE" ] || die "$FG_BUNDLE_FILE is missing: run scripts/package-functions.sh first"
dest="gs://${FUNCTIONS_BUCKET:?FUNCTIONS_BUCKET (substitution _FUNCTIONS_BUCKET) is required}/$(bundle_object)"
run gcloud storage cp "$FG_BUNDLE_FILE" "$dest"
log "uploaded $dest"
