#!/bin/sh
# When a deploy-phase step failed: puts the functions back on the bundle that
# ran before this build (Terraform apply with the previous bundle object; the
# infrastructure changes of this commit stay, revert the commit for those).
# Writes what it did to $FG_CI_STATE/rollback for the report step.
# Does nothing when nothing failed. Runs in the terraform image (POSIX sh).
set -u
. "$(dirname "$0")/lib.sh"

if ! failed_already; then
  log "nothing failed: no rollback"
  exit 0
fi
env=$(fg_environment)
previous=$(cat "$FG_CI_STATE/previous-bundle" 2>/dev/null || true)
previous_generation=$(cat "$FG_CI_STATE/previous-generation" 2>/dev/null || true)
record() {
  printf '%s' "$1" >"$FG_CI_STATE/rollback"
  log "$1"
}

if [ -z "$previous" ]; then
  record "none: no earlier bundle recorded (first deployment of $env, or the deploy step never started)"
  exit 0
fi
if [ "$previous" = "$(bundle_object)" ]; then
  record "none: $previous was already the running bundle"
  exit 0
fi

cd "$FG_REPO_ROOT/infra" || exit 1
# The generation that ran before, when it was recorded (a deploy from before pinning has none: latest).
if tf_init "$env" && run terraform apply -input=false -auto-approve \
  -var-file="environments/$env.tfvars" \
  -var="function_bundle_object=$previous" \
  ${previous_generation:+-var=function_bundle_generation=$previous_generation}; then
  record "rolled back to $previous"
  exit 0
fi
record "FAILED to roll back to $previous: roll back by hand (README, Rolling back the functions)"
exit 1
