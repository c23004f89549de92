/**
 * What `adopt` finds: every book the registry names (the pipeline's own
 * `arima_book_<ISBN>`), its versions and their metrics, what its endpoint
 * serves, whether actual sales exist for it, and its last-known-good pointer.
 * Reads only; recording last-known-good is record-lkg.ts.
 */
import { COLLECTIONS } from '../../contracts/collections';
import type { LastKnownGood } from '../../contracts/documents/last-known-good';
import type { ModelVersion, ServingState } from '../../contracts/model';
import { NotFoundError, ServingUnknownError } from '../../errors';
import type { ModelRegistry } from '../../ports/model-registry';
import type { SalesData } from '../../ports/sales-data';
import type { ServingTarget } from '../../ports/serving-target';
import type { StateStore } from '../../ports/state-store';
import { mapLimit } from '../bounded';

/** Books read at once: each costs a few registry calls (and one run read per new version). */
export const ADOPT_CONCURRENCY = 8;

export interface InventoryPorts {
  registry: ModelRegistry;
  serving: ServingTarget;
  sales: SalesData;
  state: StateStore;
}

export interface BookInventory {
  isbn: string;
  versions: ModelVersion[];
  /** What the book's endpoint serves; undefined when it has none; null when serving is unknown. */
  serving: ServingState | undefined | null;
  hasActuals: boolean;
  lastKnownGood?: LastKnownGood;
}

export interface Inventory {
  books: BookInventory[];
  /** False when no serving target is configured: every book's serving is unknown. */
  servingKnown: boolean;
  /** Endpoints whose ISBN has no registered model (served, but nothing to monitor them against). */
  endpointsWithoutModel: ServingState[];
  /** Why actuals could not be read at all (no sales source), when so. */
  salesProblem?: string;
}

/** Reads the whole fleet: one listing of endpoints and of sales ISBNs, then each book's versions. */
export async function takeInventory(
  ports: InventoryPorts,
  concurrency = ADOPT_CONCURRENCY,
): Promise<Inventory> {
  const [isbns, serving, sales, lkgs] = await Promise.all([
    ports.registry.listModels(),
    listServingOrUnknown(ports.serving),
    listSalesIsbns(ports.sales),
    ports.state.query<LastKnownGood>(COLLECTIONS.lastKnownGood),
  ]);
  const servingByIsbn = new Map((serving ?? []).map((s) => [s.isbn, s]));
  const withActuals = new Set(sales.isbns);
  const lkgByIsbn = new Map(lkgs.map((d) => [d.id, d.data]));
  const books = await mapLimit(isbns, concurrency, async (isbn): Promise<BookInventory> => {
    const lastKnownGood = lkgByIsbn.get(isbn);
    return {
      isbn,
      versions: await ports.registry.listVersions(isbn),
      serving: serving === null ? null : servingByIsbn.get(isbn),
      hasActuals: withActuals.has(isbn),
      ...(lastKnownGood ? { lastKnownGood } : {}),
    };
  });
  const registered = new Set(isbns);
  return {
    books,
    servingKnown: serving !== null,
    endpointsWithoutModel: (serving ?? []).filter((s) => !registered.has(s.isbn)),
    ...(sales.problem ? { salesProblem: sales.problem } : {}),
  };
}

/** Every endpoint, or null when no serving target is configured. */
async function listServingOrUnknown(serving: ServingTarget): Promise<ServingState[] | null> {
  try {
    return await serving.listServing();
  } catch (err) {
    if (err instanceof ServingUnknownError) return null;
    throw err;
  }
}

/** ISBNs with actual sales; a sales source that does not exist is a finding, not a failure. */
async function listSalesIsbns(sales: SalesData): Promise<{ isbns: string[]; problem?: string }> {
  try {
    return { isbns: await sales.listIsbns() };
  } catch (err) {
    if (err instanceof NotFoundError) return { isbns: [], problem: err.message };
    throw err;
  }
}

/** The version taking the most traffic, or undefined when nothing takes any. */
export function servingVersion(state: ServingState | undefined | null): string | undefined {
  return (state?.deployments ?? [])
    .filter((d) => d.trafficPercent > 0)
    .sort((a, b) => b.trafficPercent - a.trafficPercent)[0]?.version;
}
