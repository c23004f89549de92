/**
 * `rollback`: one command for every rollback an operator needs (README, Operator CLI):
 *   rollback --isbn X --to-version N|previous|last-known-good   one book (repeat --isbn for a list)
 *   rollback --isbn X --emergency                              that book to its last-known-good
 *   rollback --emergency                                       every book not on its last-known-good
 *   rollback --all-models --to-version previous|last-known-good every served book
 *   rollback --restore-backup ID                               put a backup back exactly
 *   rollback --recover [--force]                               finish or undo interrupted rollbacks
 * with --dry-run (print the plan, change nothing), --force (allow a
 * quarantined version; recorded), --reason, --by (default $USER),
 * --request-id (idempotency key; default a new one), --concurrency N.
 * Exit 0 when every book succeeded or had nothing to do, 1 when any failed
 * (listed on stderr), 2 bad input, 3 backend unreachable.
 */
import { hostname } from 'node:os';
import type {
  RollbackRequest,
  RollbackScope,
  RollbackTarget,
} from '../../shared/contracts/messages/rollback-request';
import { describeError } from '../../shared/errors';
import { newCorrelationId } from '../../shared/logging/correlation';
import { randomIds } from '../../shared/ports/clock';
import {
  applyRollback,
  failedBooks,
  recoverInterrupted,
  restoreBackup,
  type HolderLiveness,
  type RollbackPorts,
  type RollbackSettings,
  type RollbackDryRun,
  type RollbackResult,
} from '../../shared/services/rollback';
import type { Backend } from '../../shared/wiring/backend';
import { processHolder, rollbackSettings } from '../../shared/wiring/rollback-settings';
import { withBackend } from '../backend';
import type { Command, CommandContext } from '../command';
import { EXIT, UsageError, type ExitCode } from '../exit-codes';
import { FLAGS } from '../flag-table';
import { cliLogger } from '../logger';
import {
  currentVertexLimiter,
  quotaSnapshot,
  vertexQuotaDetail,
} from '../../shared/adapters/gcp/vertex-quota';
import { createProgress } from '../progress';
import { helpOf } from './help-table';

/**
 * Whether a lease holder (`name@host:pid`) still runs, told only for this
 * machine's processes: a dead holder's books can be recovered at once
 * instead of after the lease expires.
 */
