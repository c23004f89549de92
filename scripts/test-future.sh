#!/usr/bin/env bash
# The whole suite with the system clock two years ahead (`npm run test:future`).
# A test that writes fixed dates through code reading the real clock (a store
# hiding expired documents, a TTL, a repeat interval) passes today and fails
# on some later day; here it fails now. Debian's libfaketime shifts jest and
# every Node process it starts (workers, function processes, CLI runs). The
# Java Pub/Sub and Firestore emulators keep the real clock: under libfaketime
# the JVM's timed waits return at once and its housekeeping threads spin
# (measured: ~90 % of a core per emulator, load average ~100 on 2 cores), so
# startEmulator drops the preload from their environment (realClockEnv in
# shared/adapters/gcp/emulators.ts). Nothing of ours compares a time the
# emulators stamp with our clock. Only the wall clock moves:
# FAKETIME_DONT_FAKE_MONOTONIC=1, and timers and latencies need nothing but a
# steady monotonic clock. File times are not shifted (Node stats files with
# the statx syscall, which libfaketime does not intercept): a test comparing a
# file's age with the clock must pin its clock.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v faketime >/dev/null 2>&1; then
  echo "faketime is not installed: apt-get install faketime (.ci/install-test-deps does it)" >&2
  exit 1
fi
export FAKETIME_DONT_FAKE_MONOTONIC=1
OFFSET=+730d

# A preload that silently did nothing would pass for a green run: check the shift first.
skew_days=$(faketime -f "$OFFSET" node -e \
  "process.stdout.write(String(Math.round((Date.now() - Number(process.argv[1])) / 864e5)))" \
  "$(node -e 'process.stdout.write(String(Date.now()))')")
if [ "$skew_days" != 730 ]; then
  echo "faketime did not shift node's clock by 730 days (got ${skew_days} days)" >&2
  exit 1
fi
echo "== jest with the clock at $(faketime -f "$OFFSET" date -u +%FT%TZ) (730 days ahead)"
exec faketime -f "$OFFSET" npx jest "$@"
