#!/usr/bin/env bash
# setup_monitoring.sh — make monitoring and alerting live, then prove it with a test alert.
#
# On Google Cloud (--gcp, or FG_BACKEND=gcp): creates or updates the Cloud
# Scheduler jobs of shared/topology.ts (hourly health check, daily summary),
# creates or updates the forecast-guard log bucket (infra/logging.tf) with its
# retention, then sends a test alert end to end through Pub/Sub, the deployed
# alert-dispatch function, Slack and email.
# On this machine (the default): checks the embedded stack (queue, state,
# channels) and sends the same test alert.
#
# usage: scripts/setup_monitoring.sh [--gcp | --local] [--project P] [--region R]
#                                    [--retention-days N] [--skip-test] [--dry-run]
#   --dry-run   print the commands (gcloud and forecast-guard) without running them
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODE="${FG_BACKEND:-local}"
PROJECT="${GOOGLE_CLOUD_PROJECT:-}"
REGION="${FG_REGION:-${GOOGLE_CLOUD_REGION:-europe-west2}}"
RETENTION_DAYS=30
DRY_RUN=0
SKIP_TEST=0

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; }
fail() { echo "setup_monitoring: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --gcp) MODE=gcp ;;
    --local) MODE=local ;;
    --project) [ $# -ge 2 ] || fail "--project needs a value"; PROJECT="$2"; shift ;;
    --region) [ $# -ge 2 ] || fail "--region needs a value"; REGION="$2"; shift ;;
    --retention-days) [ $# -ge 2 ] || fail "--retention-days needs a value"; RETENTION_DAYS="$2"; shift ;;
    --skip-test) SKIP_TEST=1 ;;
    --dry-run) DRY_RUN=1 ;;
    -h|--help) usage; exit 0 ;;
    *) fail "unknown argument \"$1\" (see --help)" ;;
  esac
  shift
done

case "$MODE" in gcp|local) ;; *) fail "FG_BACKEND must be local or gcp (got \"$MODE\")" ;; esac
[[ "$RETENTION_DAYS" =~ ^[0-9]+$ ]] && [ "$RETENTION_DAYS" -ge 1 ] && [ "$RETENTION_DAYS" -le 3650 ] \
  || fail "--retention-days must be a whole number from 1 to 3650 (got \"$RETENTION_DAYS\")"
[[ "$REGION" =~ ^[a-z]+-[a-z]+[0-9]+$ ]] || fail "--region must be a Google Cloud region like europe-west2 (got \"$REGION\")"

cd "$ROOT"

# The CLI from source (dist/ may be stale in a checkout); from dist/ when only that is installed.
forecast_guard() {
  if [ -x node_modules/.bin/tsx ] && [ -f cli/main.ts ]; then
    node_modules/.bin/tsx -e "require('./cli/main').main(process.argv.slice(1)).then((c) => { process.exitCode = c; })" "$@"
  else
    node bin/forecast-guard.js "$@"
  fi
}

# One word as the shell would need it typed: bare when safe, else in single quotes.
quote() {
  if [[ "$1" =~ ^[A-Za-z0-9_./:@=,+-]+$ ]]; then printf '%s' "$1"; else printf "'%s'" "${1//\'/\'\\\'\'}"; fi
}

# A command as one copy-pasteable line.
shell_line() {
  local out="" word
  for word in "$@"; do out+="$(quote "$word") "; done
  printf '%s' "${out% }"
}

# Prints a command; runs it (its own output hidden) unless --dry-run.
run() {
  echo "+ $(shell_line "$@")"
  if [ "$DRY_RUN" -eq 0 ]; then "$@" >/dev/null; fi
}

# One schedule per line: name, cron, time zone, topic, message body (JSON), from shared/topology.ts.
schedules() {
  node_modules/.bin/tsx -e "
    const { SCHEDULES } = require('./shared/topology');
    for (const s of SCHEDULES) console.log([s.name, s.cron, s.timeZone, s.topic, JSON.stringify(s.body)].join('\t'));
  "
}

