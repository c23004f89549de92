/**
 * The StateStore contract on the embedded SQLite file, then what only the
 * embedded store promises: strictly increasing update times, eager TTL
 * purge, rollback when the database fails part-way, no self-deadlock, and
 * separate OS processes sharing one file.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openSqlite } from '../../shared/adapters/local/sqlite';
import { SqliteStateStore } from '../../shared/adapters/local/sqlite-state-store';
import { BackendUnavailableError, ForecastGuardError } from '../../shared/errors';
import type { Clock } from '../../shared/ports/clock';
import { reportFigure } from '../helpers/figures';
import { describeStateStoreContract } from './state-store.contract';

const SUITE = 'state-store[sqlite]';

/** Time moves only when the test says so. */
class ManualClock implements Clock {
  constructor(public ms = Date.parse('2026-03-01T09:00:00.000Z')) {}
  now(): Date {
    return new Date(this.ms);
  }
  async sleep(ms: number): Promise<void> {
    this.ms += ms;
  }
}

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fg-state-store-'));
  dirs.push(dir);
  return join(dir, 'state.sqlite');
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function rowCount(file: string): number {
  const db = openSqlite(file);
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM documents').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describeStateStoreContract('sqlite', async () => {
  const file = tempFile();
  const stores: SqliteStateStore[] = [];
  const open = (): SqliteStateStore => {
    const store = new SqliteStateStore(file);
    stores.push(store);
    return store;
  };
  return {
    store: open(),
    reopen: async () => open(),
    cleanup: async () => {
      for (const store of stores) await store.close();
    },
  };
});

