/**
 * `forecast-guard adopt`: attach to a fleet the publisher's pipeline built.
 * Takes the inventory (inventory.ts), records last-known-good where nothing
 * better exists (record-lkg.ts), and judges readiness: what was found, and
 * what blocks monitoring, book by book and in counts. `ready` is true only
 * when nothing blocks.
 */
import type { Clock } from '../../ports/clock';
import { missingMetrics, isPipelineVersion } from '../../domain/version-origin';
import { mapLimit } from '../bounded';
import {
  ADOPT_CONCURRENCY,
  type BookInventory,
  type InventoryPorts,
  servingVersion,
  takeInventory,
} from './inventory';
import { type LkgOutcome, recordLastKnownGood } from './record-lkg';

export { ADOPTED_LKG_ACTOR } from './record-lkg';

export interface AdoptPorts extends InventoryPorts {
  clock: Clock;
}

export interface AdoptedBook {
  isbn: string;
  title?: string;
  versions: string[];
  /** Versions the pipeline registered (read from its own records, no forecast-guard tags). */
  pipelineVersions: number;
  versionsWithoutMetrics: Array<{ version: string; reason: string }>;
  /** `unknown` when no serving target is configured; null when the book has no endpoint. */
  endpoint: string | null | 'unknown';
  /** The version taking the most traffic; null when none; `unknown` without a serving target. */
  serving: string | null | 'unknown';
  traffic: Record<string, number>;
  hasActuals: boolean;
  lastKnownGood: LkgOutcome;
  /** What keeps this book from being monitored; empty when it is. */
  blockers: string[];
}

export interface ReadinessReport {
  at: string;
  ready: boolean;
  found: {
    books: number;
    versions: number;
    pipelineVersions: number;
    /** Endpoints found (books with one, plus endpoints of unregistered ISBNs); null when serving is unknown. */
    endpoints: number | null;
    /** Books with a version taking traffic; null when serving is unknown. */
    servingVersions: number | null;
    booksWithActuals: number;
  };
  blocking: {
    servingUnknown: boolean;
    salesProblem?: string;
    noActuals: string[];
    noMetrics: Array<{ isbn: string; version: string; reason: string }>;
    noVersions: string[];
    noServing: string[];
    servingUnregisteredVersion: Array<{ isbn: string; version: string }>;
    noLastKnownGood: Array<{ isbn: string; reason: string }>;
    endpointsWithoutModel: Array<{ isbn: string; endpoint?: string }>;
  };
  lastKnownGood: { recorded: Array<{ isbn: string; version: string }>; kept: number };
  books: AdoptedBook[];
}

/** Inventories the fleet, records last-known-good where nothing better exists, and reports readiness. */
export async function adoptFleet(
  ports: AdoptPorts,
  concurrency = ADOPT_CONCURRENCY,
): Promise<ReadinessReport> {
  const inventory = await takeInventory(ports, concurrency);
  const books = await mapLimit(inventory.books, concurrency, async (book) =>
    judgeBook(book, await recordLastKnownGood(book, ports)),
  );
  const blocking: ReadinessReport['blocking'] = {
    servingUnknown: !inventory.servingKnown,
    ...(inventory.salesProblem ? { salesProblem: inventory.salesProblem } : {}),
    noActuals: books.filter((b) => !b.hasActuals).map((b) => b.isbn),
    noMetrics: books.flatMap((b) => b.versionsWithoutMetrics.map((m) => ({ isbn: b.isbn, ...m }))),
    noVersions: books.filter((b) => b.versions.length === 0).map((b) => b.isbn),
    noServing: books.filter((b) => b.serving === null).map((b) => b.isbn),
    servingUnregisteredVersion: books
      .filter(
        (b) => typeof b.serving === 'string' && b.serving !== 'unknown' && !b.versions.includes(b.serving),
      )
      .map((b) => ({ isbn: b.isbn, version: b.serving as string })),
    // Only books that serve something: the others are already counted as not serving (or serving unknown).
    noLastKnownGood: books.flatMap((b) =>
      b.lastKnownGood.action === 'none' && servesAVersion(b)
        ? [{ isbn: b.isbn, reason: b.lastKnownGood.reason }]
        : [],
    ),
    endpointsWithoutModel: inventory.endpointsWithoutModel.map((s) => ({
      isbn: s.isbn,
      ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    })),
  };
  const lists = [
    blocking.noActuals,
    blocking.noMetrics,
    blocking.noVersions,
    blocking.noServing,
    blocking.servingUnregisteredVersion,
    blocking.noLastKnownGood,
    blocking.endpointsWithoutModel,
  ];
  const known = inventory.servingKnown;
  return {
    at: ports.clock.now().toISOString(),
    ready:
      !blocking.servingUnknown && blocking.salesProblem === undefined && lists.every((l) => l.length === 0),
    found: {
      books: books.length,
      versions: books.reduce((n, b) => n + b.versions.length, 0),
      pipelineVersions: books.reduce((n, b) => n + b.pipelineVersions, 0),
      endpoints: known
        ? books.filter((b) => b.endpoint !== null).length + blocking.endpointsWithoutModel.length
        : null,
      servingVersions: known ? books.filter((b) => b.serving !== null).length : null,
      booksWithActuals: books.filter((b) => b.hasActuals).length,
    },
    blocking,
    lastKnownGood: {
      recorded: books.flatMap((b) =>
        b.lastKnownGood.action === 'recorded' ? [{ isbn: b.isbn, version: b.lastKnownGood.version }] : [],
      ),
      kept: books.filter((b) => b.lastKnownGood.action === 'kept').length,
    },
    books,
  };
}

function judgeBook(book: BookInventory, lkg: LkgOutcome): AdoptedBook {
  const withoutMetrics = book.versions.flatMap((v) => {
    const reason = missingMetrics(v);
    return reason === undefined ? [] : [{ version: v.version, reason }];
  });
  const known = book.serving !== null;
  const serving = known ? (servingVersion(book.serving) ?? null) : 'unknown';
  const traffic: Record<string, number> = {};
  for (const d of book.serving?.deployments ?? []) traffic[d.version] = d.trafficPercent;
  const versions = book.versions.map((v) => v.version);
  const blockers: string[] = [];
  if (!known) blockers.push('serving unknown: no serving target configured');
  else if (serving === null) blockers.push(book.serving ? 'endpoint serves nothing' : 'no serving endpoint');
  else if (!versions.includes(serving))
    blockers.push(`serves version ${serving}, which the registry does not hold`);
  if (versions.length === 0) blockers.push('no versions in the registry');
  if (!book.hasActuals) blockers.push('no actual sales');
  for (const m of withoutMetrics) blockers.push(`version ${m.version} has no metrics (${m.reason})`);
  if (lkg.action === 'none' && known && serving !== null) blockers.push(`no last-known-good: ${lkg.reason}`);
  const title = book.versions.map((v) => v.labels.book_title).find((t) => t !== undefined);
  return {
    isbn: book.isbn,
    ...(title !== undefined ? { title } : {}),
    versions,
    pipelineVersions: book.versions.filter(isPipelineVersion).length,
    versionsWithoutMetrics: withoutMetrics,
    // A serving target without resource names (the embedded one) still has an endpoint per book.
    endpoint: !known ? 'unknown' : book.serving ? (book.serving.endpoint ?? '(unnamed)') : null,
    serving,
    traffic,
    hasActuals: book.hasActuals,
    lastKnownGood: lkg,
    blockers,
  };
}

function servesAVersion(book: AdoptedBook): boolean {
  return book.serving !== null && book.serving !== 'unknown';
}
