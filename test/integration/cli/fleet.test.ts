/**
 * The embedded fleet through the CLI, in-process: seed builds 12 books with
 * three versions each, a second seed is answered from what is there,
 * `versions` shows serving / last-known-good / every version, and the demos
 * change the fleet the way they say.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli';
import { SqliteEventBus } from '../../../shared/adapters/local/sqlite-event-bus';
import { ModelDeployed } from '../../../shared/contracts/messages/model-deployed';
import { QUEUE_DB_FILE } from '../../../shared/wiring/backend';

const ALCHEMIST = '9780722532935';
const CATERPILLAR = '9780241003008';

const run = runCli;

describe('forecast-guard seed / versions / demo (embedded)', () => {
  let stateDir: string;
  let env: Record<string, string>;

  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'fg-fleet-'));
    env = { FG_STATE_DIR: stateDir, FG_LOG_LEVEL: 'error' };
  });
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('seeds 12 books with 3 versions each, every one under the staging thresholds', async () => {
    const res = await run(env, 'seed', '--json');
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const doc = res.json();
    expect(doc).toMatchObject({ books: 12, versions: 36, cached: false });
    expect(doc.models.map((m: { isbn: string }) => m.isbn)).toEqual(
      expect.arrayContaining([ALCHEMIST, CATERPILLAR]),
    );
    for (const m of doc.models) {
      expect(m.serving).toBe('3');
      expect(m.rmse).toBeLessThan(100);
      expect(m.mape).toBeLessThan(50);
    }
    const csv = readFileSync(join(stateDir, 'sales.csv'), 'utf8');
    expect(csv.split('\n')[0]?.trim()).toBe('isbn,title,week_ending,volume');
  });

  it('answers a second seed from what is there', async () => {
    const res = await run(env, 'seed', '--json');
    expect(res.code).toBe(0);
    expect(res.json()).toMatchObject({ books: 12, versions: 36, cached: true });
  });

  it('refuses to reseed with other settings without --force', async () => {
    const res = await run(env, 'seed', '--books', '3');
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('--force');
  });

  it('shows serving, last-known-good and every version with metrics', async () => {
    const res = await run(env, 'versions', '--isbn', ALCHEMIST, '--json');
    expect(res.code).toBe(0);
    const view = res.json();
    expect(view).toMatchObject({ isbn: ALCHEMIST, serving: '3', productionAlias: '3', lastKnownGood: '3' });
    expect(view.versions.map((v: { version: string }) => v.version)).toEqual(['1', '2', '3']);
    expect(view.traffic).toEqual({ '2': 0, '3': 100 });
    for (const v of view.versions) {
      expect(v.rmse).toBeGreaterThan(0);
      expect(v.mape).toBeGreaterThan(0);
      expect(v.quarantined).toBe(false);
      expect(v.dataHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
  });

  it('names a bad ISBN and exits 2', async () => {
    const res = await run(env, 'versions', '--isbn', '9780722532936');
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('expected 5');
  });

  it('demo degrade serves a corrupted copy while last-known-good stays put', async () => {
    const res = await run(env, 'demo', 'degrade', '--isbn', ALCHEMIST, '--json');
    expect(res.code).toBe(0);
    expect(res.json()).toMatchObject({ version: '4', previousVersion: '3' });
    const view = (await run(env, 'versions', '--isbn', ALCHEMIST, '--json')).json();
    expect(view).toMatchObject({ serving: '4', productionAlias: '4', lastKnownGood: '3' });
  });

  it('demo bad-version deploys a broken version and announces it on model-deployments', async () => {
    const bus = SqliteEventBus.open(join(stateDir, QUEUE_DB_FILE));
    await bus.ensureSubscription({
      name: 'test-deployments-tap',
      topic: 'model-deployments',
      ackDeadlineSeconds: 10,
      maxDeliveryAttempts: 5,
      minBackoffSeconds: 1,
      maxBackoffSeconds: 10,
    });
    const res = await run(
      env,
      'demo',
      'bad-version',
      '--isbn',
      CATERPILLAR,
      '--defect',
      'negative',
      '--json',
    );
    expect(res.code).toBe(0);
    const [msg] = await bus.pull('test-deployments-tap', 10, 500);
    await bus.close();
    const event = ModelDeployed.parse(JSON.parse(msg!.data.toString('utf8')));
    expect(event).toMatchObject({ isbn: CATERPILLAR, version: '4', previousVersion: '3' });
    expect(msg!.attributes.correlationId).toBe(event.correlationId);
  });

  it('demo drift scales the recent actual sales of one book only', async () => {
    const before = readFileSync(join(stateDir, 'sales.csv'), 'utf8').split('\n');
    const res = await run(env, 'demo', 'drift', '--isbn', ALCHEMIST);
    expect(res.code).toBe(0);
    const after = readFileSync(join(stateDir, 'sales.csv'), 'utf8').split('\n');
    const changed = after.filter((line, i) => line !== before[i]);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length).toBeLessThanOrEqual(8);
    expect(changed.every((line) => line.startsWith(ALCHEMIST))).toBe(true);
  });

  it('rejects an unknown defect with the accepted ones', async () => {
    const res = await run(env, 'demo', 'bad-version', '--isbn', ALCHEMIST, '--defect', 'gremlins');
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('x10|negative|horizon');
  });
});
