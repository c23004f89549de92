/**
 * Firestore in infra/ against the code: TTL policies on the Timestamp copy
 * of `expireAt` the FirestoreStateStore writes, for collections the code
 * names; composite indexes on real collections and fields; and an index for
 * every query of the services that needs one. Returns problems.
 */
import { COLLECTIONS } from '../../../shared/contracts/collections';
import { DOCUMENT_SCHEMAS } from '../../../shared/contracts/documents';
import { EXPIRE_AT_TS_FIELD } from '../../../shared/adapters/state-store-rules';
import {
  findQueries,
  indexFor,
  needsCompositeIndex,
  type FoundQuery,
  type IndexSpec,
} from './firestore-queries';
import { at, locals, norm, resources, type InfraModel } from './hcl';

/** Collections whose records must expire: processed-message ids (runtime) and old health reports (issue 8). */
export const REQUIRED_TTL = [COLLECTIONS.processedMessages, COLLECTIONS.healthReports];

export function checkFirestore(model: InfraModel, queries: FoundQuery[] = findQueries()): string[] {
  const problems: string[] = [];
  const loc = locals(model);
  const res = resources(model);
  const known = Object.values(COLLECTIONS) as string[];

  if (res.get('google_firestore_database.default')?.type !== 'FIRESTORE_NATIVE')
    problems.push('Firestore is not in native mode');

  const ttl = (loc.ttl_collections ?? []) as string[];
  for (const c of REQUIRED_TTL) if (!ttl.includes(c)) problems.push(`no TTL policy on ${c}`);
  for (const c of ttl) if (!known.includes(c)) problems.push(`TTL policy on unknown collection ${c}`);
  if (loc.ttl_field !== EXPIRE_AT_TS_FIELD)
    problems.push(`TTL field is ${String(loc.ttl_field)}, the store writes ${EXPIRE_AT_TS_FIELD}`);
  const field = res.get('google_firestore_field.ttl');
  if (
    norm(field?.for_each) !== '${toset(local.ttl_collections)}' ||
    norm(field?.field) !== '${local.ttl_field}' ||
    !at(field, 'ttl_config')
  ) {
    problems.push(
      'google_firestore_field.ttl does not put a ttl_config on ttl_field of every TTL collection',
    );
  }

  const indexes = Object.values((loc.firestore_indexes ?? {}) as unknown as Record<string, IndexSpec>);
  for (const idx of indexes) {
    if (!known.includes(idx.collection)) {
      problems.push(`index on unknown collection ${idx.collection}`);
      continue;
    }
    const shape =
      (DOCUMENT_SCHEMAS as Record<string, { shape?: Record<string, unknown> }>)[idx.collection]?.shape ?? {};
    for (const f of idx.fields)
      if (!(f.field in shape))
        problems.push(`index on ${idx.collection}.${f.field}: no such field in its documents`);
  }
  if (norm(res.get('google_firestore_index.composite')?.for_each) !== '${local.firestore_indexes}') {
    problems.push('google_firestore_index.composite does not create firestore_indexes');
  }

  for (const q of queries) {
    if (q.dynamic || !needsCompositeIndex(q)) continue;
    if (!indexFor(q, indexes)) {
      const order = q.orderBy ? ` order by ${q.orderBy.field} ${q.orderBy.direction}` : '';
      problems.push(
        `${q.where}: query on ${q.collection} (${[...q.equality, ...q.inequality].join(', ')}${order}) has no composite index`,
      );
    }
  }
  return problems;
}
