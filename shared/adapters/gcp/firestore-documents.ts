/**
 * How StateStore documents look in Firestore: plain JSON maps (times stay ISO
 * strings), plus `expireAtTs`, a Timestamp copy of `expireAt`, because a
 * Firestore TTL policy only acts on a Timestamp field. Configure the policy on
 * `expireAtTs` for every collection group that sets `expireAt`; the policy
 * deletes within about a day, so reads hide expired documents themselves.
 */
import { Timestamp, type DocumentSnapshot } from '@google-cloud/firestore';
import type { DocData, StoredDoc } from '../../ports/state-store';
import { EXPIRE_AT_TS_FIELD, isExpired } from '../state-store-rules';

/** The map written to Firestore for a validated document. */
export function toFirestoreData(data: DocData, expireAtMs: number | undefined): DocData {
  return expireAtMs === undefined
    ? data
    : { ...data, [EXPIRE_AT_TS_FIELD]: Timestamp.fromMillis(expireAtMs) };
}

/** Timestamps written by other tools come back as ISO strings, so documents stay JSON. */
function plain(value: unknown): unknown {
  if (value instanceof Timestamp) return value.toDate().toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/** The stored document, or undefined when it does not exist or has expired at `nowMs`. */
export function fromSnapshot<T extends DocData>(
  snap: DocumentSnapshot,
  nowMs: number,
): StoredDoc<T> | undefined {
  const raw = snap.data();
  if (!snap.exists || raw === undefined) return undefined;
  const { [EXPIRE_AT_TS_FIELD]: _ts, ...rest } = raw;
  const data = plain(rest) as T;
  if (isExpired(data, nowMs)) return undefined;
  const updateTime = (snap.updateTime ?? snap.readTime).toDate().toISOString();
  return { id: snap.id, data, updateTime };
}
