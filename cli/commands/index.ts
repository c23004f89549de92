/**
 * Every CLI command, in the order `--help` lists them: what help needs
 * (name, summary, usage, flags) and how to load the command's module. A
 * command's module (and the wiring, adapters and services under it) loads
 * only when that command runs, so `--help` and each command start without
 * the rest (bench/cold-start.ts). The spec repeats what the module's Command
 * says; test/unit/cli/command-table.test.ts holds the two equal.
 */
import type { Command } from '../command';
import type * as AdoptModule from './adopt';
import type * as AlertsModule from './alerts';
import type * as CostModule from './cost';
import type * as DeadLettersModule from './dead-letters';
import type * as DemoModule from './demo';
import type * as DeployModule from './deploy';
import type * as DrillModule from './drill';
import type * as HealthModule from './health';
import type * as PublishModule from './publish';
import type * as RollbackModule from './rollback';
import type * as SchedulesModule from './schedules';
import type * as SeedModule from './seed';
import type * as ThresholdsModule from './thresholds';
import type * as TraceModule from './trace';
import type * as UpModule from './up';
import type * as ValidateModule from './validate';
import type * as VersionsModule from './versions';
import { FLAGS } from '../flag-table';
import type { Flag } from '../flags';

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  flags: readonly Flag[];
  /** The command itself, from its own module (required on the first call). */
  load(): Command;
}

/** Requires a command's module when the command runs; `pick` finds the command in it. */
function load<M>(module: string, pick: (m: M) => Command): Command {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return pick(require(module) as M);
}

