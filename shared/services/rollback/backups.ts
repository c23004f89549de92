/**
 * Backup documents: a run's head (id = backupId, which also carries the run's
 * status and makes the requestId idempotent) and, for big fleets, part
 * documents, written together in one `batchSet` before any book changes.
 */
import { COLLECTIONS } from '../../contracts/collections';
import type { RollbackBackup, RollbackBackupEntry } from '../../contracts/documents/rollback';
import { chunkBackupEntries } from '../../domain/rollback/backup-chunks';
import { backupPartId } from '../../domain/rollback/ids';
import { NotFoundError } from '../../errors';
import type { StateStore } from '../../ports/state-store';

/** A backup read back whole: the head and every entry across its parts. */
export interface LoadedBackup {
  head: RollbackBackup;
  entries: RollbackBackupEntry[];
}

/**
 * Claims a run: creates its head with no entries. False when the head exists
 * already, i.e. this requestId was seen before (exactly one concurrent caller wins).
 */
export async function claimRun(state: StateStore, head: RollbackBackup): Promise<boolean> {
  return state.create(COLLECTIONS.rollbackBackups, head.backupId, head);
}

/**
 * Stores the entries: the head gets the first chunk and the count of parts,
 * each further chunk its own part document; one batch (Firestore: atomic up
 * to 500 documents, i.e. far beyond any fleet).
 */
export async function writeBackup(
  state: StateStore,
  head: RollbackBackup,
  entries: RollbackBackupEntry[],
): Promise<RollbackBackup> {
  const chunks = chunkBackupEntries(entries);
  // chunkBackupEntries always gives at least one chunk: the head's.
  const written: RollbackBackup = { ...head, entries: chunks[0] ?? [], parts: chunks.length };
  const writes = [{ collection: COLLECTIONS.rollbackBackups, id: head.backupId, data: written }];
  chunks.slice(1).forEach((chunk, i) => {
    const part: RollbackBackup = {
      backupId: head.backupId,
      rollbackId: head.rollbackId,
      createdAt: head.createdAt,
      entries: chunk,
      part: i + 1,
    };
    writes.push({
      collection: COLLECTIONS.rollbackBackups,
      id: backupPartId(head.backupId, i + 1),
      data: part,
    });
  });
  await state.batchSet(writes);
  return written;
}

/** Updates the head's run fields (status, finish time), keeping its entries. */
export async function updateHead(state: StateStore, head: RollbackBackup): Promise<void> {
  await state.set(COLLECTIONS.rollbackBackups, head.backupId, head);
}

/** A run's head document (its status and first entries), if the backupId was ever claimed. */
export async function readHead(state: StateStore, backupId: string): Promise<RollbackBackup | undefined> {
  return (await state.get<RollbackBackup>(COLLECTIONS.rollbackBackups, backupId))?.data;
}

/** The whole backup. NotFoundError naming the id when there is none (or a part is missing). */
export async function readBackup(state: StateStore, backupId: string): Promise<LoadedBackup> {
  const head = await readHead(state, backupId);
  if (!head || head.part !== undefined) {
    throw new NotFoundError(
      `no rollback backup "${backupId}" (backup ids look like bk-…; see rollback --json output or the records)`,
    );
  }
  const entries = [...head.entries];
  for (let part = 1; part < (head.parts ?? 1); part++) {
    const doc = await state.get<RollbackBackup>(COLLECTIONS.rollbackBackups, backupPartId(backupId, part));
    if (!doc)
      throw new NotFoundError(`rollback backup "${backupId}" is missing part ${part} of ${head.parts}`);
    entries.push(...doc.data.entries);
  }
  return { head, entries };
}
