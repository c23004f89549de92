/**
 * Reads a command's argv with the flag table: node's parseArgs (strict: an
 * unknown flag is bad usage) over options built from the declarations, long
 * aliases rewritten to their flag's name first, then every value parsed by
 * its flag's rule before the command runs, so bad input fails before any
 * backend is opened.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Flag, RawFlag } from './flags';

export interface ReadArgs {
  positionals: string[];
  /** Each flag's value as parseArgs read it, by the flag's name. */
  raw: Readonly<Record<string, RawFlag>>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs options for the flags; a name declared twice is a programming error. */
export function parseArgsOptions(flags: readonly Flag[]): Options {
  const options: Options = {};
  for (const f of flags) {
    if (options[f.name]) throw new Error(`--${f.name} is declared twice`);
    const short = f.aliases.find((a) => a.length === 1);
    options[f.name] = { type: f.type, multiple: f.multiple, ...(short ? { short } : {}) };
  }
  return options;
}

/** `--alias` and `--alias=value` become the flag's own name; nothing after `--` is touched. */
export function canonicalArgs(args: readonly string[], flags: readonly Flag[]): string[] {
  const rename = new Map<string, string>();
  for (const f of flags) for (const a of f.aliases) if (a.length > 1) rename.set(a, f.name);
  const end = args.indexOf('--');
  return args.map((arg, i) => {
    if ((end >= 0 && i >= end) || !arg.startsWith('--')) return arg;
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const to = rename.get(name);
    return to === undefined ? arg : `--${to}${eq < 0 ? '' : arg.slice(eq)}`;
  });
}

/** Reads argv against the flags (names and value shapes only); throws parseArgs' TypeError (ERR_PARSE_ARGS_*). */
export function readArgs(args: readonly string[], flags: readonly Flag[]): ReadArgs {
  const parsed = parseArgs({
    args: canonicalArgs(args, flags),
    options: parseArgsOptions(flags),
    allowPositionals: true,
    strict: true,
  });
  return { positionals: parsed.positionals, raw: parsed.values as Record<string, RawFlag> };
}

/** Every flag's value parsed by its rule, in declaration order (the first bad one throws its UsageError). */
export function parseValues(raw: ReadArgs['raw'], flags: readonly Flag[]): ReadonlyMap<Flag, unknown> {
  const values = new Map<Flag, unknown>();
  for (const f of flags) values.set(f, f.parse(raw[f.name]));
  return values;
}
