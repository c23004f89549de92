#!/usr/bin/env bash
# Roll book models back, with the flags operators already know. A thin front
# for `forecast-guard rollback` (and `forecast-guard versions` for --list); it
# exits with the CLI's code: 0 ok, 1 a book failed, 2 bad usage, 3 backend
# unreachable.
#
#   scripts/rollback_model.sh --isbn 9780722532935 --to-version 22
#   scripts/rollback_model.sh --isbn 9780722532935 --emergency     # that book to its last-known-good
#   scripts/rollback_model.sh --emergency                           # every book not on its last-known-good
#   scripts/rollback_model.sh --all-models --to-version previous    # or last-known-good
#   scripts/rollback_model.sh --list --isbn 9780722532935           # versions, serving, last-known-good
#   scripts/rollback_model.sh --restore-backup bk-...               # put a rollback's backup back
#   scripts/rollback_model.sh --recover                             # finish or undo interrupted rollbacks
#
# Also: --dry-run, --force, --reason TEXT, --by NAME, --json. The CLI runs
# from $FORECAST_GUARD_CLI when set (a command line), else this checkout's
# bin/forecast-guard.js when built (npm run build), else `npx forecast-guard`.
set -euo pipefail

# shellcheck source=scripts/operator-lib.sh
source "$(dirname "$0")/operator-lib.sh"

list=false
isbns=()
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --list) list=true; shift ;;
    --isbn) need_value "$@"; isbns+=("$2"); args+=(--isbn "$2"); shift 2 ;;
    --to-version | --reason | --by | --restore-backup | --request-id | --concurrency)
      need_value "$@"; args+=("$1" "$2"); shift 2 ;;
    --emergency | --all-models | --dry-run | --force | --json | --recover) args+=("$1"); shift ;;
    *) die "unknown flag $1" ;;
  esac
done

if $list; then
  [[ ${#isbns[@]} -eq 1 ]] || die "--list needs exactly one --isbn"
  json=()
  for a in "${args[@]}"; do [[ "$a" == --json ]] && json=(--json); done
  set +e
  run_cli versions --isbn "${isbns[0]}" "${json[@]}"
  code=$?
  exit $code
fi

[[ ${#args[@]} -gt 0 ]] || { usage >&2; exit 2; }
set +e
run_cli rollback "${args[@]}"
code=$?
exit $code
