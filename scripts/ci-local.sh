#!/usr/bin/env bash
# The offline steps of cloudbuild.yaml on this machine, in the same order and
# with the same commands (test/infra/cloudbuild.test.ts holds the two lists
# equal): install, lint, typecheck, test, build, package. Deploying,
# validating and rolling back need Google Cloud and stay in Cloud Build.
#
#   bash scripts/ci-local.sh                      # everything
#   FG_CI_SKIP=install,test bash scripts/ci-local.sh   # skip steps by id
set -euo pipefail
cd "$(dirname "$0")/.."
export CI=true NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
skip=",${FG_CI_SKIP:-},"

run_step() {
  local id=$1
  shift
  if [[ "$skip" == *",$id,"* ]]; then
    echo "== [$id] skipped (FG_CI_SKIP)"
    return 0
  fi
  echo "== [$id] $*"
  local started=$SECONDS
  "$@"
  echo "== [$id] ok in $((SECONDS - started)) s"
}

run_step install bash scripts/ci/install.sh
run_step lint npm run lint
run_step typecheck npm run typecheck
run_step test bash scripts/ci/test.sh
run_step build npm run build
run_step package bash scripts/package-functions.sh
echo "== offline CI steps passed"
