/** `--help`, generated: the command list from each command's synopsis, a command's flags from the flag table. */
import type { CommandHelp } from './command';
import { GLOBAL_FLAGS } from './flag-table';
import type { Flag } from './flags';

/** Long usages (rollback, deploy) get their summary on the next line, so the column stays readable. */
const USAGE_WIDTH = 44;

export function mainHelp(commands: readonly CommandHelp[]): string {
  const line = (c: CommandHelp) =>
    c.usage.length <= USAGE_WIDTH
      ? `  ${c.usage.padEnd(USAGE_WIDTH)}  ${c.summary}`
      : `  ${c.usage}\n  ${' '.repeat(USAGE_WIDTH)}  ${c.summary}`;
  return [
    'usage: forecast-guard <command> [flags] [--json]',
    '',
    'commands:',
    ...commands.map(line),
    '',
    'exit codes: 0 ok, 1 problem found, 2 bad usage or input, 3 backend unreachable',
  ].join('\n');
}

/** How a flag is written: `-h, --help`, `--isbn X...`. */
export function flagSpelling(flag: Flag): string {
  const short = flag.aliases.filter((a) => a.length === 1).map((a) => `-${a}`);
  const long = [flag.name, ...flag.aliases.filter((a) => a.length > 1)].map((n) => `--${n}`);
  const names = [...short, ...long].join(', ');
  return flag.placeholder ? `${names} ${flag.placeholder}` : names;
}

/** Every flag a command takes (its own, then --json and --help), one line each, defaults shown. */
export function commandHelp(command: CommandHelp): string {
  const flags = [...command.flags, GLOBAL_FLAGS.json, GLOBAL_FLAGS.help];
  const spelled = flags.map(flagSpelling);
  const width = Math.max(...spelled.map((s) => s.length));
  const rows = flags.map((f, i) => {
    const notes = [f.rule, f.default === undefined ? undefined : `default ${f.default}`].filter(Boolean);
    const text = notes.length > 0 ? `${f.description} (${notes.join('; ')})` : f.description;
    return `  ${(spelled[i] ?? '').padEnd(width)}  ${text}`;
  });
  return [`usage: forecast-guard ${command.usage}`, command.summary, '', 'flags:', ...rows].join('\n');
}
