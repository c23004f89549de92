#!/bin/sh
# Runs one deploy-phase step so a failure rolls back instead of stopping the
# build: skips when an earlier step failed, records a failure for the
# rollback and report steps, and passes the exit code on (the step is
# `allowFailure: true` in the Cloud Build config, so it shows red).
#
#   sh scripts/ci/guarded.sh STEP COMMAND [ARGS...]
set -u
. "$(dirname "$0")/lib.sh"

[ "$#" -ge 2 ] || die "usage: guarded.sh STEP COMMAND [ARGS...]"
step=$1
shift

if failed_already; then
  log "$step skipped: $(cut -d' ' -f1 "$FG_FAILED_MARKER") failed earlier"
  exit 0
fi

"$@"
rc=$?
if [ "$rc" -ne 0 ]; then
  mark_failed "$step" "$rc"
  log "$step failed (exit $rc): the functions will be rolled back and an alert published"
fi
exit "$rc"
