/**
 * What `--help` says of every CLI command, in the order it lists them: name,
 * summary, usage and flags. The one place each is written: a command's
 * module takes its own from here (`helpOf`), and `--help` reads this table
 * without loading any command module (cli/commands/index.ts,
 * bench/cold-start.ts). Light on purpose: it imports only the flag table.
 */
import type { CommandHelp } from '../command';
import { FLAGS } from '../flag-table';

export const COMMAND_HELP = [
  {
    name: 'seed',
    summary: 'embedded backend: synthetic sales, ARIMA versions, deployments',
    usage: 'seed [--books N] [--seed S] [--force]',
    flags: [FLAGS.books, FLAGS.seed, FLAGS.seedForce],
  },
  {
    name: 'versions',
    summary: 'registry view of one book: serving, last-known-good, every version',
    usage: 'versions --isbn X',
    flags: [FLAGS.isbn],
  },
  {
    name: 'cost',
    summary: 'estimated monthly serving cost per book and for the fleet, with savings',
    usage: 'cost',
    flags: [],
  },
  {
    name: 'adopt',
    summary: "attach to the pipeline's fleet: inventory, last-known-good, readiness report",
    usage: 'adopt',
    flags: [],
  },
  {
    name: 'health run',
    summary: 'one health check now: accuracy, endpoints, pipeline, data; publishes alerts',
    usage: 'health run [--isbn X]...',
    flags: [FLAGS.healthIsbns],
  },
  {
    name: 'schedules',
    summary: "the scheduler's jobs and the newest health report's age: is anything watching the fleet?",
    usage: 'schedules',
    flags: [],
  },
  {
    name: 'rollback',
    summary: 'roll books back (a version, previous, last-known-good), restore a backup, or recover',
    usage:
      'rollback (--isbn X... (--to-version N|previous|last-known-good | --emergency) | --emergency | --all-models --to-version previous|last-known-good | --restore-backup ID | --recover) [--dry-run] [--force] [--reason TEXT] [--by NAME] [--request-id ID] [--concurrency N]',
    flags: [
      FLAGS.rollbackIsbns,
      FLAGS.toVersion,
      FLAGS.emergency,
      FLAGS.allModels,
      FLAGS.restoreBackup,
      FLAGS.recover,
      FLAGS.dryRun,
      FLAGS.rollbackForce,
      FLAGS.reason,
      FLAGS.by,
      FLAGS.requestId,
      FLAGS.concurrency,
    ],
  },
  {
    name: 'publish',
    summary:
      'publish a message to a topic as its producer would (--file required, except for a sales-data-updates notification with payloadFormat=NONE)',
    usage: 'publish TOPIC [--file F] [--attr k=v]... [--no-check]',
    flags: [FLAGS.file, FLAGS.attr, FLAGS.noCheck],
  },
  {
    name: 'alerts list',
    summary: 'alert state: what fires, who was told, acknowledgements and silences',
    usage: 'alerts list [--status firing|pending|resolved]',
    flags: [FLAGS.status],
  },
  {
    name: 'alerts ack',
    summary: 'acknowledge an alert: no reminders or escalation until it resolves',
    usage: 'alerts ack FP --by NAME',
    flags: [FLAGS.by],
  },
  {
    name: 'alerts silence',
    summary: 'silence an alert for a while (its resolution is still sent)',
    usage: 'alerts silence FP --for 2h [--by NAME]',
    flags: [FLAGS.silenceFor, FLAGS.by],
  },
  {
    name: 'alerts test',
    summary: 'send a test alert end to end and report each channel',
    usage: 'alerts test [--severity critical|warning|info] [--wait 30s]',
    flags: [FLAGS.severity, FLAGS.testWait],
  },
  {
    name: 'dead-letters list',
    summary: 'messages consumers gave up on, with the reason (nothing is consumed)',
    usage: 'dead-letters list [TOPIC]',
    flags: [],
  },
  {
    name: 'dead-letters replay',
    summary: 'republish dead letters to their original topic, then ack them',
    usage: 'dead-letters replay TOPIC [--id ID] [--wait 70s]',
    flags: [FLAGS.id, FLAGS.replayWait],
  },
  {
    name: 'up',
    summary: 'the whole system on this machine: functions, queue, schedules, dashboard (Ctrl-C stops it)',
    usage: 'up [--emulators] [--tick S] [--port N] [--only health-check,alert-dispatch,...]',
    flags: [FLAGS.emulators, FLAGS.tick, FLAGS.port, FLAGS.only],
  },
  {
    name: 'drill',
    summary: 'game day on a fresh embedded backend: inject failures, measure against the targets',
    usage: 'drill [--keep]',
    flags: [FLAGS.keep],
  },
  {
    name: 'deploy',
    summary: 'gated deployment: quality gates, approval for high-risk changes, optional canary',
    usage:
      'deploy --isbn X... --model-version N|latest [--environment E] [--force] [--approve --by NAME [--reason TEXT]] [--canary [--canary-percent P] [--bake S]] [--max-books N]',
    flags: [
      FLAGS.deployIsbns,
      FLAGS.modelVersion,
      FLAGS.environment,
      FLAGS.deployForce,
      FLAGS.approve,
      FLAGS.by,
      FLAGS.reason,
      FLAGS.canary,
      FLAGS.canaryPercent,
      FLAGS.bake,
      FLAGS.maxBooks,
    ],
  },
  {
    name: 'validate',
    summary: 'post-deploy validation now: 1,000+ predictions, every check, then act on the verdict',
    usage:
      'validate (--isbn X [--version N] | --all) [--environment E] [--report-only] [--min-predictions N] [--concurrency N] [--by NAME]',
    flags: [
      FLAGS.isbn,
      FLAGS.version,
      FLAGS.all,
      FLAGS.environment,
      FLAGS.reportOnly,
      FLAGS.minPredictions,
      FLAGS.concurrency,
      FLAGS.by,
    ],
  },
  {
    name: 'demo degrade',
    summary: 'serve a corrupted copy of the model (rollback cures it)',
    usage: 'demo degrade --isbn X',
    flags: [FLAGS.isbn],
  },
  {
    name: 'demo bad-version',
    summary: 'deploy a broken version through the normal path (--defect x10|negative|horizon|nan)',
    usage: 'demo bad-version --isbn X [--defect D]',
    flags: [FLAGS.isbn, FLAGS.defect],
  },
  {
    name: 'demo drift',
    summary: 'shift recent actual sales (rollback does not cure it)',
    usage: 'demo drift --isbn X',
    flags: [FLAGS.isbn],
  },
  {
    name: 'thresholds',
    summary: 'backtest every served book and recommend accuracy thresholds',
    usage: 'thresholds [--report FILE.html] [--overrides-dir DIR] [--origins N] [--step-weeks W]',
    flags: [FLAGS.report, FLAGS.overridesDir, FLAGS.origins, FLAGS.stepWeeks],
  },
  {
    name: 'trace',
    summary:
      "trace one book's forecast back: version, deploy or rollback, pipeline run, data, validation, alerts, logs",
    usage: 'trace --isbn X [--week YYYY-MM-DD | --correlation-id C]',
    flags: [FLAGS.isbn, FLAGS.week, FLAGS.correlationId],
  },
] as const satisfies readonly CommandHelp[];

/** A command's name, as the table spells it. */
export type CommandName = (typeof COMMAND_HELP)[number]['name'];

/** The help of the command called `name`, for its module to spread into its Command. */
export function helpOf(name: CommandName): CommandHelp {
  const help = COMMAND_HELP.find((h) => h.name === name);
  if (!help) throw new Error(`no command "${name}" in the help table`);
  return help;
}
