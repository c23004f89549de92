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
FG_BUNDLE_FILE="${FG_BUNDLE_FILE:-$FG_REPO_ROOT/dist/forecast-guard-functions.zip}"

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

# The bundle this build deploys is pinned: upload-bundle.sh (staging) or promote-bundle.sh (production)
# records the object generation and sha256 it checked; deploy.sh deploys that generation only.
bundle_generation() {
  cat "$FG_CI_STATE/bundle-generation" 2>/dev/null || true
}

bundle_sha256() {
  cat "$FG_CI_STATE/bundle-sha256" 2>/dev/null || true
}

sha256_of() {
  sha256sum "$1" | cut -d' ' -f1
}

# Generations: every upload of a name in a versioned bucket is a new, immutable generation, addressed
# as gs://bucket/object#generation (https://cloud.google.com/storage/docs/object-versioning).
# One field of `gcloud storage objects describe --raw --format=json` (the API's object resource) read
# on stdin: `generation`, or `metadata.<key>` ('' when absent). Needs python3 (the Cloud SDK images).
object_field() {
  python3 -c 'import json, sys
o = json.load(sys.stdin)
k = sys.argv[1]
v = (o.get("metadata") or {}).get(k[9:], "") if k.startswith("metadata.") else o.get(k, "")
print(v)' "$1"
}

# Reads the live generation of gs://BUCKET/OBJECT (URL), downloads exactly that generation and checks
# its sha256 against SHA256, then records both for deploy.sh. A generation never changes its bytes, so
# what is checked here is what Terraform deploys.
pin_uploaded_bundle() {
  url=$1
  sha=$2
  if [ "${FG_CI_DRY_RUN:-}" = 1 ]; then
    log "dry run: $url not pinned"
    return 0
  fi
  generation=$(gcloud storage objects describe "$url" --raw --format=json | object_field generation)
  [ -n "$generation" ] || die "could not read the generation of $url"
  mkdir -p "$FG_CI_STATE"
  check="$FG_CI_STATE/pinned-check.zip"
  gcloud storage cp "$url#$generation" "$check" >/dev/null || die "could not read back $url#$generation"
  got=$(sha256_of "$check")
  rm -f "$check"
  [ "$got" = "$sha" ] || die "digest of $url#$generation is $got, not $sha: refusing to deploy it"
  printf '%s' "$generation" >"$FG_CI_STATE/bundle-generation"
  printf '%s' "$sha" >"$FG_CI_STATE/bundle-sha256"
  log "pinned $url#$generation (sha256 $sha)"
}
