/**
 * `forecast-guard rollback` run in-process (`main([...])`) on the embedded
 * backend in a temp FG_STATE_DIR: every form of the command, its `--json`
 * document, its table, and its exit codes.
 */
import { main } from '../../../cli/main';
import { COLLECTIONS } from '../../../shared/contracts/collections';
import type { RollbackRecord } from '../../../shared/contracts/documents/rollback';
import { consistent, openWorld, seedBook, seedFleet, servingOf, type TestWorld } from './helpers/fleet';
import { aQuarantine } from '../../builders/model';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  json: () => Record<string, unknown> & { results: Array<Record<string, unknown>> };
}

describe('forecast-guard rollback', () => {
  let world: TestWorld;
  beforeEach(async () => {
    world = await openWorld();
  });
  afterEach(async () => world.close());

  async function cli(...argv: string[]): Promise<Run> {
    let stdout = '';
    let stderr = '';
    const code = await main(argv, {
      env: { FG_STATE_DIR: world.dir, USER: 'alice' },
      streams: { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) },
    });
    return { code, stdout, stderr, json: () => JSON.parse(stdout) };
  }

  it("--isbn X --to-version N: one book, the --json document the README's Operator CLI names", async () => {
    const book = await seedBook(world, { versions: 3 });
    const run = await cli(
      'rollback',
      '--isbn',
      book.isbn,
      '--to-version',
      '1',
      '--reason',
      'RMSE spike',
      '--json',
    );
    expect(run.code).toBe(0);
    const doc = run.json();
    expect(doc).toEqual(
      expect.objectContaining({
        rollbackId: expect.stringMatching(/^rb-/),
        backupId: expect.stringMatching(/^bk-/),
        durationMs: expect.any(Number),
      }),
    );
    expect(doc.results).toEqual([
      {
        isbn: book.isbn,
        from: '3',
        to: '1',
        status: 'succeeded',
        verified: true,
        durationMs: expect.any(Number),
      },
    ]);
    expect(run.stderr).toBe('');
    expect((await servingOf(world, book.isbn)).alias).toBe('1');
  });

  it("records the identity of the CLI's credentials (Google Cloud) beside --by", async () => {
    const book = await seedBook(world, { versions: 3 });
    let stderr = '';
    const code = await main(['rollback', '--isbn', book.isbn, '--to-version', '2', '--by', 'somebody'], {
      env: { FG_STATE_DIR: world.dir, USER: 'alice' },
      streams: { stdout: () => undefined, stderr: (s) => void (stderr += s) },
      identity: async () => 'oncall-sa@acme.iam.gserviceaccount.com',
    });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const records = await world.state.query<RollbackRecord>(COLLECTIONS.rollbackRecords, {
      where: [{ field: 'isbn', op: '==', value: book.isbn }],
    });
    expect(records.map((r) => [r.data.requestedBy, r.data.verifiedCaller])).toEqual([
      ['somebody', 'oncall-sa@acme.iam.gserviceaccount.com'],
    ]);
  });

  it('--isbn X --emergency, --emergency and --all-models --to-version previous|last-known-good', async () => {
    const one = await seedBook(world, { versions: 3, lastKnownGood: '2' });
    expect((await cli('rollback', '--isbn', one.isbn, '--emergency', '--json')).json().results).toEqual([
      expect.objectContaining({ isbn: one.isbn, to: '2', status: 'succeeded' }),
    ]);
    const drifted = await seedBook(world, { versions: 3, lastKnownGood: '1' });
    const emergency = await cli('rollback', '--emergency', '--json');
    expect(emergency.code).toBe(0);
    expect(emergency.json().results).toEqual([
      expect.objectContaining({ isbn: drifted.isbn, from: '3', to: '1', status: 'succeeded' }),
    ]);

    const fleet = await seedFleet(world, 4);
    const all = await cli('rollback', '--all-models', '--to-version', 'previous', '--json');
    expect(all.code).toBe(0);
    for (const b of fleet) {
      expect(all.json().results).toContainEqual(
        expect.objectContaining({ isbn: b.isbn, from: '3', to: '2', status: 'succeeded' }),
      );
    }
    const back = await cli('rollback', '--all-models', '--to-version', 'last-known-good', '--json');
    expect(back.code).toBe(0);
    for (const b of [...fleet, one, drifted]) expect(consistent(await servingOf(world, b.isbn))).toBe(true);
    expect((await servingOf(world, fleet[0]!.isbn)).alias).toBe('3');
  });

  it('prints a table without --json, and a dry run changes nothing', async () => {
    const book = await seedBook(world, { versions: 3 });
    const dry = await cli('rollback', '--isbn', book.isbn, '--to-version', '2', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('dry run of rb-');
    expect(dry.stdout).toMatch(/ISBN\s+ACTION\s+FROM\s+TO\s+WHY/);
    expect(dry.stdout).toContain(`${book.isbn}  switch  3     2`);
    expect((await servingOf(world, book.isbn)).alias).toBe('3');
    const real = await cli('rollback', '--isbn', book.isbn, '--to-version', '2');
    expect(real.stdout).toMatch(/ISBN\s+STATUS\s+FROM\s+TO\s+VERIFIED\s+MS/);
    expect(real.stdout).toMatch(/1 succeeded in \d+ ms/);
  });

  it('exits 2 naming the flag: bad ISBN, unknown version (listing versions), a number for all models, nothing asked', async () => {
    const book = await seedBook(world, { versions: 3 });
    const badIsbn = await cli('rollback', '--isbn', '978-0-7225-3293-6', '--to-version', '2');
    expect(badIsbn.code).toBe(2);
    expect(badIsbn.stderr).toContain('--isbn: ISBN "978-0-7225-3293-6" has check digit 6, expected 5');
    const unknown = await cli('rollback', '--isbn', book.isbn, '--to-version', '9');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('(versions: 1, 2, 3)');
    const number = await cli('rollback', '--all-models', '--to-version', '22');
    expect(number.code).toBe(2);
    expect(number.stderr).toContain('--all-models needs --to-version previous or last-known-good');
    expect((await cli('rollback')).code).toBe(2);
    expect((await cli('rollback', '--isbn', book.isbn, '--emergency', '--to-version', '2')).stderr).toContain(
      'leave out --to-version',
    );
  });

  it('refuses a quarantined version (2) unless --force, which is recorded', async () => {
    const book = await seedBook(world, { versions: 3 });
    await world.backend.registry.setQuarantine(book.isbn, '1', aQuarantine());
    const refused = await cli('rollback', '--isbn', book.isbn, '--to-version', '1');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('is quarantined');
    const forced = await cli('rollback', '--isbn', book.isbn, '--to-version', '1', '--force', '--json');
    expect(forced.code).toBe(0);
    expect(forced.json().results[0]).toEqual(expect.objectContaining({ status: 'succeeded', forced: true }));
  });

  it('exits 1 listing the books that failed in a fleet-wide run', async () => {
    const good = await seedBook(world, { versions: 3, lastKnownGood: '2' });
    const bad = await seedBook(world, { versions: 3, lastKnownGood: '1' });
    await world.backend.registry.setQuarantine(bad.isbn, '1', aQuarantine());
    const run = await cli('rollback', '--emergency', '--json');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`1 book(s) failed: ${bad.isbn} (failed: the last-known-good pointer`);
    expect(run.json().results).toContainEqual(
      expect.objectContaining({ isbn: good.isbn, status: 'succeeded' }),
    );
  });

  it('--restore-backup ID puts the backup back; --recover with nothing interrupted says so; same --request-id replays', async () => {
    const fleet = await seedFleet(world, 2);
    const first = await cli(
      'rollback',
      '--isbn',
      fleet[0]!.isbn,
      '--isbn',
      fleet[1]!.isbn,
      '--to-version',
      '1',
      '--request-id',
      'incident-42',
      '--json',
    );
    expect(first.code).toBe(0);
    const again = await cli(
      'rollback',
      '--isbn',
      fleet[0]!.isbn,
      '--to-version',
      '2',
      '--request-id',
      'incident-42',
      '--json',
    );
    expect(again.json()).toEqual(
      expect.objectContaining({ replayed: true, rollbackId: first.json().rollbackId }),
    );
    expect((await servingOf(world, fleet[0]!.isbn)).alias).toBe('1');

    const restore = await cli('rollback', '--restore-backup', String(first.json().backupId), '--json');
    expect(restore.code).toBe(0);
    for (const b of fleet)
      expect(await servingOf(world, b.isbn)).toEqual({ alias: '3', traffic: { '2': 0, '3': 100 } });
    // The rollback deployed v1; putting the backup back "exactly" means v1 is no longer deployed.
    expect(
      (await world.backend.serving.getServing(fleet[0]!.isbn))?.deployments.map((d) => d.version),
    ).toEqual(['2', '3']);

    const missing = await cli('rollback', '--restore-backup', 'bk-nope');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no rollback backup "bk-nope"');
    const recover = await cli('rollback', '--recover', '--json');
    expect(recover.code).toBe(0);
    expect(JSON.parse(recover.stdout)).toEqual({ recovered: [], runs: [], live: [], errors: [] });
  });
});
