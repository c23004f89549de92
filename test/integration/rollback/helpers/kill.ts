/**
 * SIGKILL at random moments during an all-models rollback, then recovery
 * through the CLI (`rollback --recover`), then `rollback --restore-backup`:
 * no book is left half-switched, every book is either as before or fully at
 * its target (as its record says), no lease stays held, and every backup
 * restores exactly what it holds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { localLiveness } from '../../../../cli/commands/rollback';
import { main } from '../../../../cli/main';
import { COLLECTIONS } from '../../../../shared/contracts/collections';
import type { RollbackLease, RollbackRecord } from '../../../../shared/contracts/documents/rollback';
import { backupIdFor } from '../../../../shared/domain/rollback/ids';
import type { StateStore } from '../../../../shared/ports/state-store';
import { isRetryable } from '../../../../shared/errors';
import {
  failedBooks,
  readBackup,
  recoverInterrupted,
  restoreBackup,
} from '../../../../shared/services/rollback';
import { emulatorEnv } from '../../../helpers/emulators';
import { reportFigure } from '../../../helpers/figures';
import { consistent, openWorld, seedFleet, servingOf, type TestWorld } from './fleet';
import { portsAndSettings } from '../../../builders/rollback';

const CHILD = join(__dirname, '..', 'fixtures', 'kill-child.ts');
const REPO = join(__dirname, '..', '..', '..', '..');

interface Child {
  proc: ChildProcess;
  ready: Promise<void>;
  lines: string[];
  onLine: (fn: (line: string, count: number) => void) => void;
  exited: Promise<number | null>;
}

function spawnChild(dir: string, requestId: string, project?: string): Child {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', CHILD, dir, requestId, ...(project ? [project] : [])],
    {
      cwd: REPO,
      // A Firestore child finds the emulator the way any process of the product does: in its environment.
      env: project ? { ...process.env, ...emulatorEnv() } : process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const lines: string[] = [];
  let listener: ((line: string, count: number) => void) | undefined;
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    if (line === 'ready') return markReady();
    lines.push(line);
    listener?.(line, lines.length);
  });
  const exited = new Promise<number | null>((resolve) =>
    proc.on('exit', (code) => {
      if (code !== null && code !== 0) process.stderr.write(`kill-child exited ${code}: ${stderr}\n`);
      resolve(code);
    }),
  );
  return { proc, ready, lines, onLine: (fn) => (listener = fn), exited };
}

async function cli(
  argv: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number; json: unknown; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main([...argv, '--json'], {
    env,
    streams: { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) },
  });
  return { code, json: stdout ? JSON.parse(stdout) : undefined, stderr };
}

export interface KillOptions {
  iterations: number;
  /**
   * Kill only before the first book could be recorded (while leases are
   * taken, the backup and intents written, up to the first traffic switch).
   * For Firestore: a transaction the killed process left open keeps its
   * documents locked for about a minute, which recovery would have to wait out.
   */
  beforeFirstRecord?: boolean;
  books: number;
  /**
   * Recover and restore through the CLI (`rollback --recover`, `--restore-backup`)
   * on the embedded backend; otherwise through the service with the world's
   * StateStore (the CLI's FG_BACKEND=gcp would also put serving on Vertex AI).
   */
  viaCli: boolean;
  /** The StateStore of the world (undefined: embedded) and the child's Firestore project, if any. */
  makeState: () => StateStore | undefined;
  project?: string;
}

/** `rollback --recover` or `--restore-backup ID`, by the CLI or straight through the service. */
async function operate(
  world: TestWorld,
  viaCli: boolean,
  argv: string[],
): Promise<{ code: number; stderr: string }> {
  if (viaCli) {
    const { code, stderr } = await cli(argv, { FG_STATE_DIR: world.dir, USER: 'kill-test' });
    return { code, stderr };
  }
  const deps = world.deps({ holder: `kill-test@${hostname()}:${process.pid}`, liveness: localLiveness() });
  try {
    if (argv[1] === '--recover') {
      const report = await recoverInterrupted({}, ...portsAndSettings(deps));
      if (report.errors.length > 0)
        return {
          code: report.errors.every((e) => e.retryable) ? 3 : 1,
          stderr: JSON.stringify(report.errors),
        };
      return {
        code: report.books.some((b) => b.status === 'failed' && b.note !== 'released by recovery') ? 1 : 0,
        stderr: '',
      };
    }
    const result = await restoreBackup(
      {
        backupId: argv[2]!,
        requestId: `restore-${argv[2]}-${Date.now()}`,
        requestedBy: 'kill-test',
        reason: 'restore',
        correlationId: 'corr-restore',
      },
      ...portsAndSettings(deps),
    );
    return { code: 'dryRun' in result || failedBooks(result).length > 0 ? 1 : 0, stderr: '' };
  } catch (err) {
    return { code: isRetryable(err) ? 3 : 1, stderr: String(err) };
  }
}

