/**
 * Reading what planning needs through the ports: one book's versions, alias,
 * endpoint, last-known-good pointer and serving history, and the books a
 * fleet-wide scope takes.
 */
import { COLLECTIONS } from '../../contracts/collections';
import type { LastKnownGood } from '../../contracts/documents/last-known-good';
import type { BookSnapshot } from '../../domain/rollback/types';
import { selectFleetScope } from '../../domain/rollback/scope';
import { NotFoundError } from '../../errors';
import { PRODUCTION_ALIAS } from '../../ports/model-registry';
import type { RollbackDeps } from './deps';
import { mapLimit, rollbackOptions } from './deps';
import { readHistory } from './leases';

/** One book now: versions, alias, endpoint, last-known-good pointer and serving history. */
export async function readBook(deps: RollbackDeps, isbn: string): Promise<BookSnapshot> {
  const [versions, productionAlias, serving, lkg, history] = await Promise.all([
    deps.registry.listVersions(isbn).catch((err: unknown) => {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }),
    // Only "not found" means no alias. Any other error (an outage) is thrown, so the run stops
    // before anything is switched, as retryable: a backup recording "no alias" would make a
    // restore delete an alias that existed.
    deps.registry.getAlias(isbn, PRODUCTION_ALIAS).catch((err: unknown) => {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }),
    deps.serving.getServing(isbn),
    deps.state.get<LastKnownGood>(COLLECTIONS.lastKnownGood, isbn),
    readHistory(deps.state, isbn),
  ]);
  const book: BookSnapshot = {
    isbn,
    registered: versions !== undefined,
    versions: (versions ?? []).map((v) => ({
      version: v.version,
      quarantined: v.quarantine !== undefined,
      ...(v.quarantine ? { quarantineReason: v.quarantine.reason } : {}),
    })),
    serving: serving ?? null,
    history,
  };
  if (productionAlias !== undefined) book.productionAlias = productionAlias;
  if (lkg) book.lastKnownGood = lkg.data.version;
  return book;
}

/** Many books, `concurrency` at a time, in the order given. */
export async function readBooks(deps: RollbackDeps, isbns: readonly string[]): Promise<BookSnapshot[]> {
  return mapLimit(isbns, rollbackOptions(deps).concurrency, (isbn) => readBook(deps, isbn));
}

/** The ISBNs of a fleet-wide scope (see `selectFleetScope`), sorted. */
export async function fleetScopeIsbns(deps: RollbackDeps, scope: 'all' | 'emergency'): Promise<string[]> {
  const served = await deps.serving.listServing();
  const lkg = new Map<string, string>();
  if (scope === 'emergency') {
    for (const doc of await deps.state.query<LastKnownGood>(COLLECTIONS.lastKnownGood)) {
      lkg.set(doc.id, doc.data.version);
    }
  }
  return selectFleetScope(scope, served, lkg);
}
