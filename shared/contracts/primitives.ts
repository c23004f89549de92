/** Small shared schemas: ISBN-13, environment names, ids, timestamps. */
import { z } from 'zod';
import { isbn13CheckDigit, isValidIsbn13 } from '../domain/isbn';

/** A canonical ISBN-13 (digits only). A wrong check digit is named, as it is the usual typo. */
export const isbn13 = z.string().superRefine((value, ctx) => {
  if (isValidIsbn13(value)) return;
  const detail = /^97[89][0-9]{10}$/.test(value)
    ? `check digit is ${value[12]}, expected ${isbn13CheckDigit(value.slice(0, 12))}`
    : '13 digits, 978/979 prefix, correct check digit';
  ctx.addIssue({ code: 'custom', message: `must be a valid ISBN-13 (${detail})`, input: value });
});

/**
 * The most ISBNs one request may name: 5,000, the largest fleet the product
 * targets, so any real subset of a fleet fits in one request, while the
 * whole fleet has its own shape (`{all: true}`, or no list at all). A longer
 * list cannot be a subset and only costs work: it is refused on its length
 * alone, before any item is looked at.
 */
export const MAX_ISBNS_PER_REQUEST = 5_000;

/** The refusal of an oversized list: the count and the limit, never the list itself. */
export function tooManyIsbns(count: number, wholeFleet: string): string {
  return `at most ${MAX_ISBNS_PER_REQUEST} ISBNs per request (got ${count}); ${wholeFleet}`;
}

/**
 * A non-empty list of at most MAX_ISBNS_PER_REQUEST ISBN-13s. The length is
 * checked in a preprocess step, so an oversized list fails before zod looks
 * at a single item (whatever order a zod version runs `.max()` in), and the
 * issue carries no input, so the message never echoes the list.
 */
export function isbnList(messages: { empty: string; wholeFleet: string }) {
  return z.preprocess(
    (value, ctx) => {
      if (Array.isArray(value) && value.length > MAX_ISBNS_PER_REQUEST) {
        ctx.issues.push({
          code: 'custom',
          message: tooManyIsbns(value.length, messages.wholeFleet),
          input: undefined,
        });
      }
      return value;
    },
    z.array(isbn13).min(1, messages.empty),
  );
}

export const Environment = z.enum(['development', 'staging', 'production']);
export type Environment = z.infer<typeof Environment>;

export const Severity = z.enum(['critical', 'warning', 'info']);
export type Severity = z.infer<typeof Severity>;

/**
 * A timestamp we write ourselves: ISO 8601 in UTC (`Z`), any fraction, as
 * `Date.prototype.toISOString` gives. UTC only, so stored timestamps sort as strings.
 */
export const isoDateTime = z.iso.datetime({
  error: 'must be an ISO 8601 date-time in UTC, e.g. 2024-05-01T10:00:00Z',
});

/** A timestamp written by someone else (Google, Scheduler headers): RFC 3339, any offset. */
export const rfc3339 = z.iso.datetime({
  offset: true,
  error: 'must be an RFC 3339 date-time, e.g. 2024-05-01T10:00:00Z or 2024-05-01T03:00:00-07:00',
});

/** A calendar day, `YYYY-MM-DD`. */
export const isoDate = z.iso.date({ error: 'must be an ISO date, YYYY-MM-DD' });

/** A required piece of text: not empty, not only spaces. */
export const nonEmptyText = z.string().trim().min(1, 'must not be empty');

/**
 * An id that is also used as a Firestore document id: 1–200 characters, no
 * `/`, not `.` or `..`, not `__…__` (Firestore reserves those).
 */
export const documentId = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .refine((v) => !v.includes('/') && v !== '.' && v !== '..' && !/^__.*__$/.test(v), {
    message: 'must be usable as a document id (no "/", not "." or "..", not __name__)',
  });

/** A registry version id: a decimal string, as MLflow and Vertex AI both give it. */
export const versionId = z.string().regex(/^[0-9]+$/, 'must be a decimal version id, e.g. "22"');

/** Ties every log line and message of one incident together; travels in Pub/Sub attributes. */
export const correlationId = z
  .string()
  .min(1, 'must not be empty')
  .max(256, 'must be at most 256 characters');

// Ids we mint or carry go into log queries and labels: keep them to a safe
// alphabet and length so a hostile attribute cannot inject text or blow up a
// label (limit 1024). Stricter than `correlationId`, which only bounds what a
// stored document may hold.
const VALID_CORRELATION_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/** True when `id` is usable as a correlation id (the safe alphabet, at most 128 characters). */
export function isValidCorrelationId(id: unknown): id is string {
  return typeof id === 'string' && VALID_CORRELATION_ID.test(id);
}

/** Who did something: a person's name or email, or a service account. */
export const actor = nonEmptyText.max(320, 'must be at most 320 characters');

/** A duration in whole milliseconds. */
export const durationMs = z.number().int('must be a whole number of milliseconds').nonnegative();

/** What started a health check or summary: Cloud Scheduler, an operator, or a game-day drill. */
export const Trigger = z.enum(['schedule', 'manual', 'drill']);
export type Trigger = z.infer<typeof Trigger>;

/** What started a health check: a Trigger, or `sales-data`, a new sales drop in Cloud Storage (`sales-data-updates`). */
export const HealthCheckTrigger = z.enum([...Trigger.options, 'sales-data']);
export type HealthCheckTrigger = z.infer<typeof HealthCheckTrigger>;

/** Overall or per-model result of a health check. */
export const HealthStatus = z.enum(['healthy', 'degraded', 'unhealthy']);
export type HealthStatus = z.infer<typeof HealthStatus>;
