/**
 * What one dispatcher instance remembers between invocations: the turn each
 * fingerprint's concurrent deliveries wait for, the last observation decided
 * per fingerprint (so a redelivery needs no read), and when it last flushed.
 * Built by the wiring with the rest of the dependencies (one per instance),
 * not kept at module level, so two dispatchers in one process, or two tests,
 * never share it. Losing it (a new instance) costs a read, never a
 * duplicate: the dedup transaction settles that.
 */
import type { Alert } from '../../contracts/messages/alert';

/** The per-instance memory of alert dispatch (see the file comment). */
export interface DispatchMemory {
  /** The settled promise of the last turn taken per key. */
  readonly turns: Map<string, Promise<unknown>>;
  /** The last observation decided per `<environment>:<fingerprint>`, oldest first. */
  readonly decided: Map<string, Alert>;
  /** The last flush this instance started, if any. */
  lastFlush?: { at: number; running: boolean };
}

/** Observations remembered before the oldest is dropped. */
export const REMEMBERED = 1000;

/** An empty memory, for one dispatcher instance. */
export function createDispatchMemory(): DispatchMemory {
  return { turns: new Map(), decided: new Map() };
}

/** Runs `fn` after every earlier call with the same key (on this memory) has settled. */
export async function oneAtATime<T>(memory: DispatchMemory, key: string, fn: () => Promise<T>): Promise<T> {
  const previous = memory.turns.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const settled = run.catch(() => undefined);
  memory.turns.set(key, settled);
  try {
    return await run;
  } finally {
    if (memory.turns.get(key) === settled) memory.turns.delete(key);
  }
}

/** Remembers `alert` as the last observation decided for `key`, dropping the oldest once full. */
export function remember(memory: DispatchMemory, key: string, alert: Alert): void {
  memory.decided.delete(key);
  memory.decided.set(key, alert);
  // A Map iterates oldest first: drop that one once the memo is full.
  const oldest = memory.decided.keys().next();
  if (memory.decided.size > REMEMBERED && !oldest.done) memory.decided.delete(oldest.value);
}