export function localLiveness(host: string = hostname()): HolderLiveness {
  return (holder) => {
    const m = /@([^@]+):(\d+)$/.exec(holder);
    if (!m || m[1] !== host) return undefined;
    try {
      process.kill(Number(m[2]), 0);
      return true;
    } catch (err) {
      // EPERM: it exists but belongs to someone else.
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  };
}

function targetOf(value: string): RollbackTarget {
  if (value === 'previous' || value === 'last-known-good') return { kind: value };
  if (/^[0-9]+$/.test(value)) return { kind: 'version', version: value };
  throw new UsageError(
    `--to-version must be a version number, previous or last-known-good (got "${value}")`,
    ['to-version'],
  );
}

/** The RollbackRequest the flags ask for; UsageError naming the flag when they do not add up. */
export function requestFromFlags(ctx: CommandContext, ids = randomIds): RollbackRequest {
  const isbns = ctx.flag(FLAGS.rollbackIsbns);
  const toVersion = ctx.flag(FLAGS.toVersion);
  const emergency = ctx.flag(FLAGS.emergency);
  const all = ctx.flag(FLAGS.allModels);
  if (all && isbns.length > 0)
    throw new UsageError('--all-models and --isbn exclude each other', ['all-models']);
  if (all && emergency)
    throw new UsageError('--all-models and --emergency exclude each other', ['emergency']);
  if (emergency && toVersion) {
    throw new UsageError('--emergency always goes to the last-known-good version; leave out --to-version', [
      'to-version',
    ]);
  }
  let scope: RollbackScope;
  let target: RollbackTarget;
  if (emergency) {
    scope = isbns.length > 0 ? { isbns } : { emergency: true };
    target = { kind: 'last-known-good' };
  } else if (all) {
    if (!toVersion)
      throw new UsageError('--all-models needs --to-version previous or last-known-good', ['to-version']);
    target = targetOf(toVersion);
    if (target.kind === 'version') {
      throw new UsageError(
        "--all-models needs --to-version previous or last-known-good; a version number is one book's",
        ['to-version'],
      );
    }
    scope = { all: true };
  } else {
    if (isbns.length === 0)
      throw new UsageError('say which books: --isbn X, --all-models or --emergency', ['isbn']);
    if (!toVersion)
      throw new UsageError('--to-version is required with --isbn (or use --emergency)', ['to-version']);
    scope = { isbns };
    target = targetOf(toVersion);
  }
  return {
    requestId: ctx.flag(FLAGS.requestId) ?? ids.next('cli'),
    scope,
    target,
    reason:
      ctx.flag(FLAGS.reason) ?? (emergency ? 'emergency rollback from the CLI' : 'rollback from the CLI'),
    requestedBy: requester(ctx),
    dryRun: ctx.flag(FLAGS.dryRun),
    force: ctx.flag(FLAGS.rollbackForce),
    correlationId: newCorrelationId(ids),
  };
}

function requester(ctx: CommandContext): string {
  const by = ctx.flag(FLAGS.by) ?? ctx.env.USER ?? ctx.env.USERNAME;
  if (!by) throw new UsageError('--by is required when $USER is not set', ['by']);
  return by;
}

/**
 * Who the CLI's credentials are (Google Cloud), recorded as `verifiedCaller`
 * beside `--by`; undefined on the embedded backend, where nothing verifies it.
 */
async function callerIdentity(ctx: CommandContext): Promise<string | undefined> {
  try {
    return await ctx.identity();
  } catch (err) {
    ctx.out.error(
      `warning: the identity of these credentials could not be established (${describeError(err)}); the record names only --by`,
    );
    return undefined;
  }
}

function portsFor(
  ctx: CommandContext,
  backend: Backend,
  fleetWide: boolean,
): { ports: RollbackPorts; done: () => void } {
  // On Vertex the bar also shows the quota counters and the ETA they project (the limiter paces the job).
  const progress = createProgress(ctx.interactive && fleetWide, undefined, vertexQuotaDetail);
  const logger = cliLogger(ctx.out, backend.config, 'rollback-cli');
  const ports: RollbackPorts = {
    state: backend.state,
    registry: backend.registry,
    serving: backend.serving,
    bus: backend.bus,
    clock: backend.clock,
    logger,
    liveness: localLiveness(),
    onProgress: (p) => {
      if (p.phase === 'finished') progress.update(p.done, p.total, p.isbn);
    },
  };
  return {
    ports,
    done: () => {
      progress.done();
      const limiter = currentVertexLimiter();
      if (fleetWide && limiter) logger.info('vertex quota use', { quota: quotaSnapshot(limiter) });
    },
  };
}

/** The CLI's settings: this process as lease holder, --concurrency, and who the credentials proved to be. */
function settingsFor(ctx: CommandContext, backend: Backend, verifiedCaller?: string): RollbackSettings {
  const concurrency = ctx.flag(FLAGS.concurrency);
  return rollbackSettings(backend.config, {
    holder: processHolder('cli'),
    ...(concurrency ? { options: { concurrency } } : {}),
    ...(verifiedCaller ? { verifiedCaller } : {}),
  });
}

function printOutcome(ctx: CommandContext, result: RollbackResult | RollbackDryRun): ExitCode {
  if ('dryRun' in result) {
    ctx.out.line(`dry run of ${result.rollbackId}: nothing was changed`);
    ctx.out.table(
      result.results.map((r) => ({
        isbn: r.isbn,
        action: r.action,
        from: r.from,
        to: r.to,
        why: r.via ?? r.reason,
        forced: r.forced,
      })),
      ['isbn', 'action', 'from', 'to', 'why', 'forced'],
    );
    ctx.out.result({
      rollbackId: result.rollbackId,
      backupId: result.backupId,
      durationMs: result.durationMs,
      dryRun: true,
      results: result.results,
    });
    return EXIT.ok;
  }
  const failed = failedBooks(result);
  ctx.out.table(
    result.results.map((r) => ({
      isbn: r.isbn,
      status: r.status,
      from: r.from,
      to: r.to,
      verified: r.verified,
      ms: r.durationMs,
      note: r.error ?? r.note,
    })),
    ['isbn', 'status', 'from', 'to', 'verified', 'ms', 'note'],
  );
  const counts = new Map<string, number>();
  for (const r of result.results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const summary = [...counts].map(([s, n]) => `${n} ${s}`).join(', ') || 'no books';
  const replay = result.replayed
    ? ' (answered from an earlier run with this request id; nothing changed now)'
    : '';
  ctx.out.line(
    `rollback ${result.rollbackId}, backup ${result.backupId}: ${summary} in ${result.durationMs} ms${replay}`,
  );
  ctx.out.result({
    rollbackId: result.rollbackId,
    backupId: result.backupId,
    requestId: result.requestId,
    status: result.status,
    replayed: result.replayed,
    durationMs: result.durationMs,
    results: result.results,
  });
  if (failed.length === 0 && result.status === 'done') return EXIT.ok;
  ctx.out.error(
    `rollback: ${failed.length} book(s) failed: ${failed.map((r) => `${r.isbn} (${r.status}: ${r.error ?? '?'})`).join('; ')}`,
  );
  return EXIT.problem;
}

async function recover(ctx: CommandContext): Promise<ExitCode> {
  const report = await withBackend(ctx, (backend) => {
    const { ports, done } = portsFor(ctx, backend, true);
    return recoverInterrupted(
      { force: ctx.flag(FLAGS.rollbackForce) },
      ports,
      settingsFor(ctx, backend),
    ).finally(done);
  });
  ctx.out.table(
    report.books.map((r) => ({
      isbn: r.isbn,
      status: r.status,
      from: r.from,
      to: r.to,
      verified: r.verified,
      note: r.note,
      error: r.error,
    })),
    ['isbn', 'status', 'from', 'to', 'verified', 'note', 'error'],
  );
  ctx.out.line(
    `recovered ${report.books.length} book(s); runs marked interrupted: ${report.runs.join(', ') || 'none'}`,
  );
  for (const l of report.live) {
    ctx.out.line(
      `left alone: ISBN ${l.isbn} held by ${l.holder} until ${l.expiresAt} (use --force if it is dead)`,
    );
  }
  ctx.out.result({ recovered: report.books, runs: report.runs, live: report.live, errors: report.errors });
  if (report.errors.length > 0) {
    ctx.out.error(
      `rollback --recover: ${report.errors.length} book(s) not recovered: ${report.errors.map((e) => `${e.isbn} (${e.error})`).join('; ')}`,
    );
    return report.errors.every((e) => e.retryable) ? EXIT.unreachable : EXIT.problem;
  }
  return report.books.some((b) => b.status === 'failed' && b.note !== 'released by recovery')
    ? EXIT.problem
    : EXIT.ok;
}

/** The `rollback` command (see the module comment for its forms). */
export const rollbackCommand: Command = {
  ...helpOf('rollback'),
  async run(ctx) {
    if (ctx.flag(FLAGS.recover)) return recover(ctx);
    const backupId = ctx.flag(FLAGS.restoreBackup);
    if (backupId !== undefined) {
      const scoped =
        ctx.flag(FLAGS.rollbackIsbns).length > 0 ||
        ctx.flag(FLAGS.toVersion) !== undefined ||
        ctx.flag(FLAGS.emergency) ||
        ctx.flag(FLAGS.allModels);
      if (scoped) {
        throw new UsageError('--restore-backup takes no --isbn, --to-version, --emergency or --all-models', [
          'restore-backup',
        ]);
      }
      const ids = randomIds;
      const verifiedCaller = await callerIdentity(ctx);
      const result = await withBackend(ctx, (backend) => {
        const { ports, done } = portsFor(ctx, backend, true);
        return restoreBackup(
          {
            backupId,
            requestId: ctx.flag(FLAGS.requestId) ?? ids.next('cli-restore'),
            requestedBy: requester(ctx),
            reason: ctx.flag(FLAGS.reason) ?? `restore backup ${backupId} from the CLI`,
            correlationId: newCorrelationId(ids),
            dryRun: ctx.flag(FLAGS.dryRun),
          },
          ports,
          settingsFor(ctx, backend, verifiedCaller),
        ).finally(done);
      });
      return printOutcome(ctx, result);
    }
    const request = requestFromFlags(ctx);
    const fleetWide = !('isbns' in request.scope);
    const verifiedCaller = await callerIdentity(ctx);
    const result = await withBackend(ctx, (backend) => {
      const { ports, done } = portsFor(ctx, backend, fleetWide);
      return applyRollback(request, ports, settingsFor(ctx, backend, verifiedCaller)).finally(done);
    });
    return printOutcome(ctx, result);
  },
};
