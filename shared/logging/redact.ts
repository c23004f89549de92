/**
 * Keeps secrets out of logs. Two nets, because either alone leaks: fields
 * whose key names a secret (`slackWebhookUrl`, `authorization`) are replaced
 * whatever their value, and strings anywhere (messages, stacks, nested values)
 * are scrubbed of things that are secrets by their shape — Slack webhook URLs,
 * passwords inside URLs, bearer tokens — and of exact secret values the
 * caller names (the rollback token from config).
 */

/** What a redacted value becomes. */
export const REDACTED = '***';

const SECRET_KEY = /token|passw(?:or)?d|secret|webhook|authori[sz]ation|api[-_]?key|cookie|credential/i;

// Slack's incoming-webhook URLs are the credential: anyone holding one can post.
const SLACK_HOOK = /https?:\/\/hooks\.slack\.com\/[^\s"'<>]*/gi;
// scheme://user:password@host — keep the user (useful when debugging), drop the password.
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/"'<>]*):[^\s@/"'<>]*@/gi;
const AUTH_HEADER_VALUE = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;

/** Exact secret values shorter than this are not scrubbed by value: a short "secret" would mangle ordinary words. */
export const MIN_SCRUBBED_SECRET_LENGTH = 6;

/** True when a field with this key holds a secret (token, password, secret, webhook, authorization, api key, cookie, credential). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** The string with secret-shaped substrings and the given secret values replaced by `***`. */
export function redactString(text: string, secrets: readonly string[] = []): string {
  let out = text
    .replace(SLACK_HOOK, `https://hooks.slack.com/${REDACTED}`)
    .replace(URL_PASSWORD, `$1:${REDACTED}@`)
    .replace(AUTH_HEADER_VALUE, `$1 ${REDACTED}`);
  for (const secret of secrets) {
    if (secret.length >= MIN_SCRUBBED_SECRET_LENGTH) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/**
 * A URL without its password (the user name stays). Values that do not parse
 * as URLs go through `redactString` instead, so nothing secret survives.
 */
export function stripUrlPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.password) return url;
    parsed.password = '';
    return parsed.toString();
  } catch {
    return redactString(url);
  }
}

const MAX_DEPTH = 10;

/**
 * A JSON-safe deep copy of `value` with secrets redacted: secret-named keys
 * become `***`, strings are scrubbed, Dates become ISO strings, bigints
 * strings, Buffers a length note, cycles `[Circular]`, functions dropped.
 */
export function redactValue(value: unknown, secrets: readonly string[] = []): unknown {
  return copy(value, secrets, new WeakSet<object>(), 0);
}

function copy(value: unknown, secrets: readonly string[], seen: WeakSet<object>, depth: number): unknown {
  if (typeof value === 'string') return redactString(value, secrets);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value === null || typeof value !== 'object') {
    return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (Buffer.isBuffer(value)) return `[Buffer ${value.length} bytes]`;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => copy(v, secrets, seen, depth + 1) ?? null);
    const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const key = String(k);
      const copied =
        isSecretKey(key) && v !== undefined && v !== null ? REDACTED : copy(v, secrets, seen, depth + 1);
      if (copied !== undefined) out[key] = copied;
    }
    return out;
  } finally {
    // Only cycles are circular; the same object twice side by side is fine.
    seen.delete(value);
  }
}
