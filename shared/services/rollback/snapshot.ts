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
 * query each; a book the endpoint listing lacks is read on its own. With
 * `served` (a dry run, which chose its books from that listing moments
 * ago), the endpoints come from it. Under a run the books are leased by
 * then, so their histories cannot change under it.
 */
export async function readBooks(
  deps: RollbackDeps,
  isbns: readonly string[],
  options: { fleet?: boolean; served?: readonly ServingState[] } = {},
): Promise<BookSnapshot[]> {
  const fleetWide = options.fleet === true || options.served !== undefined;
  const [listed, state] = fleetWide
    ? await Promise.all([
        (options.served ? Promise.resolve(options.served) : deps.serving.listServing()).then(
          (all) => new Map(all.map((s) => [s.isbn, s])),
        ),
        listState(deps),
      ])
    : [undefined, undefined];
  return mapLimit(isbns, rollbackOptions(deps).concurrency, (isbn) =>
    readBook(deps, isbn, listed?.get(isbn), state),
  );
}

/** A fleet-wide scope: its ISBNs (see `selectFleetScope`), sorted, and the endpoint listing they came from. */
export interface FleetScope {
  isbns: string[];
  served: ServingState[];
}

/** The books of a fleet-wide scope, from one endpoint listing (and the last-known-good pointers for `emergency`). */
export async function fleetScope(deps: RollbackDeps, scope: 'all' | 'emergency'): Promise<FleetScope> {
  const served = await deps.serving.listServing();
  const lkg = new Map<string, string>();
  if (scope === 'emergency') {
    for (const doc of await deps.state.query<LastKnownGood>(COLLECTIONS.lastKnownGood)) {
      lkg.set(doc.id, doc.data.version);
    }
  }
  return { isbns: selectFleetScope(scope, served, lkg), served };
}

/** The ISBNs of a fleet-wide scope (see `selectFleetScope`), sorted. */
export async function fleetScopeIsbns(deps: RollbackDeps, scope: 'all' | 'emergency'): Promise<string[]> {
  return (await fleetScope(deps, scope)).isbns;
}
