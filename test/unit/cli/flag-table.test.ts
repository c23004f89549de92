/**
 * The flag table holds the CLI together: every command takes its flags from
 * it, its synopsis names exactly those flags, `--help` is built from it, and
 * the flags the operator scripts and README pass still exist with the same
 * kind of value.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandHelp } from '../../../cli/command';
import { COMMANDS } from '../../../cli/commands';
import { FLAGS, GLOBAL_FLAGS } from '../../../cli/flag-table';
import type { Flag } from '../../../cli/flags';
import { commandHelp, flagSpelling, mainHelp } from '../../../cli/help';
import { canonicalArgs, parseArgsOptions, parseValues, readArgs } from '../../../cli/parse-flags';

const ROOT = join(__dirname, '..', '..', '..');

function command(name: string): CommandHelp {
  const found = COMMANDS.find((c) => c.name === name);
  if (!found) throw new Error(`no command ${name}`);
  return found;
}

/** `--name` words of a synopsis. */
function flagsNamedIn(usage: string): string[] {
  return [...new Set([...usage.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1] ?? ''))].sort();
}

describe('the flag table', () => {
  it('gives every command flags from FLAGS only, no name twice, plus --json and --help', () => {
    const table = new Set<Flag>(Object.values(FLAGS));
    for (const c of COMMANDS) {
      for (const f of c.flags) expect(table.has(f)).toBe(true);
      expect(() => parseArgsOptions([...c.flags, GLOBAL_FLAGS.json, GLOBAL_FLAGS.help])).not.toThrow();
    }
  });

  it('has no entry no command uses', () => {
    const used = new Set(COMMANDS.flatMap((c) => c.flags));
    const unused = Object.entries(FLAGS)
      .filter(([, f]) => !used.has(f))
      .map(([id]) => id);
    expect(unused).toEqual([]);
  });

  it.each(COMMANDS.map((c) => [c.name, c] as const))('%s: its synopsis names exactly its flags', (_, c) => {
    expect(flagsNamedIn(c.usage)).toEqual(c.flags.map((f) => f.name).sort());
  });

  it('describes every flag', () => {
    for (const f of [...Object.values(FLAGS), ...Object.values(GLOBAL_FLAGS)]) {
      expect(f.description.length).toBeGreaterThan(5);
    }
  });
});

describe('--help from the table', () => {
  it("lists each of a command's flags with its rule and default, then --json and -h, --help", () => {
    const help = commandHelp(command('deploy'));
    expect(help.split('\n').slice(0, 2)).toEqual([
      `usage: forecast-guard ${command('deploy').usage}`,
      command('deploy').summary,
    ]);
    expect(help).toMatch(
      /--canary-percent P +the canary's share of traffic in percent \(a whole number from 1 to 99; default 10\)/,
    );
    expect(help).toMatch(/--environment development\|staging\|production +/);
    expect(help).toMatch(/\n {2}-h, --help +this command's usage and flags$/);
    for (const f of command('deploy').flags) expect(help).toContain(flagSpelling(f));
  });

  it('is what README shows as the command list', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(mainHelp(COMMANDS));
  });
});

describe('reading argv with the table', () => {
  const flags = [FLAGS.rollbackIsbns, FLAGS.concurrency, GLOBAL_FLAGS.help];

  it('parses every value by its rule, defaults applied', () => {
    const args = readArgs(['--isbn', '978-0-7225-3293-5', '--isbn', '9780241003008', 'extra'], flags);
    expect(args.positionals).toEqual(['extra']);
    const values = parseValues(args.raw, flags);
    expect(values.get(FLAGS.rollbackIsbns)).toEqual(['9780722532935', '9780241003008']);
    expect(values.get(FLAGS.concurrency)).toBeUndefined();
    expect(values.get(GLOBAL_FLAGS.help)).toBe(false);
  });

  it('takes a short alias (-h) and rewrites long aliases, never after --', () => {
    expect(readArgs(['-h'], flags).raw.help).toBe(true);
    const withAlias: Flag = { ...FLAGS.allModels, aliases: ['every-book'] };
    expect(canonicalArgs(['--every-book', '--every-book=1', '--', '--every-book'], [withAlias])).toEqual([
      '--all-models',
      '--all-models=1',
      '--',
      '--every-book',
    ]);
  });

  it('refuses an unknown flag as parseArgs does (bad usage)', () => {
    expect(() => readArgs(['--nope'], flags)).toThrow(
      expect.objectContaining({ code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' }),
    );
  });
});

/**
 * What each operator script passes to which command (scripts/*.sh): each must
 * stay a flag of that command, taking a value exactly when the script gives one.
 */
const SCRIPT_FLAGS: Record<string, Record<string, { value: boolean }>> = {
  rollback: {
    isbn: { value: true },
    'to-version': { value: true },
    reason: { value: true },
    by: { value: true },
    'restore-backup': { value: true },
    'request-id': { value: true },
    concurrency: { value: true },
    emergency: { value: false },
    'all-models': { value: false },
    'dry-run': { value: false },
    force: { value: false },
    json: { value: false },
    recover: { value: false },
  },
  versions: { isbn: { value: true }, json: { value: false } },
  deploy: {
    isbn: { value: true },
    'model-version': { value: true },
    environment: { value: true },
    'canary-percent': { value: true },
    bake: { value: true },
    'max-books': { value: true },
    approve: { value: false },
    canary: { value: false },
    by: { value: true },
    reason: { value: true },
    force: { value: false },
    json: { value: false },
  },
  validate: {
    isbn: { value: true },
    environment: { value: true },
    by: { value: true },
    version: { value: true },
    all: { value: false },
    'report-only': { value: false },
    json: { value: false },
  },
  thresholds: {
    report: { value: true },
    'overrides-dir': { value: true },
    origins: { value: true },
    'step-weeks': { value: true },
    json: { value: false },
  },
};

describe('the flags operator scripts pass', () => {
  it.each(Object.entries(SCRIPT_FLAGS))('%s keeps them', (name, expected) => {
    const c = command(name);
    const byName = new Map([...c.flags, GLOBAL_FLAGS.json].map((f) => [f.name, f]));
    for (const [flag, { value }] of Object.entries(expected)) {
      expect({ flag, type: byName.get(flag)?.type }).toEqual({ flag, type: value ? 'string' : 'boolean' });
    }
  });

  it('are the ones the scripts forward (each named in its script)', () => {
    const scripts = [
      'rollback_model.sh',
      'deploy_model.sh',
      'validate_deployment.sh',
      'validate_thresholds.sh',
    ]
      .map((s) => readFileSync(join(ROOT, 'scripts', s), 'utf8'))
      .join('\n');
    for (const flags of Object.values(SCRIPT_FLAGS)) {
      for (const flag of Object.keys(flags)) expect(scripts).toContain(`--${flag}`);
    }
  });
});
