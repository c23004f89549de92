/**
 * Every CLI command, in the order `--help` lists them: its help (from
 * help-table.ts, where each command's module also takes it) and how to load
 * the command's module. A command's module (and the wiring, adapters and
 * services under it) loads only when that command runs, so `--help` and
 * each command start without the rest (bench/cold-start.ts).
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
import type { Flag } from '../flags';
import { COMMAND_HELP, type CommandName } from './help-table';

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

/** How each command's module is loaded; the type demands one per command of the help table. */
const LOADERS: Record<CommandName, () => Command> = {
  seed: () => load<typeof SeedModule>('./seed', (m) => m.seedCommand),
  versions: () => load<typeof VersionsModule>('./versions', (m) => m.versionsCommand),
  cost: () => load<typeof CostModule>('./cost', (m) => m.costCommand),
  adopt: () => load<typeof AdoptModule>('./adopt', (m) => m.adoptCommand),
  'health run': () => load<typeof HealthModule>('./health', (m) => m.healthRunCommand),
  schedules: () => load<typeof SchedulesModule>('./schedules', (m) => m.schedulesCommand),
  rollback: () => load<typeof RollbackModule>('./rollback', (m) => m.rollbackCommand),
  publish: () => load<typeof PublishModule>('./publish', (m) => m.publishCommand),
  'alerts list': () => load<typeof AlertsModule>('./alerts', (m) => named(m.alertsCommands, 'alerts list')),
  'alerts ack': () => load<typeof AlertsModule>('./alerts', (m) => named(m.alertsCommands, 'alerts ack')),
  'alerts silence': () =>
    load<typeof AlertsModule>('./alerts', (m) => named(m.alertsCommands, 'alerts silence')),
  'alerts test': () => load<typeof AlertsModule>('./alerts', (m) => named(m.alertsCommands, 'alerts test')),
  'dead-letters list': () =>
    load<typeof DeadLettersModule>('./dead-letters', (m) =>
      named(m.deadLettersCommands, 'dead-letters list'),
    ),
  'dead-letters replay': () =>
    load<typeof DeadLettersModule>('./dead-letters', (m) =>
      named(m.deadLettersCommands, 'dead-letters replay'),
    ),
  up: () => load<typeof UpModule>('./up', (m) => m.upCommand),
  drill: () => load<typeof DrillModule>('./drill', (m) => m.drillCommand),
  deploy: () => load<typeof DeployModule>('./deploy', (m) => m.deployCommand),
  validate: () => load<typeof ValidateModule>('./validate', (m) => m.validateCommand),
  'demo degrade': () => load<typeof DemoModule>('./demo', (m) => named(m.demoCommands, 'demo degrade')),
  'demo bad-version': () =>
    load<typeof DemoModule>('./demo', (m) => named(m.demoCommands, 'demo bad-version')),
  'demo drift': () => load<typeof DemoModule>('./demo', (m) => named(m.demoCommands, 'demo drift')),
  thresholds: () => load<typeof ThresholdsModule>('./thresholds', (m) => m.thresholdsCommand),
  trace: () => load<typeof TraceModule>('./trace', (m) => m.traceCommand),
};

export const COMMANDS: readonly CommandSpec[] = COMMAND_HELP.map((help) => ({
  ...help,
  load: LOADERS[help.name],
}));
