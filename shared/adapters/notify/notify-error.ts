/**
 * The error every notifier throws when a delivery fails. Like Alertmanager's
 * notifiers, each failure carries whether retrying could help; the dispatch
 * stage decides retry from `retryable` alone and, for Slack's rate limit,
 * waits `retryAfterMs` first. Messages never hold a secret (webhook URL,
 * SMTP password): they are built from status codes and scrubbed replies,
 * and the cause is a scrubbed copy, never the SDK's own error object.
 */
import { BackendUnavailableError } from '../../errors';
import { redactString } from '../../logging/redact';

export interface NotifyDeliveryErrorOptions {
  retryable: boolean;
  /** HTTP status (Slack) or SMTP reply code (email) the peer answered, when it answered. */
  status?: number;
  /** How long the peer asked us to wait before trying again (HTTP `Retry-After`). */
  retryAfterMs?: number;
  cause?: unknown;
}

/** A notification that did not reach its channel; `channel` is the notifier's name (`slack`, `email`). */
export class NotifyDeliveryError extends BackendUnavailableError {
  readonly channel: string;
  readonly status?: number;
  readonly retryAfterMs?: number;
  constructor(message: string, channel: string, options: NotifyDeliveryErrorOptions) {
    super(message, channel, { retryable: options.retryable, cause: options.cause });
    this.channel = channel;
    if (options.status !== undefined) this.status = options.status;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

// Shorter values are not scrubbed by value: a two-letter "password" would mangle every word.
const MIN_SECRET_LENGTH = 3;

/** `text` with secret shapes (`redactString`) and every given secret value replaced by `***`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = redactString(text);
  // Longest first, so a secret that contains another is removed whole.
  const sorted = secrets.filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  for (const secret of sorted) out = out.split(secret).join('***');
  return out;
}

/**
 * A copy of an SDK error that is safe to keep as `cause` and to log: name,
 * scrubbed message, and the diagnostic codes (`code`, `responseCode`,
 * `errno`, `syscall`), following the cause chain a few levels. SDK errors
 * may carry the request (URL, headers) or the connection options, so the
 * original object is never kept.
 */
export function scrubbedCause(err: unknown, secrets: readonly string[], depth = 0): Error {
  if (!isErrorLike(err)) return new Error(scrubSecrets(String(err), secrets));
  const copy = new Error(scrubSecrets(err.message, secrets));
  copy.name = err.name;
  copy.stack = `${copy.name}: ${copy.message}`;
  const fields = copy as unknown as Record<string, unknown>;
  for (const key of ['code', 'responseCode', 'errno', 'syscall', 'command', 'statusCode']) {
    const value = (err as unknown as Record<string, unknown>)[key];
    if (typeof value === 'string') fields[key] = scrubSecrets(value, secrets);
    else if (typeof value === 'number') fields[key] = value;
  }
  if (err.cause !== undefined && depth < 3) copy.cause = scrubbedCause(err.cause, secrets, depth + 1);
  return copy;
}

/**
 * True for anything shaped like an Error. `instanceof Error` is not enough:
 * fetch's errors (and a DOMException timeout) may come from another realm
 * (a jest sandbox, a worker) and fail it while being errors all the same.
 */
export function isErrorLike(value: unknown): value is Error {
  return (
    value instanceof Error ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as { name?: unknown }).name === 'string' &&
      typeof (value as { message?: unknown }).message === 'string')
  );
}

/** The first line of `text`, whitespace collapsed, at most `max` characters: a peer's reply fit for a message. */
export function shortReply(text: string, max = 160): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