/** The command called `name` among a module's commands. */
function named(commands: readonly Command[], name: string): Command {
  const found = commands.find((c) => c.name === name);
  if (!found) throw new Error(`no command "${name}" in its module`);
  return found;
}

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'seed',
    summary: 'embedded backend: synthetic sales, ARIMA versions, deployments',
    usage: 'seed [--books N] [--seed S] [--force]',
    flags: [FLAGS.books, FLAGS.seed, FLAGS.seedForce],
    load: () => load<typeof SeedModule>('./seed', (m) => m.seedCommand),
  },
  {
    name: 'versions',
    summary: 'registry view of one book: serving, last-known-good, every version',
    usage: 'versions --isbn X',
    flags: [FLAGS.isbn],
    load: () => load<typeof VersionsModule>('./versions', (m) => m.versionsCommand),
  },
  {
    name: 'cost',
    summary: 'estimated monthly serving cost per book and for the fleet, with savings',
    usage: 'cost',
    flags: [],
    load: () => load<typeof CostModule>('./cost', (m) => m.costCommand),
  },
  {
    name: 'adopt',
    summary: "attach to the pipeline's fleet: inventory, last-known-good, readiness report",
    usage: 'adopt',
    flags: [],
    load: () => load<typeof AdoptModule>('./adopt', (m) => m.adoptCommand),
  },
  {
    name: 'health run',
    summary: 'one health check now: accuracy, endpoints, pipeline, data; publishes alerts',
    usage: 'health run [--isbn X]...',
    flags: [FLAGS.healthIsbns],
    load: () => load<typeof HealthModule>('./health', (m) => m.healthRunCommand),
  },
  {
    name: 'schedules',
    summary: "the scheduler's jobs and the newest health report's age: is anything watching the fleet?",
    usage: 'schedules',
    flags: [],
    load: () => load<typeof SchedulesModule>('./schedules', (m) => m.schedulesCommand),
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
    load: () => load<typeof RollbackModule>('./rollback', (m) => m.rollbackCommand),
  },
  {
    name: 'publish',
    summary:
      'publish a message to a topic as its producer would (--file required, except for a sales-data-updates notification with payloadFormat=NONE)',
    usage: 'publish TOPIC [--file F] [--attr k=v]... [--no-check]',
    flags: [FLAGS.file, FLAGS.attr, FLAGS.noCheck],
    load: () => load<typeof PublishModule>('./publish', (m) => m.publishCommand),
  },
  {
    name: 'alerts list',
    summary: 'alert state: what fires, who was told, acknowledgements and silences',
    usage: 'alerts list [--status firing|pending|resolved]',
    flags: [FLAGS.status],
    load: () => load<typeof AlertsModule>('./alerts', (m) => named(m.alertsCommands, 'alerts list')),
  },
  {
    name: 'alerts ack',
    summary: 'acknowledge an alert: no reminders or escalation until it resolves',
    usage: 'alerts ack FP --by NAME',
    flags: [FLAGS.by],
    load: () => load<typeof AlertsModule>('./alerts', (m) => named(m.alertsCommands, 'alerts ack')),
  },
  {
    name: 'alerts silence',
    summary: 'silence an alert for a while (its resolution is still sent)',
    usage: 'alerts silence FP --for 2h [--by NAME]',
    flags: [FLAGS.silenceFor, FLAGS.by],
    load: () => load<typeof AlertsModule>('./alerts', (m) => named(m.alertsCommands, 'alerts silence')),
  },
  {
    name: 'alerts test',
    summary: 'send a test alert end to end and report each channel',
    usage: 'alerts test [--severity critical|warning|info] [--wait 30s]',
    flags: [FLAGS.severity, FLAGS.testWait],
    load: () => load<typeof AlertsModule>('./alerts', (m) => named(m.alertsCommands, 'alerts test')),
  },
  {
    name: 'dead-letters list',
    summary: 'messages consumers gave up on, with the reason (nothing is consumed)',
    usage: 'dead-letters list [TOPIC]',
    flags: [],
    load: () =>
      load<typeof DeadLettersModule>('./dead-letters', (m) =>
        named(m.deadLettersCommands, 'dead-letters list'),
      ),
  },
  {
    name: 'dead-letters replay',
    summary: 'republish dead letters to their original topic, then ack them',
    usage: 'dead-letters replay TOPIC [--id ID] [--wait 70s]',
    flags: [FLAGS.id, FLAGS.replayWait],
    load: () =>
      load<typeof DeadLettersModule>('./dead-letters', (m) =>
        named(m.deadLettersCommands, 'dead-letters replay'),
      ),
  },
  {
    name: 'up',
    summary: 'the whole system on this machine: functions, queue, schedules, dashboard (Ctrl-C stops it)',
    usage: 'up [--emulators] [--tick S] [--port N] [--only health-check,alert-dispatch,...]',
    flags: [FLAGS.emulators, FLAGS.tick, FLAGS.port, FLAGS.only],
    load: () => load<typeof UpModule>('./up', (m) => m.upCommand),
  },
  {
    name: 'drill',
    summary: 'game day on a fresh embedded backend: inject failures, measure against the targets',
    usage: 'drill [--keep]',
    flags: [FLAGS.keep],
    load: () => load<typeof DrillModule>('./drill', (m) => m.drillCommand),
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
    load: () => load<typeof DeployModule>('./deploy', (m) => m.deployCommand),
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
    load: () => load<typeof ValidateModule>('./validate', (m) => m.validateCommand),
  },
  {
    name: 'demo degrade',
    summary: 'serve a corrupted copy of the model (rollback cures it)',
    usage: 'demo degrade --isbn X',
    flags: [FLAGS.isbn],
    load: () => load<typeof DemoModule>('./demo', (m) => named(m.demoCommands, 'demo degrade')),
  },
  {
    name: 'demo bad-version',
    summary: 'deploy a broken version through the normal path (--defect x10|negative|horizon|nan)',
    usage: 'demo bad-version --isbn X [--defect D]',
    flags: [FLAGS.isbn, FLAGS.defect],
    load: () => load<typeof DemoModule>('./demo', (m) => named(m.demoCommands, 'demo bad-version')),
  },
  {
    name: 'demo drift',
    summary: 'shift recent actual sales (rollback does not cure it)',
    usage: 'demo drift --isbn X',
    flags: [FLAGS.isbn],
    load: () => load<typeof DemoModule>('./demo', (m) => named(m.demoCommands, 'demo drift')),
  },
  {
    name: 'thresholds',
    summary: 'backtest every served book and recommend accuracy thresholds',
    usage: 'thresholds [--report FILE.html] [--overrides-dir DIR] [--origins N] [--step-weeks W]',
    flags: [FLAGS.report, FLAGS.overridesDir, FLAGS.origins, FLAGS.stepWeeks],
    load: () => load<typeof ThresholdsModule>('./thresholds', (m) => m.thresholdsCommand),
  },
  {
    name: 'trace',
    summary:
      "trace one book's forecast back: version, deploy or rollback, pipeline run, data, validation, alerts, logs",
    usage: 'trace --isbn X [--week YYYY-MM-DD | --correlation-id C]',
    flags: [FLAGS.isbn, FLAGS.week, FLAGS.correlationId],
    load: () => load<typeof TraceModule>('./trace', (m) => m.traceCommand),
  },
];
