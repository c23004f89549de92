/**
 * Every alert kind has a runbook an on-call engineer can act on, and every
 * `forecast-guard …` command a runbook shows is one the CLI really takes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandHelp } from '../../../cli/command';
import { COMMANDS } from '../../../cli/commands';
import { GLOBAL_FLAGS } from '../../../cli/flag-table';
import { AlertKind } from '../../../shared/contracts/messages/alert';
import { DEFAULT_RUNBOOK_BASE_URL, runbookFor } from '../../../shared/contracts/runbooks';

const ROOT = join(__dirname, '../../..');
const DIR = join(ROOT, DEFAULT_RUNBOOK_BASE_URL);
const SECTIONS = ['What it means', 'Severity', 'First checks', 'Commands', 'How it resolves'];

const read = (file: string) => readFileSync(join(DIR, file), 'utf8');

/** The `## Heading` sections of a page, heading → body. */
function sections(page: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of page.split(/^## /m).slice(1)) {
    const nl = part.indexOf('\n');
    out.set(part.slice(0, nl).trim(), part.slice(nl + 1).trim());
  }
  return out;
}

/** Every `forecast-guard …` command in a page: code lines starting with it and inline code spans. */
function cliCommands(page: string): string[] {
  const found: string[] = [];
  for (const line of page.split('\n')) {
    const t = line.trim();
    if (t.startsWith('forecast-guard ')) found.push(t.replace(/\s+#.*$/, ''));
  }
  for (const m of page.matchAll(/`(forecast-guard [^`]+)`/g)) found.push(m[1]!.replace(/\s+/g, ' '));
  return found;
}

/** What is wrong with one command line, or undefined when the CLI takes that command and those flags. */
function cliProblem(line: string): string | undefined {
  const words = line.split(/\s+/).slice(1);
  const two = `${words[0]} ${words[1]}`;
  const command: CommandHelp | undefined =
    COMMANDS.find((c) => c.name === two) ?? COMMANDS.find((c) => c.name === words[0]);
  if (command === undefined) return `unknown command in "${line}"`;
  const known = new Set<string>();
  for (const f of [...command.flags, ...Object.values(GLOBAL_FLAGS)]) {
    known.add(f.name);
    for (const a of f.aliases) known.add(a);
  }
  const bad = words
    .filter((w) => w.startsWith('--'))
    .map((w) => w.slice(2).split('=')[0]!)
    .filter((name) => !known.has(name));
  return bad.length > 0 ? `"${command.name}" takes no --${bad.join(', --')} (in "${line}")` : undefined;
}

describe('runbooks', () => {
  it.each(AlertKind.options)('%s has docs/runbooks/<kind>.md with every section filled', (kind) => {
    const file = `${kind}.md`;
    expect(readdirSync(DIR)).toContain(file);
    const page = read(file);
    expect(page.split('\n')[0]).toBe(`# ${kind}`);
    const found = sections(page);
    const missing = SECTIONS.filter((s) => (found.get(s) ?? '') === '');
    expect(missing).toEqual([]);
  });

  it.each(AlertKind.options)('%s: every forecast-guard command and flag it shows exists', (kind) => {
    const commands = cliCommands(read(`${kind}.md`));
    expect(commands.length).toBeGreaterThan(0);
    expect(commands.map(cliProblem).filter((p) => p !== undefined)).toEqual([]);
  });

  it('the index lists every kind, and no page is for a kind that does not exist', () => {
    const index = read('README.md');
    for (const kind of AlertKind.options) expect(index).toContain(`](${kind}.md)`);
    const pages = readdirSync(DIR).filter((f) => f.endsWith('.md') && f !== 'README.md');
    expect(pages.map((f) => f.slice(0, -3)).sort()).toEqual([...AlertKind.options].sort());
    expect(
      cliCommands(index)
        .map(cliProblem)
        .filter((p) => p !== undefined),
    ).toEqual([]);
  });

  it('the command check refuses an unknown command or flag, naming it', () => {
    expect(cliProblem('forecast-guard alerts ack FP --by me')).toBeUndefined();
    expect(cliProblem('forecast-guard rollback --isbn 9780722532935 --emergency --json')).toBeUndefined();
    expect(cliProblem('forecast-guard alerts mute FP')).toBe(
      'unknown command in "forecast-guard alerts mute FP"',
    );
    expect(cliProblem('forecast-guard alerts ack FP --for 2h')).toBe(
      '"alerts ack" takes no --for (in "forecast-guard alerts ack FP --for 2h")',
    );
  });
});

describe('runbookFor', () => {
  it('puts <kind>.md under the base, with or without its trailing slash', () => {
    expect(runbookFor('data_drift', 'docs/runbooks/')).toBe('docs/runbooks/data_drift.md');
    expect(runbookFor('data_drift', 'https://github.com/acme/fg/blob/main/docs/runbooks')).toBe(
      'https://github.com/acme/fg/blob/main/docs/runbooks/data_drift.md',
    );
    expect(runbookFor('rmse_spike')).toBe(`${DEFAULT_RUNBOOK_BASE_URL}rmse_spike.md`);
  });
});