describe('SqliteStateStore, embedded only', () => {
  it('gives every write of a document a strictly later updateTime, even when the clock stands still', async () => {
    const clock = new ManualClock();
    const store = new SqliteStateStore(tempFile(), { clock });
    const times: string[] = [];
    for (let i = 0; i < 5; i++) {
      await store.set('alerts', 'fp', { i });
      times.push((await store.get('alerts', 'fp'))!.updateTime);
    }
    await store.runTransaction(async (tx) => tx.set('alerts', 'fp', { i: 5 }));
    times.push((await store.get('alerts', 'fp'))!.updateTime);
    expect(times[0]).toBe('2026-03-01T09:00:00.000Z');
    expect(times).toEqual([...new Set(times)].sort());
    expect(times).toHaveLength(6);
    await store.close();
    reportFigure(SUITE, 'update-time-monotonic', `6 writes at one instant: ${times[0]} .. ${times[5]}`);
  });

  it('deletes expired rows on demand and on the first write after the purge interval', async () => {
    const clock = new ManualClock();
    const file = tempFile();
    const store = new SqliteStateStore(file, { clock, purgeIntervalMs: 1000 });
    const at = (ms: number) => new Date(clock.ms + ms).toISOString();
    await store.set('processed', 'a', { expireAt: at(500) });
    await store.set('processed', 'b', {});
    clock.ms += 600;
    expect(await store.get('processed', 'a')).toBeUndefined();
    await store.set('processed', 'c', {});
    expect(rowCount(file)).toBe(3); // hidden, not yet deleted: the last purge was 600 ms ago
    clock.ms += 500;
    await store.set('processed', 'd', { expireAt: at(100) });
    expect(rowCount(file)).toBe(3); // a is gone, d is new
    clock.ms += 200;
    expect(await store.purgeExpired()).toBe(1);
    expect(rowCount(file)).toBe(2);
    expect((await store.query('processed')).map((d) => d.id)).toEqual(['b', 'c']);
    await store.close();
    reportFigure(SUITE, 'ttl-purge', 'expired rows deleted by the next write after 1 s and by purgeExpired');
  });

  it('writes none of a batch or a transaction when the database fails part-way', async () => {
    const file = tempFile();
    const store = new SqliteStateStore(file);
    const raw = openSqlite(file);
    raw.exec(`CREATE TRIGGER poison BEFORE INSERT ON documents WHEN NEW.id = 'poison'
              BEGIN SELECT RAISE(ABORT, 'poisoned row'); END`);
    raw.close();
    const writes = ['w0', 'w1', 'w2', 'poison', 'w4'].map((id) => ({
      collection: 'backups',
      id,
      data: { id },
    }));
    const batchErr = await store.batchSet(writes).catch((err: unknown) => err);
    expect(batchErr).toBeInstanceOf(BackendUnavailableError);
    expect((batchErr as Error).message).toContain('poisoned row');
    expect((batchErr as BackendUnavailableError).retryable).toBe(false);
    expect(await store.query('backups')).toEqual([]);

    const txErr = await store
      .runTransaction(async (tx) => {
        tx.set('backups', 'w0', { id: 'w0' });
        tx.set('backups', 'poison', {});
      })
      .catch((err: unknown) => err);
    expect(txErr).toBeInstanceOf(BackendUnavailableError);
    expect(await store.get('backups', 'w0')).toBeUndefined();
    // The store is still usable after both rollbacks.
    await store.set('backups', 'after', { ok: true });
    expect((await store.get('backups', 'after'))?.data).toEqual({ ok: true });
    await store.close();
    reportFigure(SUITE, 'rollback-on-db-failure', 'batch of 5 and tx of 2 failing on row 4/2: 0 written');
  });

  it('refuses a write from inside its own transaction instead of waiting for itself', async () => {
    const store = new SqliteStateStore(tempFile());
    const err = await store
      .runTransaction(async () => {
        await store.set('audit', 'inner', { by: 'mistake' });
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForecastGuardError);
    expect((err as Error).message).toContain('set called inside runTransaction');
    expect(await store.get('audit', 'inner')).toBeUndefined();
    await store.set('audit', 'outer', { ok: true });
    expect((await store.get('audit', 'outer'))?.data).toEqual({ ok: true });
    await store.close();
    reportFigure(SUITE, 'no-self-deadlock', 'store.set inside runTransaction rejected at once');
  });

  it('lets two stores on one file in one process take turns instead of blocking each other', async () => {
    const file = tempFile();
    const a = new SqliteStateStore(file);
    const b = new SqliteStateStore(file);
    await a.set('counters', 'c', { n: 0 });
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? a : b).runTransaction(async (tx) => {
          const doc = await tx.get<{ n: number }>('counters', 'c');
          tx.set('counters', 'c', { n: doc!.data.n + 1 });
        }),
      ),
    );
    expect((await b.get('counters', 'c'))?.data).toEqual({ n: 40 });
    await Promise.all([a.close(), b.close()]);
    reportFigure(
      SUITE,
      'two-stores-one-process',
      `40 increments via 2 connections in ${Date.now() - started} ms`,
    );
  });

  it('keeps create-if-absent and increments exact across 4 OS processes on one file', async () => {
    const file = tempFile();
    await new SqliteStateStore(file).close(); // the schema exists before the workers race
    const child = resolve(__dirname, 'fixtures/state-store-child.ts');
    const workers = ['w1', 'w2', 'w3', 'w4'].map((name) => runWorker(child, file, name, 25));
    await Promise.all(workers.map((w) => w.ready));
    const started = Date.now();
    for (const w of workers) w.go();
    const results = await Promise.all(workers.map((w) => w.done));
    const elapsed = Date.now() - started;

    const created = results.flatMap((r) => r.created).sort();
    expect(created).toEqual(Array.from({ length: 25 }, (_, i) => `claim-${String(i).padStart(2, '0')}`));
    const store = new SqliteStateStore(file);
    for (const r of results) {
      for (const id of r.created) expect((await store.get('claims', id))?.data).toEqual({ worker: r.worker });
    }
    expect((await store.get('counters', 'shared'))?.data).toEqual({ n: 100 });
    await store.close();
    const perWorker = results
      .map((r) => `${r.worker} won ${r.created.length} in ${r.elapsedMs} ms`)
      .join(', ');
    reportFigure(
      SUITE,
      'four-processes',
      `25 ids created once each, counter 100; ${perWorker}; all done in ${elapsed} ms`,
    );
  }, 45_000);
});

interface WorkerResult {
  worker: string;
  created: string[];
  increments: number;
  elapsedMs: number;
}

/** Starts one worker process; `ready` once it opened the store, `go` starts its race, `done` its result. */
function runWorker(script: string, file: string, name: string, ids: number) {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, file, name, String(ids)], {
    cwd: resolve(__dirname, '../..'),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    if (out.startsWith('ready\n')) markReady();
  });
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const done = new Promise<WorkerResult>((resolveDone, reject) => {
    proc.on('error', reject);
    proc.on('exit', (code) => {
      markReady(); // never leave the test waiting on a worker that died early
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || !line) reject(new Error(`worker ${name} exited ${code}: ${err || out}`));
      else resolveDone(JSON.parse(line) as WorkerResult);
    });
  });
  return { ready, done, go: () => proc.stdin.end('go\n') };
}
