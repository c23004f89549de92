#!/bin/sh
# Deploys this commit's bundle to FG_ENVIRONMENT with Terraform, after
# recording the bundle deployed until now (rollback-functions.sh goes back
# to it when a later step fails). Runs in the terraform image (POSIX sh).
set -eu
. "$(dirname "$0")/lib.sh"
env=$(fg_environment)
object=$(bundle_object)

cd "$FG_REPO_ROOT/infra"
tf_init "$env"
mkdir -p "$FG_CI_STATE"
previous=$(terraform output -raw function_bundle_object 2>/dev/null || true)
printf '%s' "$previous" >"$FG_CI_STATE/previous-bundle"
log "deploying $object to $env (running now: ${previous:-nothing})"
run terraform apply -input=false -auto-approve \
  -var-file="environments/$env.tfvars" \
  -var="function_bundle_object=$object"
