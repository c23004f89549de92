#!/usr/bin/env bash
# Deploy a book model through forecast-guard's gates, with the flags operators
# already know. A thin front for `forecast-guard deploy` (data-quality, metric
# and ARIMA gates; an approval for high-risk changes; an optional canary);
# post-deploy validation then runs from the model-deployments message. It
# exits with the CLI's code: 0 deployed, 1 blocked or demoted, 2 bad usage,
# 3 backend unreachable.
#
#   scripts/deploy_model.sh --environment production --model-version latest --isbn 9780722532935
#   scripts/deploy_model.sh --isbn 9780722532935 --model-version 23 --approve --by alice@example.com
#   scripts/deploy_model.sh --isbn 9780722532935 --model-version latest --canary --canary-percent 10 --bake 600
#   scripts/deploy_model.sh --emergency-rollback --isbn 9780722532935   # that book back to its last-known-good
#   scripts/deploy_model.sh --rollback --to-version 22 --isbn 9780722532935   # that book to version 22
#   scripts/deploy_model.sh --rollback --to-version previous                   # every served book (or last-known-good)
#
# Also: --isbn repeated, --force (a quarantined version), --reason TEXT,
# --max-books N, --json. The CLI runs from $FORECAST_GUARD_CLI when set (a
# command line), else this checkout's bin/forecast-guard.js when built
# (npm run build), else `npx forecast-guard`.
set -euo pipefail

# shellcheck source=scripts/operator-lib.sh
source "$(dirname "$0")/operator-lib.sh"

rollback=false
plain_rollback=false
to_version=""
version=""
isbns=()
deploy=()
common=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    # --- deploy flags ---
    --isbn) need_value "$@"; isbns+=(--isbn "$2"); shift 2 ;;
    --model-version) need_value "$@"; version="$2"; shift 2 ;;
    --environment | --canary-percent | --bake | --max-books) need_value "$@"; deploy+=("$1" "$2"); shift 2 ;;
    --approve | --canary) deploy+=("$1"); shift ;;
    --by | --reason) need_value "$@"; common+=("$1" "$2"); shift 2 ;;
    --force | --json) common+=("$1"); shift ;;
    # --- rollback flags ---
    --emergency-rollback) rollback=true; shift ;;
    --rollback) plain_rollback=true; shift ;;
    --to-version) need_value "$@"; to_version="$2"; shift 2 ;;
    *) die "unknown flag $1" ;;
  esac
done

if $plain_rollback; then
  [[ -n "$to_version" ]] || die "--rollback needs --to-version (a version number with --isbn, or previous / last-known-good)"
  [[ -z "$version" && ${#deploy[@]} -eq 0 ]] || die "--rollback takes only --isbn, --to-version, --reason, --by, --force and --json"
  if [[ ${#isbns[@]} -eq 0 && "$to_version" != previous && "$to_version" != last-known-good ]]; then
    die "--to-version $to_version names one book's version: add --isbn (or use previous / last-known-good for every book)"
  fi
  scope=("${isbns[@]}")
  [[ ${#isbns[@]} -gt 0 ]] || scope=(--all-models)
  set +e
  run_cli rollback "${scope[@]}" --to-version "$to_version" "${common[@]}"
  code=$?
  exit $code
fi
[[ -z "$to_version" ]] || die "--to-version goes with --rollback (deploys take --model-version)"

set +e
if $rollback; then
  [[ -z "$version" && ${#deploy[@]} -eq 0 ]] || die "--emergency-rollback takes only --isbn, --reason, --by, --force and --json"
  run_cli rollback "${isbns[@]}" --emergency "${common[@]}"
else
  [[ ${#isbns[@]} -gt 0 ]] || die "--isbn is required"
  run_cli deploy "${isbns[@]}" --model-version "${version:-latest}" "${deploy[@]}" "${common[@]}"
fi
code=$?
exit $code
