/**
 * Rollback planning (plan, then act): from a request and snapshots
 * of the books, decide for each book whether to switch it, skip it or refuse,
 * and to what. Pure and deterministic; `--dry-run` prints exactly this, and
 * `applyRollback` re-plans each book from a fresh snapshot taken under its
 * lease before acting.
 */
import type { RollbackBackupEntry } from '../../contracts/documents/rollback';
import type { RollbackRequest } from '../../contracts/messages/rollback-request';
import { backupIdFor, rollbackIdFor } from './ids';
import { desiredForVersion, desiredFromEntry, matchesDesired, servingVersion } from './serving';
import { resolveTarget } from './targets';
import type { BookSnapshot, PlanItem, RollbackPlan } from './types';
import { scopeKind } from './types';

/** What one book needs for `target`; `fleetWide` turns "nothing to go back to" into a skip. */
export function planBook(
  request: Pick<RollbackRequest, 'target' | 'force'>,
  book: BookSnapshot,
  fleetWide: boolean,
): PlanItem {
  const { isbn } = book;
  const from = servingVersion(book.serving);
  if (!book.registered || from === null) return unservable(book);
  const resolved = resolveTarget(request.target, book, request.force === true);
  if (!resolved.ok) {
    // Fleet-wide, a book with nothing to go back to is not a failure of the run: it is left as it is.
    const nothingToDo = resolved.problem === 'no-previous' || resolved.problem === 'no-last-known-good';
    if (fleetWide && nothingToDo) {
      return { isbn, action: 'skip', from, to: resolved.to, reason: resolved.reason };
    }
    return {
      isbn,
      action: 'refuse',
      from,
      to: resolved.to,
      problem: resolved.problem,
      reason: resolved.reason,
    };
  }
  const desired = desiredForVersion(resolved.to);
  if (matchesDesired(book.productionAlias, book.serving, desired)) {
    return {
      isbn,
      action: 'skip',
      from,
      to: resolved.to,
      reason: `already serving version ${resolved.to} (production alias and 100 % of traffic)`,
    };
  }
  return {
    isbn,
    action: 'switch',
    from,
    to: resolved.to,
    desired,
    forced: resolved.forced,
    via: resolved.via,
  };
}

/** The refusal for a book with no model registered, or none served: there is nothing to roll back. */
function unservable(book: BookSnapshot): PlanItem {
  const { isbn } = book;
  const refusal = { isbn, action: 'refuse' as const, from: null, to: null };
  if (!book.registered)
    return { ...refusal, problem: 'not-registered', reason: `no model is registered for ISBN ${isbn}` };
  return {
    ...refusal,
    problem: 'not-served',
    reason: `ISBN ${isbn} has no endpoint serving traffic; there is nothing to roll back (deploy it instead)`,
  };
}

/**
 * The plan for a RollbackRequest over `books` (in scope order; a book named
 * twice is planned once). Ids derive from the requestId.
 */
export function planRollback(request: RollbackRequest, books: readonly BookSnapshot[]): RollbackPlan {
  const scope = scopeKind(request.scope);
  const fleetWide = scope !== 'isbns';
  const seen = new Set<string>();
  const items: PlanItem[] = [];
  for (const book of books) {
    if (seen.has(book.isbn)) continue;
    seen.add(book.isbn);
    items.push(planBook(request, book, fleetWide));
  }
  return {
    kind: 'rollback',
    requestId: request.requestId,
    rollbackId: rollbackIdFor(request.requestId),
    backupId: backupIdFor(request.requestId),
    scope,
    target: request.target,
    force: request.force === true,
    items,
  };
}

/** What putting one book back to a backup entry needs. */
export function planRestoreBook(entry: RollbackBackupEntry, book: BookSnapshot): PlanItem {
  const { isbn } = book;
  const from = servingVersion(book.serving);
  const desired = desiredFromEntry(entry);
  const to = servingVersion(entry.serving);
  if (!desired || to === null) {
    return {
      isbn,
      action: 'refuse',
      from,
      to,
      problem: 'cannot-restore',
      reason: `the backup holds ISBN ${isbn} with no endpoint serving traffic; an endpoint cannot be emptied by a restore`,
    };
  }
  if (!book.registered) {
    return {
      isbn,
      action: 'refuse',
      from,
      to,
      problem: 'not-registered',
      reason: `no model is registered for ISBN ${isbn}`,
    };
  }
  const known = new Set(book.versions.map((v) => v.version));
  const missing = desired.split.map((s) => s.version).filter((v) => !known.has(v));
  if (missing.length > 0) {
    return {
      isbn,
      action: 'refuse',
      from,
      to,
      problem: 'unknown-version',
      reason: `the backup deploys version ${missing.join(', ')} of ISBN ${isbn}, which the registry no longer holds`,
    };
  }
  if (matchesDesired(book.productionAlias, book.serving, desired)) {
    return { isbn, action: 'skip', from, to, reason: 'already exactly as in the backup' };
  }
  const forced = desired.split.some(
    (s) => s.trafficPercent > 0 && book.versions.find((v) => v.version === s.version)?.quarantined,
  );
  return { isbn, action: 'switch', from, to, desired, forced: forced === true, via: 'backup entry' };
}

/**
 * The plan that puts every book of a backup back exactly as it was (alias,
 * each deployment's share, nothing else deployed). Quarantine does not stop
 * it: a restore undoes a rollback, it does not choose a version.
 */
export function planRestore(
  restore: { requestId: string; backupId: string },
  entries: readonly RollbackBackupEntry[],
  books: readonly BookSnapshot[],
): RollbackPlan {
  const byIsbn = new Map(books.map((b) => [b.isbn, b]));
  const items = entries.map((entry) =>
    planRestoreBook(
      entry,
      byIsbn.get(entry.isbn) ?? {
        isbn: entry.isbn,
        registered: false,
        versions: [],
        serving: null,
        history: [],
      },
    ),
  );
  return {
    kind: 'restore-backup',
    requestId: restore.requestId,
    rollbackId: rollbackIdFor(restore.requestId),
    backupId: backupIdFor(restore.requestId),
    scope: 'backup',
    target: { kind: 'backup', backupId: restore.backupId },
    force: false,
    items,
  };
}
