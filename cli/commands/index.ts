/** Every CLI command, in the order `--help` lists them. One line per command. */
import type { Command } from '../command';
import { adoptCommand } from './adopt';
import { alertsCommands } from './alerts';
import { costCommand } from './cost';
import { deadLettersCommands } from './dead-letters';
import { demoCommands } from './demo';
import { deployCommand } from './deploy';
import { drillCommand } from './drill';
import { healthRunCommand } from './health';
import { publishCommand } from './publish';
import { rollbackCommand } from './rollback';
import { schedulesCommand } from './schedules';
import { seedCommand } from './seed';
import { thresholdsCommand } from './thresholds';
import { traceCommand } from './trace';
import { upCommand } from './up';
import { validateCommand } from './validate';
import { versionsCommand } from './versions';

export const COMMANDS: readonly Command[] = [
  seedCommand,
  versionsCommand,
  costCommand,
  adoptCommand,
  healthRunCommand,
  schedulesCommand,
  rollbackCommand,
  publishCommand,
  ...alertsCommands,
  ...deadLettersCommands,
  upCommand,
  drillCommand,
  deployCommand,
  validateCommand,
  ...demoCommands,
  thresholdsCommand,
  traceCommand,
];
