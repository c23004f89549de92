#!/bin/sh
# Deploys this commit's bundle, pinned to the generation upload-bundle.sh or
# promote-bundle.sh checked, to FG_ENVIRONMENT with Terraform, after
# recording the bundle deployed until now (rollback-functions.sh goes back
# to it when a later step fails). Runs in the terraform image (POSIX sh).
set -eu
. "$(dirname "$0")/lib.sh"
env=$(fg_environment)
object=$(bundle_object)
generation=$(bundle_generation)
[ -n "$generation" ] ||
  die "no bundle generation recorded in $FG_CI_STATE (upload-bundle.sh or promote-bundle.sh pins it): refusing to deploy an unpinned bundle"

cd "$FG_REPO_ROOT/infra"
tf_init "$env"
mkdir -p "$FG_CI_STATE"
previous=$(terraform output -raw function_bundle_object 2>/dev/null || true)
printf '%s' "$previous" >"$FG_CI_STATE/previous-bundle"
previous_generation=$(terraform output -raw function_bundle_generation 2>/dev/null || true)
printf '%s' "$previous_generation" >"$FG_CI_STATE/previous-generation"
log "deploying $object#$generation to $env (running now: ${previous:-nothing}${previous_generation:+#$previous_generation})"
run terraform apply -input=false -auto-approve \
  -var-file="environments/$env.tfvars" \
  -var="function_bundle_object=$object" \
  -var="function_bundle_generation=$generation"
