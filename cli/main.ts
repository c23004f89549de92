/**
 * `forecast-guard`: the operator CLI. The only place that reads argv and the
 * process environment; commands are composition over shared/services.
 */
import { COMMANDS, type CommandSpec } from './commands';
import { EXIT, UsageError, exitCodeFor, type ExitCode } from './exit-codes';
import { GLOBAL_FLAGS } from './flag-table';
import type { Flag } from './flags';
import { commandHelp, mainHelp } from './help';
import { createOutput, processStreams, type Streams } from './output';
import { parseValues, readArgs } from './parse-flags';
import { googleCredentialIdentity } from '../shared/adapters/gcp/credential-identity';
import { describeError } from '../shared/errors';

function findCommand(argv: string[]): { command: CommandSpec; rest: string[] } | undefined {
  const two = COMMANDS.find((c) => c.name === `${argv[0]} ${argv[1]}`);
  if (two) return { command: two, rest: argv.slice(2) };
  const one = COMMANDS.find((c) => c.name === argv[0]);
  return one ? { command: one, rest: argv.slice(1) } : undefined;
}

/**
 * Google's answer on Google Cloud (FG_BACKEND=gcp, no emulators); on the
 * embedded backend or the emulators nothing verifies who runs the CLI.
 */
function defaultIdentity(env: Record<string, string | undefined>): () => Promise<string | undefined> {
  const emulated = Boolean(env.PUBSUB_EMULATOR_HOST?.trim() || env.FIRESTORE_EMULATOR_HOST?.trim());
  return env.FG_BACKEND?.trim() === 'gcp' && !emulated ? googleCredentialIdentity : async () => undefined;
}

export async function main(
  argv: string[],
  options: {
    env?: Record<string, string | undefined>;
    streams?: Streams;
    /** Who the credentials are (tests); default defaultIdentity(env). */
    identity?: () => Promise<string | undefined>;
  } = {},
): Promise<ExitCode> {
  const streams = options.streams ?? processStreams;
  const env = options.env ?? process.env;
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === 'help' || argv[0] === '-h') {
    streams.stdout(mainHelp(COMMANDS) + '\n');
    return argv.length === 0 ? EXIT.usage : EXIT.ok;
  }
  const found = findCommand(argv);
  const json = argv.includes('--json');
  const out = createOutput(json, streams);
  if (!found) {
    out.error(`forecast-guard: unknown command "${argv.slice(0, 2).join(' ')}"; run forecast-guard --help`);
    return EXIT.usage;
  }
  const { command, rest } = found;
  try {
    const flags = [...command.flags, GLOBAL_FLAGS.json, GLOBAL_FLAGS.help];
    const args = readArgs(rest, flags);
    // --help answers even when other flags' values are bad.
    if (GLOBAL_FLAGS.help.parse(args.raw.help)) {
      streams.stdout(commandHelp(command) + '\n');
      return EXIT.ok;
    }
    const values = parseValues(args.raw, flags);
    const loaded = command.load();
    return await loaded.run({
      flag: <T>(flag: Flag<T>): T => {
        if (!values.has(flag))
          throw new Error(`${command.name} reads --${flag.name}, which it does not declare`);
        return values.get(flag) as T;
      },
      positionals: args.positionals,
      out,
      env,
      interactive: !json && Boolean(process.stderr.isTTY) && env.CI !== 'true',
      identity: options.identity ?? defaultIdentity(env),
    });
  } catch (err) {
    const code =
      err instanceof TypeError && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
        ? EXIT.usage
        : exitCodeFor(err);
    const message =
      err instanceof UsageError || code === EXIT.usage ? (err as Error).message : describeError(err);
    out.error(`forecast-guard ${command.name}: ${message}`);
    if (code === EXIT.usage) out.error(`usage: forecast-guard ${command.usage}`);
    return code;
  }
}
