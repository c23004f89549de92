/**
 * scripts/rollback_model.sh and scripts/deploy_model.sh: the flags operators
 * know, against a temporary embedded state dir. Three runs go all the way
 * through the real CLI (one book to a version, an emergency rollback of one
 * book, all models to previous); the flag mapping and exit codes are checked
 * with a stand-in CLI that records its arguments (the real one takes seconds
 * to load).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reportFigure } from '../../helpers/figures';
import { consistent, openWorld, seedBook, seedFleet, servingOf, type TestWorld } from './helpers/fleet';

const REPO = join(__dirname, '..', '..', '..');
const REAL_CLI = `${process.execPath} --import tsx ${join(__dirname, 'fixtures', 'cli-entry.ts')}`;

describe('operator scripts', () => {
  let world: TestWorld;
  beforeAll(async () => {
    world = await openWorld();
  });
  afterAll(async () => world.close());

  function script(name: string, args: string[], env: Record<string, string> = {}) {
    const started = Date.now();
    const run = spawnSync('bash', [join(REPO, 'scripts', name), ...args], {
      cwd: REPO,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        FG_STATE_DIR: world.dir,
        USER: 'ops',
        FORECAST_GUARD_CLI: REAL_CLI,
        ...env,
      },
      timeout: 60_000,
    });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr, ms: Date.now() - started };
  }

  /** A stand-in CLI: records its arguments, exits with FAKE_EXIT. */
  function recorder(): { cli: string; args: () => string[]; file: string } {
    const file = join(world.dir, `args-${Math.random().toString(36).slice(2)}.txt`);
    const cli = join(world.dir, 'fake-cli.sh');
    writeFileSync(cli, '#!/usr/bin/env bash\nprintf "%s\\n" "$@" > "$RECORD_FILE"\nexit "${FAKE_EXIT:-0}"\n');
    chmodSync(cli, 0o755);
    return { cli, file, args: () => readFileSync(file, 'utf8').trim().split('\n') };
  }

  it('rollback_model.sh --isbn X --to-version N, deploy_model.sh --emergency-rollback --isbn X, rollback_model.sh --all-models --to-version previous', async () => {
    const one = await seedBook(world, { versions: 3 });
    const first = script('rollback_model.sh', ['--isbn', one.isbn, '--to-version', '1', '--json']);
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(first.stdout).results).toEqual([
      expect.objectContaining({ isbn: one.isbn, to: '1', status: 'succeeded' }),
    ]);
    expect((await servingOf(world, one.isbn)).alias).toBe('1');

    const emergency = script('deploy_model.sh', ['--emergency-rollback', '--isbn', one.isbn]);
    expect(emergency.code).toBe(0);
    expect(emergency.stdout).toMatch(/1 succeeded/);
    expect((await servingOf(world, one.isbn)).alias).toBe('3');

    const fleet = await seedFleet(world, 3);
    const all = script('rollback_model.sh', ['--all-models', '--to-version', 'previous', '--json']);
    expect(all.code).toBe(0);
    for (const b of fleet) {
      expect((await servingOf(world, b.isbn)).alias).toBe('2');
      expect(consistent(await servingOf(world, b.isbn))).toBe(true);
    }
    reportFigure(
      'rollback[scripts]',
      'real-cli',
      `three script runs through the CLI: ${first.ms}, ${emergency.ms}, ${all.ms} ms (mostly loading the CLI)`,
    );
  }, 120_000);

  it.each([
    [
      'rollback_model.sh',
      ['--isbn', '9780722532935', '--to-version', '22'],
      ['rollback', '--isbn', '9780722532935', '--to-version', '22'],
    ],
    ['rollback_model.sh', ['--emergency'], ['rollback', '--emergency']],
    [
      'rollback_model.sh',
      ['--all-models', '--to-version', 'previous', '--dry-run'],
      ['rollback', '--all-models', '--to-version', 'previous', '--dry-run'],
    ],
    ['rollback_model.sh', ['--list', '--isbn', '9780722532935'], ['versions', '--isbn', '9780722532935']],
    [
      'rollback_model.sh',
      ['--list', '--isbn', '9780722532935', '--json'],
      ['versions', '--isbn', '9780722532935', '--json'],
    ],
    [
      'deploy_model.sh',
      ['--rollback', '--to-version', '22', '--isbn', '9780722532935'],
      ['rollback', '--isbn', '9780722532935', '--to-version', '22'],
    ],
    [
      'deploy_model.sh',
      ['--rollback', '--to-version', 'previous'],
      ['rollback', '--all-models', '--to-version', 'previous'],
    ],
    [
      'deploy_model.sh',
      ['--emergency-rollback', '--isbn', '9780722532935', '--by', 'bob'],
      ['rollback', '--isbn', '9780722532935', '--emergency', '--by', 'bob'],
    ],
    ['deploy_model.sh', ['--emergency-rollback'], ['rollback', '--emergency']],
    [
      'deploy_model.sh',
      ['--environment', 'production', '--model-version', 'latest', '--isbn', '9780722532935'],
      ['deploy', '--isbn', '9780722532935', '--model-version', 'latest', '--environment', 'production'],
    ],
  ])('%s %j calls forecast-guard %j', (name, args, expected) => {
    const rec = recorder();
    const run = script(name, args, { FORECAST_GUARD_CLI: rec.cli, RECORD_FILE: rec.file });
    expect(run.code).toBe(0);
    expect(rec.args()).toEqual(expected);
  });

  it('exits with the CLI exit code, and 2 with the reason for flags it cannot map', () => {
    const rec = recorder();
    for (const code of ['1', '3']) {
      const run = script('rollback_model.sh', ['--emergency'], {
        FORECAST_GUARD_CLI: rec.cli,
        RECORD_FILE: rec.file,
        FAKE_EXIT: code,
      });
      expect(run.code).toBe(Number(code));
    }
    const bad: Array<[string, string[], string]> = [
      ['rollback_model.sh', ['--frobnicate'], 'unknown flag --frobnicate'],
      ['rollback_model.sh', ['--list'], '--list needs exactly one --isbn'],
      ['rollback_model.sh', ['--isbn'], '--isbn needs a value'],
      ['deploy_model.sh', ['--rollback', '--to-version', '22'], "names one book's version: add --isbn"],
      ['deploy_model.sh', ['--emergency-rollback', '--to-version', '3'], '--to-version goes with --rollback'],
      ['deploy_model.sh', ['--rollback'], '--rollback needs --to-version'],
    ];
    for (const [name, args, message] of bad) {
      const run = script(name, args, { FORECAST_GUARD_CLI: rec.cli, RECORD_FILE: rec.file });
      expect({ code: run.code, says: run.stderr.includes(message) }).toEqual({ code: 2, says: true });
    }
    for (const name of ['rollback_model.sh', 'deploy_model.sh']) {
      const help = script(name, ['--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('--emergency');
    }
  });
});
