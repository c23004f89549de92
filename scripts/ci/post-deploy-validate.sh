#!/usr/bin/env bash
# Post-deploy validation of FG_ENVIRONMENT with the operator CLI against the
# deployed backend (Firestore, Pub/Sub, Vertex AI): `forecast-guard validate
# --all` runs batch inference across the deployed models and checks format,
# ranges, accuracy and regression. Exit code is the CLI's (1: validation
# failed, 3: backend unreachable). The JSON report is kept in $FG_CI_STATE.
# It runs as the build's own low-privilege identity (fg-ci-runner, which may
# read, predict and write reports, not deploy), so --report-only: a failure
# fails the build, which rolls the functions back; quarantining a model and
# asking for its rollback stay with the post-deploy-validation function.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
env=$(fg_environment)
export FG_BACKEND=gcp FG_ENVIRONMENT="$env"
export GOOGLE_CLOUD_PROJECT="${PROJECT_ID:?PROJECT_ID is required}"
export FG_REGION="${FG_REGION:-europe-west2}" FG_REGISTRY="${FG_REGISTRY:-vertex}"
mkdir -p "$FG_CI_STATE"
cd "$FG_REPO_ROOT"
log "validating every deployed model in $env ($GOOGLE_CLOUD_PROJECT)"
run node bin/forecast-guard.js validate --all --report-only --json >"$FG_CI_STATE/validation.json"
log "validation passed: $FG_CI_STATE/validation.json"
