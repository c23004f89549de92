#!/usr/bin/env bash
# The threshold study, with its report and overrides where you want them. A
# thin front for `forecast-guard thresholds`: rolling-origin backtests of
# every served book, false-alarm and miss rates of candidate thresholds, and
# the recommendations (docs/thresholds.md). It writes the HTML report and one
# FG_THRESHOLDS_FILE per environment (thresholds.<env>.json), then prints where.
# It exits with the CLI's code: 0 done, 2 bad usage, 3 backend unreachable.
#
#   scripts/validate_thresholds.sh                                   # into ./threshold-study/
#   scripts/validate_thresholds.sh --out /tmp/study --origins 6
#   scripts/validate_thresholds.sh --report study.html --overrides-dir config/thresholds
#
# Also: --step-weeks W, --json. The CLI runs from $FORECAST_GUARD_CLI when set
# (a command line), else this checkout's bin/forecast-guard.js when built
# (npm run build), else `npx forecast-guard`.
set -euo pipefail

# shellcheck source=scripts/operator-lib.sh
source "$(dirname "$0")/operator-lib.sh"

out="threshold-study"
report=""
overrides=""
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --out) need_value "$@"; out="$2"; shift 2 ;;
    --report) need_value "$@"; report="$2"; shift 2 ;;
    --overrides-dir) need_value "$@"; overrides="$2"; shift 2 ;;
    --origins | --step-weeks) need_value "$@"; args+=("$1" "$2"); shift 2 ;;
    --json) args+=("$1"); shift ;;
    *) die "unknown flag $1" ;;
  esac
done

report="${report:-$out/report.html}"
overrides="${overrides:-$out}"
set +e
run_cli thresholds --report "$report" --overrides-dir "$overrides" "${args[@]+"${args[@]}"}"
code=$?
set -e
if [[ $code -eq 0 ]]; then
  echo "report: $report" >&2
  echo "overrides: $overrides/thresholds.{production,staging,development}.json (set FG_THRESHOLDS_FILE to the environment's)" >&2
fi
exit $code
