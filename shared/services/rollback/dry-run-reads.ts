/**
 * What a fleet-wide dry run reads: the scope and a snapshot of each of its
 * books. Dry runs change nothing and take no lease, so dry runs of the same
 * scope that arrive together share one read (`coalescing`: never a read
 * that began before the caller asked). Under 100 concurrent dry runs of the
 * whole fleet through rollback-http, each reading the fleet on its own was
 * most of the function's busy time (docs/performance.md); shared, a burst
 * costs a few reads. A run that switches reads its books again under their
 * leases (run.ts); nothing here is used for it.
 */
import type { BookSnapshot } from '../../domain/rollback/types';
import { coalescing } from '../coalesce';
import type { RollbackDeps } from './deps';
import { readFleetScope } from './snapshot';

/** A fleet-wide scope and its books as read for a dry run. */
export interface FleetRead {
  isbns: string[];
  books: BookSnapshot[];
}

type Scope = 'all' | 'emergency';

/** One coalesced reader per backend (its StateStore stands for it) and scope. */
const readers = new WeakMap<object, Map<Scope, (deps: RollbackDeps) => Promise<FleetRead>>>();

/** Reads a fleet-wide scope for a dry run, sharing the read with concurrent dry runs of the same scope. */
export function readFleetForDryRun(deps: RollbackDeps, scope: Scope): Promise<FleetRead> {
  let byScope = readers.get(deps.state);
  if (!byScope) {
    byScope = new Map();
    readers.set(deps.state, byScope);
  }
  let reader = byScope.get(scope);
  if (!reader) {
    // Callers of one reader share a backend (keyed by its StateStore), so whose ports read does not matter.
    reader = coalescing((deps: RollbackDeps) => readFleetScope(deps, scope));
    byScope.set(scope, reader);
  }
  return reader(deps);
}
