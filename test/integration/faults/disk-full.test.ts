/**
 * The embedded backend's disk full, on a real small filesystem: the state
 * directory (state, queue and fleet SQLite files) is a tmpfs of a few MB,
 * filled with a file until the kernel answers ENOSPC, leaving a little room
 * or none. An all-models rollback then goes through the real `rollbackHttp`
 * function. What must hold: the answer names the file and the cause
 * (SQLITE_FULL); once room is made, every SQLite file opens and passes
 * `PRAGMA integrity_check`; no book is half-switched and each is either at
 * its target (its record says succeeded) or as before; and the same request,
 * asked again, finishes the rollback. A health check pushed by the embedded
 * queue while the disk is full is delivered once room is made: the queue's
 * push dispatcher keeps trying instead of stopping for good.
 *
 * Mounting needs root (CI runs as root). Where it is refused, the fallback
 * case still gets a genuine SQLITE_FULL from `PRAGMA max_page_count` on the
 * state store's own file and checks the same integrity.
 */
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../../functions/rollback';
import { SqliteStateStore, stateDbPath } from '../../../shared/adapters/local/sqlite-state-store';
import { fleetDbPath } from '../../../shared/adapters/local/fleet-db';
import { COLLECTIONS } from '../../../shared/contracts/collections';
import type { RollbackLease, RollbackRecord } from '../../../shared/contracts/documents/rollback';
import { describeError } from '../../../shared/errors';
import { closeFunctionRuntimes } from '../../../shared/wiring/function-runtime';
import { useFunctionEnv, type FunctionEnv } from '../../helpers/function-env';
import { startFunctionServer, type FunctionServer } from '../../helpers/function-server';
import { aRequest } from '../rollback/helpers/scenarios';
import { consistent, openWorld, seedFleet, servingOf, type TestWorld } from '../rollback/helpers/fleet';
import { reportReliability } from './helpers/reliability';
import '../../../functions/health-check';
import { PushDispatcher } from '../../../shared/adapters/local/push-dispatcher';
import type { SqliteEventBus } from '../../../shared/adapters/local/sqlite-event-bus';
import { loadConfig } from '../../../shared/config';
import { demoDegrade } from '../../../shared/services/demo';
import { seedEmbeddedFleet } from '../../../shared/wiring/seed';
import { deadLetterSubscriptionOf } from '../../../shared/topology';
import { openBackend, QUEUE_DB_FILE, SALES_CSV_FILE, type Backend } from '../../../shared/wiring/backend';
import { ensureTopology } from '../../../shared/wiring/topology-setup';
import { fakeDateOnly } from './helpers/fake-date';

/** Waits in real time until `done` holds. */
async function untilReal(
  what: string,
  done: () => Promise<boolean> | boolean,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await done())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const TOKEN = 'faults-disk-full-token-0123456789';
const BOOKS = 12;
/** Room left on the filesystem after filling it, per round: none, then a little more each time. */
const LEFT_BYTES = [0, 16 * 1024, 64 * 1024, 256 * 1024];
/** The rollback service's lease time-to-live (shared/services/rollback/deps.ts). */
const LEASE_TTL_MS = 6 * 60_000;
/** A fixed start for the fake clock (jest fakes `Date` only): nothing here reads the real date. */
const T0 = Date.parse('2031-03-03T09:00:00.000Z');

