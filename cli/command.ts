/** What a CLI command is: a name, its flags, and a run function that returns an exit code. */
import type { ParseArgsConfig } from 'node:util';
import { UsageError, type ExitCode } from './exit-codes';
import type { Output } from './output';

export type Flags = Record<string, string | boolean | string[] | undefined>;

export interface CommandContext {
  flags: Flags;
  positionals: string[];
  out: Output;
  env: Record<string, string | undefined>;
  /** True when stderr is a terminal (progress bars only then, never with --json). */
  interactive: boolean;
  /**
   * Who the credentials this run uses proved to be (on Google Cloud: the
   * service account or user of the Application Default Credentials);
   * undefined when nothing verifies it (the embedded backend).
   */
  identity(): Promise<string | undefined>;
}

export interface Command {
  /** One or two words: `seed`, `health run`. */
  name: string;
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(ctx: CommandContext): Promise<ExitCode>;
}

/** A string flag that must be present; UsageError naming it otherwise. */
export function requireFlag(flags: Flags, name: string): string {
  const v = flags[name];
  if (typeof v !== 'string' || v === '') {
    throw new UsageError(`--${name} is required`, [name]);
  }
  return v;
}
