# Shared by the Cloud Build step scripts; POSIX sh, because the terraform
# image has no bash. Source it: `. "$(dirname "$0")/lib.sh"`.
#
# Steps of one build share /workspace; failures are recorded in
# $FG_CI_STATE/failed so the later steps skip, roll back and report.
# FG_CI_DRY_RUN=1 prints the commands that change Google Cloud instead of
# running them (tests use it).

FG_REPO_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FG_CI_STATE="${FG_CI_STATE:-$FG_REPO_ROOT/dist/ci-state}"
FG_FAILED_MARKER="$FG_CI_STATE/failed"
FG_BUNDLE_FILE="$FG_REPO_ROOT/dist/forecast-guard-functions.zip"

log() {
  echo "== $*"
}

die() {
  echo "error: $*" >&2
  exit 1
}

# Runs a command, or prints it under FG_CI_DRY_RUN=1.
run() {
  if [ "${FG_CI_DRY_RUN:-}" = 1 ]; then
    echo "+ $*"
  else
    "$@"
  fi
}

# The environment this build deploys: staging or production (substitution _FG_ENVIRONMENT).
fg_environment() {
  case "${FG_ENVIRONMENT:-}" in
    staging | production) echo "$FG_ENVIRONMENT" ;;
    *) die "FG_ENVIRONMENT must be staging or production (got \"${FG_ENVIRONMENT:-}\")" ;;
  esac
}

# Object name of this commit's bundle: the same in the staging and the production bucket.
bundle_object() {
  echo "functions/forecast-guard-${COMMIT_SHA:-${BUILD_ID:-local}}.zip"
}

# Records that STEP failed with exit code RC (the first failure wins).
mark_failed() {
  mkdir -p "$FG_CI_STATE"
  [ -f "$FG_FAILED_MARKER" ] || printf '%s %s\n' "$1" "$2" >"$FG_FAILED_MARKER"
}

failed_already() {
  [ -f "$FG_FAILED_MARKER" ]
}

# terraform init against this environment's state (run inside infra/).
tf_init() {
  run terraform init -input=false -reconfigure \
    -backend-config="bucket=${TF_STATE_BUCKET:?TF_STATE_BUCKET (substitution _TF_STATE_BUCKET) is required}" \
    -backend-config="prefix=forecast-guard/$1"
}
