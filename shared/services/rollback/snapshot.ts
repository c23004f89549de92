/**
 * Reading what planning needs through the ports: one book's versions, alias,
 * endpoint, last-known-good pointer and serving history, and the books a
 * fleet-wide scope takes.
 */
import { COLLECTIONS } from '../../contracts/collections';
import type { LastKnownGood } from '../../contracts/documents/last-known-good';
import type { RollbackLease, ServingHistoryEntry } from '../../contracts/documents/rollback';
import type { StoredDoc } from '../../ports/state-store';
import type { ModelVersion, ServingState } from '../../contracts/model';
import type { BookSnapshot } from '../../domain/rollback/types';
import { selectFleetScope } from '../../domain/rollback/scope';
import { NotFoundError } from '../../errors';
import { PRODUCTION_ALIAS } from '../../ports/model-registry';
import type { RollbackDeps } from './deps';
import { mapLimit, rollbackOptions } from './deps';
import { historyDocId, readHistory } from './leases';

/**
 * One book now: versions, alias, endpoint, last-known-good pointer and serving history.
 * The production alias is read from the versions listing (each version names its
 * aliases, test/contract/model-registry.contract.ts): a second read of the registry
 * would only repeat it. `serving`, when given, is the book's endpoint as a listing of
 * every endpoint read it moments ago (see readBooks); otherwise the endpoint is read.
 */
export async function readBook(
  deps: RollbackDeps,
  isbn: string,
  serving?: ServingState | null,
  listed?: ListedState,
): Promise<BookSnapshot> {
  const [versions, endpoint, lkg, history] = await Promise.all([
    // Only "not found" means no versions, hence no alias. Any other error (an outage) is thrown,
    // so the run stops before anything is switched, as retryable: a backup recording "no alias"
    // would make a restore delete an alias that existed.
    deps.registry.listVersions(isbn).catch((err: unknown) => {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }),
    serving !== undefined ? serving : deps.serving.getServing(isbn),
    listed ? listed.lastKnownGood.get(isbn) : deps.state.get<LastKnownGood>(COLLECTIONS.lastKnownGood, isbn),
    listed ? (listed.history.get(isbn) ?? []) : readHistory(deps.state, isbn),
  ]);
  const book: BookSnapshot = {
    isbn,
    registered: versions !== undefined,
    versions: (versions ?? []).map((v) => ({
      version: v.version,
      quarantined: v.quarantine !== undefined,
      ...(v.quarantine ? { quarantineReason: v.quarantine.reason } : {}),
    })),
    serving: endpoint ?? null,
    history,
  };
  const productionAlias = aliasHolder(versions ?? [], PRODUCTION_ALIAS);
  if (productionAlias !== undefined) book.productionAlias = productionAlias;
  if (lkg) book.lastKnownGood = lkg.data.version;
  return book;
}

/** The version holding `alias`: the newest, as `getAlias` answers while an alias moves between two. */
function aliasHolder(versions: readonly ModelVersion[], alias: string): string | undefined {
  return versions.filter((v) => v.aliases.includes(alias)).at(-1)?.version;
}

/** A fleet's last-known-good pointers and serving histories, each read with one query. */
interface ListedState {
  lastKnownGood: Map<string, StoredDoc<LastKnownGood>>;
  history: Map<string, ServingHistoryEntry[]>;
}

/**
 * Every last-known-good pointer, and every serving history (the never-held
 * documents beside the leases): two queries instead of two reads per book.
 */
async function listState(deps: RollbackDeps): Promise<ListedState> {
  const [pointers, histories] = await Promise.all([
    deps.state.query<LastKnownGood>(COLLECTIONS.lastKnownGood),
    deps.state.query<RollbackLease>(COLLECTIONS.rollbackLeases, {
      where: [{ field: 'held', op: '==', value: false }],
    }),
  ]);
  const history = new Map<string, ServingHistoryEntry[]>();
  for (const doc of histories) {
    if (doc.id === historyDocId(doc.data.isbn)) history.set(doc.data.isbn, doc.data.servingHistory ?? []);
  }
  return { lastKnownGood: new Map(pointers.map((d) => [d.id, d])), history };
}

/**
 * Many books, `concurrency` at a time, in the order given. With `fleet` (a
 * fleet-wide run, whose books are every served book) the endpoints come from
 * one listing of them all (ListEndpoints pages on Vertex) instead of one read
 * per book, and the last-known-good pointers and serving histories from one
 * query each; a book the endpoint listing lacks is read on its own. The books
 * are leased by then, so their histories cannot change under the run.
 */
export async function readBooks(
  deps: RollbackDeps,
  isbns: readonly string[],
  options: { fleet?: boolean } = {},
): Promise<BookSnapshot[]> {
  if (!options.fleet) return readListed(deps, isbns, undefined, undefined);
  const [served, state] = await Promise.all([deps.serving.listServing(), listState(deps)]);
  return readListed(deps, isbns, served, state);
}

/** The books of `isbns`, their endpoints and state taken from listings where given. */
function readListed(
  deps: RollbackDeps,
  isbns: readonly string[],
  served: readonly ServingState[] | undefined,
  state: ListedState | undefined,
): Promise<BookSnapshot[]> {
  const listed = served ? new Map(served.map((s) => [s.isbn, s])) : undefined;
  return mapLimit(isbns, rollbackOptions(deps).concurrency, (isbn) =>
    readBook(deps, isbn, listed?.get(isbn), state),
  );
}

/**
 * A fleet-wide scope and its books in one pass (a dry run: nothing is
 * leased): one endpoint listing and one query each for the pointers and the
 * histories choose the books and describe them.
 */
export async function readFleetScope(
  deps: RollbackDeps,
  scope: 'all' | 'emergency',
): Promise<{ isbns: string[]; books: BookSnapshot[] }> {
  const [served, state] = await Promise.all([deps.serving.listServing(), listState(deps)]);
  const lkg = new Map([...state.lastKnownGood].map(([isbn, doc]) => [isbn, doc.data.version]));
  const isbns = selectFleetScope(scope, served, lkg);
  return { isbns, books: await readListed(deps, isbns, served, state) };
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
