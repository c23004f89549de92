/** What a CLI command is: a name, the flags it takes (from the flag table), and a run function that returns an exit code. */
import type { ExitCode } from './exit-codes';
import type { Flag } from './flags';
import type { Output } from './output';

export interface CommandContext {
  /** A flag's value, parsed by its rule (flag-table.ts); only flags the command declares. */
  flag<T>(flag: Flag<T>): T;
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
  /** The synopsis: which flags go together (`--help` lists each flag from the table). */
  usage: string;
  /** Entries of FLAGS (flag-table.ts); --json and --help are added to every command. */
  flags: readonly Flag[];
  run(ctx: CommandContext): Promise<ExitCode>;
}

/** What `--help` shows of a command: all but how it runs. */
export type CommandHelp = Pick<Command, 'name' | 'summary' | 'usage' | 'flags'>;