if [ "$MODE" = gcp ]; then
  [ -n "$PROJECT" ] || fail "--project (or GOOGLE_CLOUD_PROJECT) is required on Google Cloud"
  if [ "$DRY_RUN" -eq 0 ]; then command -v gcloud >/dev/null || fail "gcloud is not installed"; fi
  echo "Google Cloud: project $PROJECT, region $REGION$([ "$DRY_RUN" -eq 1 ] && echo ' (dry run: nothing is changed)')"
  while IFS=$'\t' read -r name cron tz topic body; do
    where=(--project "$PROJECT" --location "$REGION")
    settings=(--schedule "$cron" --time-zone "$tz" --topic "$topic" --message-body "$body")
    if [ "$DRY_RUN" -eq 1 ]; then
      # Without credentials a dry run cannot know which it will be: both are shown.
      echo "+ $(shell_line gcloud scheduler jobs describe "$name" "${where[@]}") >/dev/null 2>&1 \\"
      echo "    && $(shell_line gcloud scheduler jobs update pubsub "$name" "${where[@]}" "${settings[@]}") \\"
      echo "    || $(shell_line gcloud scheduler jobs create pubsub "$name" "${where[@]}" "${settings[@]}")"
    elif gcloud scheduler jobs describe "$name" "${where[@]}" >/dev/null 2>&1; then
      run gcloud scheduler jobs update pubsub "$name" "${where[@]}" "${settings[@]}"
      echo "  updated scheduler job $name: '$cron' ($tz) → $topic"
    else
      run gcloud scheduler jobs create pubsub "$name" "${where[@]}" "${settings[@]}"
      echo "  created scheduler job $name: '$cron' ($tz) → $topic"
    fi
  done < <(schedules)
  # The bucket infra/logging.tf declares; the function-logs sink routes into it.
  bucket=(forecast-guard --project "$PROJECT" --location global)
  if [ "$DRY_RUN" -eq 1 ]; then
    echo "+ $(shell_line gcloud logging buckets describe "${bucket[@]}") >/dev/null 2>&1 \\"
    echo "    && $(shell_line gcloud logging buckets update "${bucket[@]}" --retention-days "$RETENTION_DAYS") \\"
    echo "    || $(shell_line gcloud logging buckets create "${bucket[@]}" --retention-days "$RETENTION_DAYS" --description "forecast-guard function logs")"
  elif gcloud logging buckets describe "${bucket[@]}" >/dev/null 2>&1; then
    run gcloud logging buckets update "${bucket[@]}" --retention-days "$RETENTION_DAYS"
    echo "  log bucket forecast-guard keeps logs $RETENTION_DAYS days (updated)"
  else
    run gcloud logging buckets create "${bucket[@]}" --retention-days "$RETENTION_DAYS" --description "forecast-guard function logs"
    echo "  log bucket forecast-guard keeps logs $RETENTION_DAYS days (created)"
  fi
  export FG_BACKEND=gcp GOOGLE_CLOUD_PROJECT="$PROJECT" FG_REGION="$REGION"
else
  STATE_DIR="${FG_STATE_DIR:-.forecast-guard}"
  echo "this machine: embedded backend in $STATE_DIR$([ "$DRY_RUN" -eq 1 ] && echo ' (dry run: nothing is changed)')"
  channels="log"
  [ -n "${SLACK_WEBHOOK_URL:-}" ] && channels="slack, $channels"
  [ -n "${SMTP_URL:-}" ] && channels="email, $channels"
  echo "  alert channels: $channels"
  [ -f "$STATE_DIR/fleet.json" ] && echo "  fleet: seeded" || echo "  fleet: not seeded yet (forecast-guard seed)"
  if [ "$DRY_RUN" -eq 1 ]; then
    echo "+ forecast-guard dead-letters list --json"
    echo "+ forecast-guard alerts list --json"
  else
    # Opening the queue and the state store is the check; the counts are what an operator wants to know.
    dead="$(forecast_guard dead-letters list --json)" || fail "the embedded queue could not be read (see above)"
    alerts="$(forecast_guard alerts list --json)" || fail "the embedded state could not be read (see above)"
    echo "  queue and topology: ok, $(grep -c '"reason"' <<<"$dead" || true) dead letters waiting"
    echo "  alert state: ok, $(grep -c '"status": "firing"' <<<"$alerts" || true) firing"
  fi
fi

if [ "$SKIP_TEST" -eq 1 ]; then
  echo "test alert: skipped (--skip-test)"
  exit 0
fi
echo "test alert (end to end):"
if [ "$DRY_RUN" -eq 1 ]; then
  if [ "$MODE" = gcp ]; then
    echo "+ FG_BACKEND=gcp GOOGLE_CLOUD_PROJECT=$PROJECT FG_REGION=$REGION forecast-guard alerts test"
  else
    echo "+ forecast-guard alerts test"
  fi
  exit 0
fi
if forecast_guard alerts test; then
  echo "setup_monitoring: done — the test alert reached every channel"
else
  code=$?
  echo "setup_monitoring: the test alert did not reach every channel (exit $code); see above" >&2
  exit "$code"
fi
