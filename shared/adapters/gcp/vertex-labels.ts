/**
 * Labels on Vertex AI Models and Endpoints. Every resource forecast-guard
 * creates carries `app=forecast-guard` (listings filter on it) and
 * `isbn=<isbn>`; a version's own labels ride along. Vertex's label rules are
 * checked before any call, so a bad label is a ValidationError naming the
 * label, never a half-done registration.
 */
import { ValidationError } from '../../errors';
import { APP_LABEL_KEY, APP_LABEL_VALUE, ISBN_LABEL_KEY, RESERVED_LABEL_KEYS } from './vertex-names';

/** Vertex (like all of Google Cloud) allows at most 64 labels on a resource. */
export const MAX_LABELS = 64;
/** Keys: a lowercase letter first, then lowercase letters, digits, '_' and '-'; 63 at most. */
const LABEL_KEY = /^\p{Ll}[\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
/** Values: the same characters, any first one, 63 at most, empty allowed. */
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;

/**
 * The labels of a book's resources: the caller's `labels` plus `app` and
 * `isbn`. Throws one ValidationError naming every bad label
 * (`labels.Team: keys must …`), including the reserved keys.
 */
export function resourceLabels(isbn: string, labels: Record<string, string> = {}): Record<string, string> {
  const problems: string[] = [];
  const fields: string[] = [];
  const entries = Object.entries(labels);
  if (entries.length + RESERVED_LABEL_KEYS.length > MAX_LABELS) {
    problems.push(
      `labels: at most ${MAX_LABELS - RESERVED_LABEL_KEYS.length} labels (Vertex allows ${MAX_LABELS}, forecast-guard uses ${RESERVED_LABEL_KEYS.length}); got ${entries.length}`,
    );
    fields.push('labels');
  }
  for (const [key, value] of entries) {
    const field = `labels.${key}`;
    if (RESERVED_LABEL_KEYS.includes(key)) {
      problems.push(`${field}: "${key}" is set by forecast-guard itself; use another key`);
      fields.push(field);
    } else if (!LABEL_KEY.test(key)) {
      problems.push(
        `${field}: keys must start with a lowercase letter and hold only lowercase letters, digits, '_' and '-' (at most 63)`,
      );
      fields.push(field);
    } else if (typeof value !== 'string' || !LABEL_VALUE.test(value)) {
      problems.push(
        `${field}: values must hold only lowercase letters, digits, '_' and '-' (at most 63), got ${JSON.stringify(value)}`,
      );
      fields.push(field);
    }
  }
  if (problems.length > 0) throw new ValidationError(problems.join('; '), fields);
  return { ...labels, [ISBN_LABEL_KEY]: isbn, [APP_LABEL_KEY]: APP_LABEL_VALUE };
}

/** A resource's labels without the ones forecast-guard sets: what the caller registered. */
export function userLabels(labels: Record<string, string> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (!RESERVED_LABEL_KEYS.includes(key)) out[key] = value;
  }
  return out;
}
