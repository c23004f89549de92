/**
 * What the rollback service needs: its ports (adapters, a clock, a logger,
 * holder liveness, in-process locks, a progress observer) and its settings
 * (who it is — the lease holder —, its tuning, the environment, the verified
 * caller). The function and the CLI map the settings from Config in
 * shared/wiring/rollback-settings.ts; the service reaches for nothing else.
 */
import type { Environment } from '../../contracts/primitives';
import type { Logger } from '../../logging/logger';
import type { Clock } from '../../ports/clock';
import type { PublisherFor } from '../../ports/event-bus';
import type { ModelRegistry } from '../../ports/model-registry';
import type { ServingTarget } from '../../ports/serving-target';
import type { StateStore } from '../../ports/state-store';
import type { BookLocks } from './book-locks';

/** Tuning of the rollback service; every field has a default (DEFAULT_ROLLBACK_OPTIONS). */
export interface RollbackOptions {
  /** Books worked on at once in a fleet-wide run (leases, reads, switches). */
  concurrency: number;
  /**
   * How long a lease holds a book. Longer than the rollback function's
   * timeout (300 s), so a live run never loses a book; a run that died frees
   * its books after this (sooner when its holder is known to be dead).
   */
  leaseTtlMs: number;
  /** How long a request waits for a book another rollback holds before that book fails as busy. */
  leaseWaitMs: number;
  /** Weeks the canary prediction asks the target version for. */
  canarySteps: number;
}

/** 16 books at once, 6-minute leases, 30 s wait for a busy book, 4-week canaries. */
export const DEFAULT_ROLLBACK_OPTIONS: RollbackOptions = {
  concurrency: 16,
  leaseTtlMs: 6 * 60_000,
  leaseWaitMs: 30_000,
  canarySteps: 4,
};

/**
 * Whether the process named by a lease holder still runs: true, false, or
 * undefined when it cannot be told (another machine). Only `false` lets a
 * lease be taken over before it expires.
 */
export type HolderLiveness = (holder: string) => boolean | undefined;

/** A step of a run, for progress bars and tests that stop a run at a chosen moment. */
export interface RollbackProgress {
  phase: 'leased' | 'backed-up' | 'intent' | 'switched' | 'finished' | 'recovered';
  isbn?: string;
  /** Books finished so far and in all (for `finished`). */
  done: number;
  total: number;
}

/** The adapters and in-process helpers `applyRollback`, `restoreBackup` and `recoverInterrupted` use. */
export interface RollbackPorts {
  state: StateStore;
  registry: ModelRegistry;
  serving: ServingTarget;
  bus: PublisherFor<'rollback'>;
  clock: Clock;
  logger: Logger;
  /** Asks the operating system, so it is a port: a plain value could not answer. */
  liveness?: HolderLiveness;
  /** In-process queue per book; share one per process so its own requests take turns before the lease. */
  locks?: BookLocks;
  onProgress?: (progress: RollbackProgress) => void;
}

/** Plain values, mapped from Config in shared/wiring/rollback-settings.ts. */
export interface RollbackSettings {
  /** Who holds the leases this service takes, e.g. `cli@host:4242`. */
  holder: string;
  options?: Partial<RollbackOptions>;
  /** Put on `rollback_failed` alerts; alert-dispatch fills its own when absent. */
  environment?: Environment;
  /**
   * Who the caller of this one call proved to be (the records' `verifiedCaller`),
   * from the entry point's authentication; never taken from the request body.
   */
  verifiedCaller?: string;
}

/** Ports and settings together: what the steps inside the service hand one another. */
export type RollbackDeps = RollbackPorts & RollbackSettings;

/** The options with defaults filled in, checked. */
export function rollbackOptions(deps: Pick<RollbackDeps, 'options'>): RollbackOptions {
  const options = { ...DEFAULT_ROLLBACK_OPTIONS, ...deps.options };
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1 || options.concurrency > 256) {
    throw new RangeError(
      `rollback concurrency must be a whole number from 1 to 256 (got ${options.concurrency})`,
    );
  }
  return options;
}

export { mapLimit } from '../bounded';
