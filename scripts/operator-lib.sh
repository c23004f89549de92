# Shared by the operator scripts (rollback_model.sh, deploy_model.sh,
# validate_deployment.sh): usage from the script's header comment, one-line
# errors that exit 2, and how the forecast-guard CLI is found. Sourced, not run.

script_name="$(basename "$0")"
repo="$(cd "$(dirname "$0")/.." && pwd)"

usage() {
  # The calling script's header comment, without its leading '# '.
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}

die() {
  echo "$script_name: $1" >&2
  echo "run scripts/$script_name --help for the flags" >&2
  exit 2
}

# The CLI from $FORECAST_GUARD_CLI when set (a command line), else this
# checkout's bin/forecast-guard.js when built, else `npx forecast-guard`.
run_cli() {
  if [[ -n "${FORECAST_GUARD_CLI:-}" ]]; then
    # A command line on purpose (e.g. "node --import tsx cli-entry.ts"): split on spaces.
    # shellcheck disable=SC2086
    $FORECAST_GUARD_CLI "$@"
  elif [[ -f "$repo/dist/cli/main.js" ]]; then
    node "$repo/bin/forecast-guard.js" "$@"
  else
    npx --no-install forecast-guard "$@"
  fi
}

need_value() {
  [[ $# -ge 2 && -n "$2" && "$2" != --* ]] || die "$1 needs a value"
}
