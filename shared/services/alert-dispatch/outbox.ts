/**
 * The outbox in the state store: reading and writing the documents whose
 * shape and rules live in shared/domain/alerting/outbox.ts. Every query of
 * the outbox is here, so the Firestore indexes it needs are in one place.
 */
import { COLLECTIONS } from '../../contracts/collections';
import { DISPATCH_CHANNEL, isDue, isOpen, runPrefix, type OutboxDoc } from '../../domain/alerting/outbox';
import type { Environment } from '../../contracts/primitives';
import type { StateStore, StoredDoc, Transaction } from '../../ports/state-store';

/** The collection the outbox lives in. */
export const OUTBOX = COLLECTIONS.pendingNotifications;

/** An outbox document, in or out of a transaction. */
export async function readDoc(tx: Transaction | StateStore, id: string): Promise<OutboxDoc | undefined> {
  return ((await tx.get(OUTBOX, id)) as StoredDoc<OutboxDoc> | undefined)?.data;
}

/** Writes an outbox document in a transaction. */
export function writeDoc(tx: Transaction, doc: OutboxDoc): void {
  tx.set(OUTBOX, doc.id, doc as unknown as Record<string, unknown>);
}

/** Open documents whose time has come, oldest first. */
export async function dueDocs(state: StateStore, now: Date, limit: number): Promise<OutboxDoc[]> {
  const docs = await state.query<OutboxDoc>(OUTBOX, {
    where: [{ field: 'nextAttemptAt', op: '<=', value: now.toISOString() }],
    orderBy: { field: 'nextAttemptAt', direction: 'asc' },
    limit,
  });
  return docs.map((d) => d.data).filter((d) => isDue(d, now));
}

/** Every dispatch job of one run (books, fleet, storm), open or closed. */
export async function runDocs(
  state: StateStore,
  environment: Environment,
  runId: string,
): Promise<OutboxDoc[]> {
  const prefix = runPrefix(environment, runId);
  const docs = await state.query<OutboxDoc>(OUTBOX, {
    where: [
      { field: 'id', op: '>=', value: prefix },
      { field: 'id', op: '<', value: `${prefix}~` },
    ],
  });
  return docs.map((d) => d.data);
}

/**
 * Open deliveries (not dispatch jobs), for the daily summary's "still
 * waiting" count. Reads the whole outbox, which holds at most a week of
 * closed documents: fine once a day.
 */
export async function countUndelivered(state: StateStore): Promise<number> {
  const docs = await state.query<OutboxDoc>(OUTBOX);
  return docs.filter((d) => isOpen(d.data) && d.data.channel !== DISPATCH_CHANNEL).length;
}
