#!/usr/bin/env bash
# Post-deploy validation, with the flags operators already know. A thin front
# for `forecast-guard validate`: 1,000+ predictions and every check with its
# figure, then the verdict acted on (last-known-good, or quarantine + a
# rollback to last-known-good + one critical alert). It exits with the CLI's
# code: 0 passed, 1 validation failed, 2 bad usage, 3 backend unreachable.
#
#   scripts/validate_deployment.sh --isbn 9780722532935                      # the version serving now
#   scripts/validate_deployment.sh --isbn 9780722532935 --model-version 23 --environment production
#   scripts/validate_deployment.sh --all-models                              # every serving version + registry consistency
#
# Also: --report-only (judge, change nothing), --by NAME, --json. The CLI runs
# from $FORECAST_GUARD_CLI when set (a command line), else this checkout's
# bin/forecast-guard.js when built (npm run build), else `npx forecast-guard`.
set -euo pipefail

# shellcheck source=scripts/operator-lib.sh
source "$(dirname "$0")/operator-lib.sh"

args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --isbn | --environment | --by) need_value "$@"; args+=("$1" "$2"); shift 2 ;;
    --model-version | --version)
      need_value "$@"
      # "latest" is what serves now, which validate checks when no version is named.
      [[ "$2" == latest ]] || args+=(--version "$2")
      shift 2 ;;
    --all | --all-models) args+=(--all); shift ;;
    --report-only | --json) args+=("$1"); shift ;;
    *) die "unknown flag $1" ;;
  esac
done

[[ ${#args[@]} -gt 0 ]] || { usage >&2; exit 2; }
set +e
run_cli validate "${args[@]}"
code=$?
exit $code