/** Mounts a tmpfs of `size` on a fresh directory; undefined (with the reason) when this process may not mount. */
function mountTmpfs(size: string): { dir: string; unmount(): void } | { reason: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fg-faults-diskfull-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return { reason: `cannot mount a tmpfs here (${describeError(err).split('\n')[0]}); needs root` };
  }
  return {
    dir,
    unmount: () => {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes a filler file until the filesystem is full, then frees `leftBytes` of it. Returns its path. */
function fillDisk(dir: string, leftBytes: number): string {
  const file = join(dir, 'filler');
  const fd = openSync(file, 'w');
  let written = 0;
  try {
    for (const size of [1024 * 1024, 64 * 1024, 4096, 512]) {
      const chunk = Buffer.alloc(size, 1);
      try {
        for (;;) written += writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
  if (leftBytes > 0) execFileSync('truncate', ['-s', String(Math.max(0, written - leftBytes)), file]);
  return file;
}

/** `PRAGMA integrity_check` of one SQLite file, opened afresh. */
function integrity(file: string): string {
  const db = new Database(file);
  try {
    return (db.pragma('integrity_check', { simple: true }) as string) ?? 'no answer';
  } finally {
    db.close();
  }
}

const probe = mountTmpfs('1m');
const canMount = !('reason' in probe);
if (!('reason' in probe)) probe.unmount();

describe('fault: the SQLite state file’s disk full', () => {
  let fnEnv: FunctionEnv | undefined;
  afterAll(() => {
    fnEnv?.restore();
  });

  (canMount ? it : it.skip)(
    'tmpfs full during an all-models rollback through rollbackHttp: a clear error, no corrupt file, no half-switched book, the retry finishes',
    async () => {
      const started = performance.now();
      let messages = 0;
      let halfSwitched = 0;
      let lost = 0;
      let fullErrors = 0;
      let retriedAfterTtl = 0;
      let switchedUnderFullDisk = 0;
      let leftToRecovery = 0;
      fakeDateOnly(T0);
      const answers: string[] = [];
      for (const left of LEFT_BYTES) {
        const mount = mountTmpfs('8m');
        if ('reason' in mount) throw new Error(mount.reason);
        let world: TestWorld | undefined;
        let server: FunctionServer | undefined;
        try {
          world = await openWorld(undefined, mount.dir);
          const fleet = await seedFleet(world, BOOKS);
          const isbns = fleet.map((b) => b.isbn);
          const before = await Promise.all(isbns.map((isbn) => servingOf(world!, isbn)));
          fnEnv?.restore();
          fnEnv = useFunctionEnv({
            FG_STATE_DIR: mount.dir,
            FG_LOG_LEVEL: 'error',
            FG_ROLLBACK_TOKEN: TOKEN,
            FG_BACKEND: 'local',
            K_SERVICE: undefined,
          });
          server = await startFunctionServer('rollbackHttp');
          const call = (body: unknown) =>
            fetch(server!.url, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
              body: JSON.stringify(body),
            });
          // Warm the instance (config, SQLite files opened) before the disk fills, as a running one is.
          expect((await fetch(server.url, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(
            405,
          );

          const filler = fillDisk(mount.dir, left);
          const request = aRequest({ scope: { all: true }, target: { kind: 'previous' } });
          const res = await call(request);
          messages += 1;
          const text = await res.text();
          answers.push(`${left}B:${res.status}`);
          if (res.status !== 200) {
            // A clear error: which file, and that the disk is full.
            expect(text).toMatch(/\.sqlite/);
            expect(text).toMatch(/SQLITE_FULL|ENOSPC/);
            fullErrors += 1;
          }

          // Make room again: the files open and are intact, whatever was cut short.
          rmSync(filler);
          for (const file of [stateDbPath(mount.dir), fleetDbPath(mount.dir), join(mount.dir, QUEUE_DB_FILE)])
            if (existsSync(file)) expect({ file, check: integrity(file) }).toEqual({ file, check: 'ok' });

          const records = async () =>
            new Map(
              (
                await world!.state.query<RollbackRecord>(COLLECTIONS.rollbackRecords, {
                  where: [{ field: 'requestId', op: '==', value: request.requestId }],
                })
              ).map((r) => [r.data.isbn, r.data]),
            );
          // Whole or absent, book by book: consistent, and at its target (version 2, the previous one;
          // its record may be missing when the disk filled before it was written) or exactly as before.
          // A book the disk filled under mid-switch, whose put-back then failed too (no room for it), is
          // left to recovery: that is allowed only while its lease still holds its intent, and the retry
          // below must then finish it or put it back.
          let recorded = await records();
          for (const [n, isbn] of isbns.entries()) {
            const now = await servingOf(world, isbn);
            const ok =
              consistent(now) && (now.alias === '2' || JSON.stringify(now) === JSON.stringify(before[n]));
            if (!ok) {
              const lease = (await world.state.get<RollbackLease>(COLLECTIONS.rollbackLeases, isbn))?.data;
              if (lease?.held === true && lease.intent !== undefined) leftToRecovery += 1;
              else halfSwitched += 1;
            }
            if (now.alias === '2') switchedUnderFullDisk += 1;
          }

          // The same request again, as Pub/Sub or the operator would ask it, with room. A run cut short
          // holds its claim and leases until their time-to-live has passed (the holder cannot say it
          // stopped: it could not write), so the retry answers 409 until then; after that it recovers the
          // run and answers it.
          let again = await call(request);
          messages += 1;
          if (again.status === 409) {
            retriedAfterTtl += 1;
            jest.setSystemTime(Date.now() + LEASE_TTL_MS + 60_000);
            again = await call(request);
            messages += 1;
          }
          expect([200, 207]).toContain(again.status);
          recorded = await records();
          const undone: string[] = [];
          for (const [n, isbn] of isbns.entries()) {
            const now = await servingOf(world, isbn);
            if (!consistent(now)) halfSwitched += 1;
            const record = recorded.get(isbn);
            if (record?.status === 'succeeded' && now.alias === record.to) continue;
            // Not done, and reported so: the book must be exactly as before, for a new request to finish.
            if (JSON.stringify(now) !== JSON.stringify(before[n])) halfSwitched += 1;
            undone.push(isbn);
          }
          if (undone.length > 0) {
            const rest = await call(
              aRequest({ scope: { isbns: undone }, target: { kind: 'version', version: '2' } }),
            );
            messages += 1;
            expect(rest.status).toBe(200);
          }
          for (const isbn of isbns) {
            const now = await servingOf(world, isbn);
            if (!(consistent(now) && now.alias === '2')) lost += 1;
          }
          const held = await world.state.query<RollbackLease>(COLLECTIONS.rollbackLeases, {
            where: [{ field: 'held', op: '==', value: true }],
          });
          expect(held.map((h) => h.id)).toEqual([]);
        } finally {
          await server?.close();
          await closeFunctionRuntimes();
          await world?.backend.close();
          mount.unmount();
        }
      }
      reportReliability(
        'sqlite-disk-full',
        {
          messages,
          notifications: 0,
          duplicates: 0,
          lost,
          halfSwitched,
          extra: {
            retriedAfterTtl,
            switchedUnderFullDisk,
            leftToRecovery,
            rounds: LEFT_BYTES.length,
            books: BOOKS * LEFT_BYTES.length,
            fullErrors,
            answers: answers.join(','),
          },
        },
        started,
      );
      expect(fullErrors).toBeGreaterThan(0);
      jest.useRealTimers();
    },
    90_000,
  );

  (canMount ? it : it.skip)(
    'tmpfs full during a health check through the real healthCheck function: the queue keeps trying and delivers once room is made, nothing dead-lettered, one report',
    async () => {
      const started = performance.now();
      const mount = mountTmpfs('16m');
      if ('reason' in mount) throw new Error(mount.reason);
      let backend: Backend | undefined;
      let server: FunctionServer | undefined;
      let dispatcher: PushDispatcher | undefined;
      try {
        fnEnv?.restore();
        fnEnv = useFunctionEnv({ FG_STATE_DIR: mount.dir, FG_LOG_LEVEL: 'error', FG_BACKEND: 'local' });
        const config = loadConfig(fnEnv.env);
        const seeding = openBackend(config);
        await seedEmbeddedFleet(
          { stateDir: mount.dir, salesCsv: join(mount.dir, SALES_CSV_FILE), books: BOOKS, seed: 42 },
          seeding,
        );
        await seeding.close();
        backend = openBackend(config);
        await ensureTopology(backend.bus);
        const first = (await backend.serving.listServing())[0]!.isbn;
        await demoDegrade(first, {
          registry: backend.embeddedRegistry!,
          serving: backend.serving,
          bus: backend.bus,
        });
        server = await startFunctionServer('healthCheck');
        const pushes: Array<number | undefined> = [];
        const newDispatcher = () =>
          new PushDispatcher({
            bus: backend!.bus as SqliteEventBus,
            subscription: 'health-check-requests--health-check',
            projectId: 'demo-local',
            endpoint: server!.url,
            pullWaitMs: 50,
            onResult: (r) => pushes.push(r.status),
          });
        // One run with room, as a running stack has done before (instance warm, files open).
        dispatcher = newDispatcher();
        dispatcher.start();
        await backend.bus.publish('health-check-requests', { data: { trigger: 'schedule' } });
        const reports = async () => (await backend!.state.query(COLLECTIONS.healthReports)).length;
        await untilReal('the first report', async () => (await reports()) === 1);
        await dispatcher.stop();

        await backend.bus.publish('health-check-requests', { data: { trigger: 'schedule' } });
        const filler = fillDisk(mount.dir, 0);
        const failedBefore = pushes.length;
        dispatcher = newDispatcher();
        dispatcher.start();
        // A while with the disk full: the queue cannot even lease the message (or the function cannot
        // write); either way the push must be tried again once there is room, not given up on.
        await new Promise((r) => setTimeout(r, 2000));
        const refused = pushes.slice(failedBefore).filter((s) => s !== 200 && s !== 204).length;
        rmSync(filler);
        // Redelivery comes after the subscription's backoff (10 s at least).
        await untilReal('the second report', async () => (await reports()) === 2, 45_000);
        await dispatcher.stop();
        dispatcher = undefined;
        const dead = await backend.bus.pull(deadLetterSubscriptionOf('health-check-requests'), 100, 200);
        for (const file of [stateDbPath(mount.dir), fleetDbPath(mount.dir), join(mount.dir, QUEUE_DB_FILE)])
          expect({ file, check: integrity(file) }).toEqual({ file, check: 'ok' });
        reportReliability(
          'sqlite-disk-full-health-check',
          {
            messages: 2,
            notifications: 0,
            duplicates: (await reports()) - 2,
            lost: dead.length + (2 - Math.min(2, await reports())),
            halfSwitched: 0,
            extra: {
              books: BOOKS,
              pushes: pushes.length,
              refusedWhileFull: refused,
              deadLettered: dead.length,
            },
          },
          started,
        );
      } finally {
        await dispatcher?.stop();
        await server?.close();
        await closeFunctionRuntimes();
        await backend?.close();
        mount.unmount();
      }
    },
    90_000,
  );

  it(`SQLITE_FULL from max_page_count on the state file: a clear error naming it, the file intact, the write absent${canMount ? '' : ' (the fallback: tmpfs cannot be mounted here)'}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-faults-pagecount-'));
    const file = stateDbPath(dir);
    const store = new SqliteStateStore(file);
    try {
      await store.set(COLLECTIONS.healthReports, 'kept', { note: 'before the disk filled' });
      // The store's own connection, capped just above what it holds: the next big write cannot fit.
      const db = (store as unknown as { db: Database.Database }).db;
      const pages = db.pragma('page_count', { simple: true }) as number;
      db.pragma(`max_page_count = ${pages + 2}`);
      const big = { blob: 'x'.repeat(64 * 1024) };
      const err = await store.set(COLLECTIONS.healthReports, 'too-big', big).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeDefined();
      expect(describeError(err)).toContain(file);
      expect(describeError(err)).toMatch(/SQLITE_FULL/);
      expect((err as { retryable?: boolean }).retryable).toBe(true);
    } finally {
      await store.close();
    }
    expect(integrity(file)).toBe('ok');
    const reopened = new SqliteStateStore(file);
    try {
      expect(await reopened.get(COLLECTIONS.healthReports, 'too-big')).toBeUndefined();
      expect((await reopened.get(COLLECTIONS.healthReports, 'kept'))?.data).toEqual({
        note: 'before the disk filled',
      });
    } finally {
      await reopened.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