export function describeKillRecovery(label: string, options: () => KillOptions): void {
  describe(`SIGKILL during an all-models rollback, then recovery [${label}]`, () => {
    let world: TestWorld;
    afterEach(async () => world?.close());

    it('leaves no book half-switched and every backup restorable', async () => {
      const opts = options();
      world = await openWorld(opts.makeState());
      const fleet = await seedFleet(world, opts.books);
      const isbns = fleet.map((b) => b.isbn);
      const phases: Record<string, number> = {};
      const recoverMs: number[] = [];
      let retries = 0;
      const started = Date.now();
      let next = spawnChild(world.dir, `kill-${started}-0`, opts.project);

      for (let i = 0; i < opts.iterations; i++) {
        const requestId = `kill-${started}-${i}`;
        const child = next;
        const before = await Promise.all(isbns.map((isbn) => servingOf(world, isbn)));
        await child.ready;
        // The next child loads its modules while this one runs and is recovered.
        if (i + 1 < opts.iterations) next = spawnChild(world.dir, `kill-${started}-${i + 1}`, opts.project);
        // Steps: a lease per book, backed-up, intent, then per book traffic, switched, finished. Before the
        // first record, take turns: during the leases, right after the intents, at the first traffic switch.
        const killAt = opts.beforeFirstRecord
          ? [1 + Math.floor(Math.random() * opts.books), opts.books + 2, Number.MAX_SAFE_INTEGER][i % 3]!
          : 1 + Math.floor(Math.random() * (opts.books * 4 + 4));
        let killedAt = 'after the run';
        child.onLine((line, count) => {
          const due = count >= killAt || (opts.beforeFirstRecord === true && line.startsWith('P traffic'));
          if (due && child.proc.exitCode === null && !child.proc.killed) {
            killedAt = line.split(' ')[1] ?? line;
            child.proc.kill('SIGKILL');
          }
        });
        child.proc.stdin!.write('go\n');
        await child.exited;
        phases[killedAt] = (phases[killedAt] ?? 0) + 1;

        // A transaction the killed process left open keeps its documents locked until the backend times it
        // out (Firestore: seconds to a minute); recovery then fails retryably (exit 3) and the operator retries.
        const recoverStarted = Date.now();
        let recovered = await operate(world, opts.viaCli, ['rollback', '--recover']);
        while (recovered.code === 3 && Date.now() - recoverStarted < 120_000) {
          retries += 1;
          recovered = await operate(world, opts.viaCli, ['rollback', '--recover']);
        }
        recoverMs.push(Date.now() - recoverStarted);
        expect({ code: recovered.code, stderr: recovered.stderr }).toEqual({ code: 0, stderr: '' });
        const held = await world.state.query<RollbackLease>(COLLECTIONS.rollbackLeases, {
          where: [{ field: 'held', op: '==', value: true }],
        });
        expect(held.map((h) => h.id)).toEqual([]);

        const records = new Map(
          (
            await world.state.query<RollbackRecord>(COLLECTIONS.rollbackRecords, {
              where: [{ field: 'requestId', op: '==', value: requestId }],
            })
          ).map((r) => [r.data.isbn, r.data]),
        );
        for (const [n, isbn] of isbns.entries()) {
          const now = await servingOf(world, isbn);
          expect(consistent(now)).toBe(true);
          const record = records.get(isbn);
          if (record?.status === 'succeeded') expect(now.alias).toBe(record.to);
          else expect({ isbn, now }).toEqual({ isbn, now: before[n] });
        }

        const head = (await world.state.get(COLLECTIONS.rollbackBackups, backupIdFor(requestId)))?.data as
          { status?: string } | undefined;
        if (head) expect(['done', 'interrupted']).toContain(head.status);
        const backup = head ? await readBackup(world.state, backupIdFor(requestId)) : undefined;
        if (backup && backup.entries.length > 0) {
          const restored = await operate(world, opts.viaCli, [
            'rollback',
            '--restore-backup',
            backup.head.backupId,
          ]);
          expect(restored.code).toBe(0);
          for (const entry of backup.entries) {
            const traffic = Object.fromEntries(
              entry.serving!.deployments.map((d) => [d.version, d.trafficPercent]),
            );
            expect(await servingOf(world, entry.isbn)).toEqual({
              alias: entry.productionAlias ?? null,
              traffic,
            });
          }
        }
        expect(await Promise.all(isbns.map((isbn) => servingOf(world, isbn)))).toEqual(before);
      }
      reportFigure(
        `rollback[${label}]`,
        'sigkill',
        `${opts.iterations} kills over ${opts.books} books in ${Date.now() - started} ms; killed after step: ${JSON.stringify(phases)}; recovery ms ${JSON.stringify(recoverMs)} (${retries} retried after a backend lock)`,
      );
    }, 240_000);
  });
}
