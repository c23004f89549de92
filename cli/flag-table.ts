/**
 * Every flag of every `forecast-guard` command, declared once: name,
 * aliases, kind of value and its rule, meaning, default. A command lists the
 * entries it takes (cli/commands/*); `main` parses with them and builds
 * `--help` from them. Where one name means different things to different
 * commands (`--force`, `--wait`, `--isbn`), each meaning is its own entry.
 *
 * The operator scripts (scripts/*.sh) and README show these flags: renaming
 * one breaks them.
 */
import { AlertStateStatus } from '../shared/contracts/documents/alert-state';
import { Environment, Severity } from '../shared/contracts/primitives';
import {
  booleanFlag,
  choiceFlag,
  decimalFlag,
  durationFlag,
  integerFlag,
  isbnFlag,
  isbnListFlag,
  repeatedTextFlag,
  textFlag,
} from './flags';

/** Flags every command takes. */
export const GLOBAL_FLAGS = {
  json: booleanFlag('json', { description: 'print one JSON document on stdout and nothing else' }),
  help: booleanFlag('help', { aliases: ['h'], description: "this command's usage and flags" }),
} as const;

export const FLAGS = {
  // Books
  isbn: isbnFlag('isbn', { description: 'the book (ISBN-13; hyphens allowed)' }),
  rollbackIsbns: isbnListFlag('isbn', {
    description: 'the books to roll back: repeat the flag, or separate ISBN-13s with commas or spaces',
    tooManyHint: 'use --all-models for the whole fleet',
  }),
  healthIsbns: isbnListFlag('isbn', {
    description:
      'check only these books (repeat, or separate with commas or spaces); default the whole fleet',
    tooManyHint: 'leave out --isbn to check the whole fleet',
  }),
  deployIsbns: isbnListFlag('isbn', {
    description: 'the books to deploy: repeat the flag, or separate ISBN-13s with commas or spaces',
  }),

  // Who and why (recorded)
  by: textFlag('by', 'NAME', {
    description: 'who does it, as recorded (rollback, silence and validate default to $USER)',
  }),
  reason: textFlag('reason', 'TEXT', { description: 'why, recorded with the rollback or the approval' }),
  requestId: textFlag('request-id', 'ID', {
    description:
      'idempotency key: the same id again answers the first run and changes nothing (default a new one)',
  }),

  // Rollback
  toVersion: textFlag('to-version', 'N|previous|last-known-good', { description: 'where to roll back to' }),
  emergency: booleanFlag('emergency', {
    description: 'to the last-known-good version: the --isbn books, or every book not on it',
  }),
  allModels: booleanFlag('all-models', { description: 'every served book (with --to-version)' }),
  restoreBackup: textFlag('restore-backup', 'ID', { description: 'put back exactly what this backup holds' }),
  recover: booleanFlag('recover', { description: 'finish or undo rollbacks a crash interrupted' }),
  dryRun: booleanFlag('dry-run', { description: 'print the plan and change nothing' }),
  rollbackForce: booleanFlag('force', {
    description:
      'allow a quarantined version (recorded); with --recover, take over books a live holder leases',
  }),
  concurrency: integerFlag('concurrency', 'N', { description: 'books at once', min: 1, max: 256 }),

  // Deploy and validate
  modelVersion: textFlag('model-version', 'N|latest', { description: 'the version to deploy' }),
  environment: choiceFlag('environment', Environment.options, {
    description: 'the environment whose thresholds apply (default FG_ENVIRONMENT)',
  }),
  deployForce: booleanFlag('force', { description: 'deploy a quarantined version (recorded)' }),
  approve: booleanFlag('approve', { description: 'approve a high-risk change (needs --by)' }),
  canary: booleanFlag('canary', {
    description: 'give the new version a share of traffic for the bake period, then promote or demote it',
  }),
  canaryPercent: integerFlag('canary-percent', 'P', {
    description: "the canary's share of traffic in percent",
    min: 1,
    max: 99,
    default: 10,
  }),
  bake: integerFlag('bake', 'S', {
    description: 'seconds the canary bakes before the decision',
    min: 0,
    max: 7 * 24 * 3600,
    default: 10,
  }),
  maxBooks: integerFlag('max-books', 'N', {
    description: 'books one deployment may change without --approve',
    min: 1,
    max: 100_000,
    default: 10,
  }),
  version: textFlag('version', 'N', { description: 'the version to validate (default the one serving)' }),
  all: booleanFlag('all', { description: 'every served book, and the registry checked for consistency' }),
  reportOnly: booleanFlag('report-only', { description: 'report the verdict without acting on it' }),
  minPredictions: integerFlag('min-predictions', 'N', {
    description: 'predictions per validation at least',
    min: 0,
    max: 1_000_000,
  }),

  // Seed and demos
  books: integerFlag('books', 'N', {
    description: 'books in the synthetic fleet',
    min: 1,
    max: 500,
    default: 12,
  }),
  seed: integerFlag('seed', 'S', {
    description: 'random seed of the synthetic sales',
    min: 0,
    max: 2 ** 31 - 1,
    default: 42,
  }),
  seedForce: booleanFlag('force', { description: 'replace a fleet seeded with other settings' }),
  defect: textFlag('defect', 'D', {
    description: 'the broken version bad-version deploys: x10, negative, horizon or nan',
    default: 'x10',
  }),

  // Messages and alerts
  file: textFlag('file', 'F', { description: 'the JSON payload' }),
  attr: repeatedTextFlag('attr', 'k=v', { description: 'a message attribute (repeat for more)' }),
  noCheck: booleanFlag('no-check', {
    description: "publish without checking the payload against the topic's contract",
  }),
  status: choiceFlag('status', AlertStateStatus.options, { description: 'only alerts in this state' }),
  silenceFor: durationFlag('for', { description: 'how long the silence lasts' }),
  severity: choiceFlag('severity', Severity.options, {
    description: 'the test alert severity',
    default: 'critical',
  }),
  testWait: durationFlag('wait', {
    description: 'how long to wait for alert-dispatch to handle it',
    default: '30s',
  }),
  id: textFlag('id', 'ID', {
    description: 'replay only this message (its dead-letter id or its original id)',
  }),
  replayWait: durationFlag('wait', {
    description: 'with --id, how long to wait for a message a recent list holds (use 70s after a list)',
    default: '0s',
    allowZero: true,
  }),

  // The local stack
  emulators: booleanFlag('emulators', {
    description: "Google's Pub/Sub and Firestore emulators instead of SQLite",
  }),
  tick: decimalFlag('tick', 'S', {
    description: 'fire every schedule every S seconds instead of by cron',
    min: 0.5,
    max: 86_400,
  }),
  port: integerFlag('port', 'N', {
    description: 'dashboard port; 0 any free one (default 8080 or the next free)',
    min: 0,
    max: 65_535,
  }),
  only: textFlag('only', 'a,b', {
    description: 'run only these components (health-check, alert-dispatch, ...)',
  }),
  keep: booleanFlag('keep', { description: "keep the drill's state and logs" }),

  // Threshold study
  report: textFlag('report', 'FILE.html', {
    description: 'also write the study as a self-contained HTML report (plots and the three answers)',
  }),
  overridesDir: textFlag('overrides-dir', 'DIR', {
    description: 'write the recommended FG_THRESHOLDS_FILE of each environment here (thresholds.<env>.json)',
  }),
  origins: integerFlag('origins', 'N', {
    description: 'backtest origins per book (6 quarterly origins span two Christmases)',
    min: 1,
    max: 52,
    default: 6,
  }),
  stepWeeks: integerFlag('step-weeks', 'W', {
    description: 'weeks between backtest origins',
    min: 1,
    max: 104,
    default: 13,
  }),

  // Trace
  week: textFlag('week', 'YYYY-MM-DD', {
    description: 'any day of the ISO week to trace (default this week)',
  }),
  correlationId: textFlag('correlation-id', 'C', {
    description: 'trace the run this correlation id names, and print its log lines',
  }),
} as const;
