/**
 * One correlation id follows an incident from the first event to the last
 * notification: it rides in EventBus (Pub/Sub) message attributes, every log
 * line carries it, so one Cloud Logging query (`jsonPayload.correlationId="…"`)
 * shows the whole story. Trace ids come from the HTTP trace headers Google
 * puts on function invocations, so our lines join the request's trace.
 */
import type { Attributes } from '../ports/event-bus';
import type { IdGenerator } from '../ports/clock';
import { isValidCorrelationId } from '../contracts/primitives';

/** The EventBus attribute (and log field) that carries the correlation id. */
export const CORRELATION_ATTRIBUTE = 'correlationId';

// The rule lives with the contracts so the pure domain (build-events) can use
// it too; re-exported here for the code that handles attributes.
export { isValidCorrelationId };

/** A new correlation id from the injected id generator (`corr-…`). */
export function newCorrelationId(ids: IdGenerator): string {
  return ids.next('corr');
}

/** A copy of `attributes` carrying `id`, for publishing the next event of the same incident. */
export function withCorrelation(attributes: Attributes | undefined, id: string): Attributes {
  return { ...attributes, [CORRELATION_ATTRIBUTE]: id };
}

/**
 * The correlation id a received message carries, or `fallback` (a value, or a
 * function called only when needed, e.g. `() => newCorrelationId(ids)`) when
 * it carries none or an unusable one.
 */
export function correlationFrom(
  attributes: Attributes | undefined,
  fallback: string | (() => string),
): string {
  const carried = attributes?.[CORRELATION_ATTRIBUTE];
  if (isValidCorrelationId(carried)) return carried;
  return typeof fallback === 'function' ? fallback() : fallback;
}

/** W3C `traceparent`: version-traceid-parentid-flags, lower-case hex. */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
/** Google's `X-Cloud-Trace-Context`: TRACE_ID/SPAN_ID;o=OPTIONS, span and options optional. */
const CLOUD_TRACE = /^([0-9a-f]{32})(?:\/([0-9]+))?(?:;o=([0-9]+))?$/;
const ZERO_TRACE = /^0{32}$/;

/**
 * The trace id in a `traceparent` or `X-Cloud-Trace-Context` header value
 * (either format is recognised by its shape), or undefined when absent or
 * malformed. Node gives repeated headers as arrays; the first is used.
 */
export function traceFromHeader(value: string | readonly string[] | undefined): string | undefined {
  const raw = (Array.isArray(value) ? value[0] : value) as string | undefined;
  if (!raw) return undefined;
  const text = raw.trim().toLowerCase();
  const w3c = TRACEPARENT.exec(text);
  // Version ff is forbidden by the W3C spec; an all-zero trace id means "none".
  if (w3c) return w3c[1] === 'ff' || ZERO_TRACE.test(w3c[2]!) ? undefined : w3c[2];
  const google = CLOUD_TRACE.exec(text);
  if (google) return ZERO_TRACE.test(google[1]!) ? undefined : google[1];
  return undefined;
}

/** The trace id from request headers: `traceparent` first (the standard), then `X-Cloud-Trace-Context`. */
export function traceFromHeaders(
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
): string | undefined {
  const lower: Record<string, string | readonly string[] | undefined> = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
  return traceFromHeader(lower['traceparent']) ?? traceFromHeader(lower['x-cloud-trace-context']);
}
