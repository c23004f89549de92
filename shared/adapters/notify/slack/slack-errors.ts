/**
 * Slack's answers as `NotifyDeliveryError`s, Alertmanager-style: 429, 408,
 * 5xx and no answer at all (refused, reset, timed out) are worth retrying;
 * every other 4xx (`invalid_payload`, `no_service`, `channel_is_archived`,
 * `action_prohibited`…) will be refused again and is not. A 429's
 * `Retry-After` is kept on the error as `retryAfterMs`.
 *
 * @slack/webhook's errors can hold the request (and so the webhook URL, the
 * secret): only status, Slack's short error code and a scrubbed copy of a
 * network error survive into the message and the cause.
 */
import { ErrorCode } from '@slack/webhook';
import { isErrorLike, NotifyDeliveryError, scrubSecrets, scrubbedCause, shortReply } from '../notify-error';

export interface SlackFailureContext {
  channel: string;
  /** The webhook URL and its path: scrubbed from anything kept. */
  secrets: readonly string[];
  /** The `Retry-After` header of the failed response, when there was one. */
  retryAfter?: string | null;
  timeoutMs: number;
  now: Date;
}

// What Slack's error codes mean for the person reading the alert log.
const HINTS: Record<string, string> = {
  invalid_payload: 'Slack refused the message',
  invalid_blocks: 'Slack refused the message blocks',
  invalid_blocks_format: 'Slack refused the message blocks',
  no_text: 'Slack refused the message',
  no_service: 'the webhook no longer exists',
  no_service_id: 'the webhook no longer exists',
  no_team: 'the webhook no longer exists',
  team_disabled: 'the workspace is disabled',
  invalid_token: 'the webhook is no longer valid',
  channel_is_archived: 'the channel is archived',
  channel_not_found: 'the channel no longer exists',
  action_prohibited: 'an admin has restricted posting',
  posting_to_general_channel_denied: 'posting to this channel is restricted',
};

/** True when Slack may accept the same POST later. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

/**
 * Milliseconds to wait from an HTTP `Retry-After` (seconds, or an HTTP
 * date relative to `now`); undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^[0-9]+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

/** The error to throw for whatever `IncomingWebhook.send` rejected with. */
export function translateSlackError(err: unknown, ctx: SlackFailureContext): NotifyDeliveryError {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === ErrorCode.HTTPError) {
    const { statusCode, body } = err as { statusCode: number; body?: unknown };
    const reply = typeof body === 'string' ? shortReply(scrubSecrets(body, ctx.secrets), 80) : '';
    const retryable = isRetryableStatus(statusCode);
    const retryAfterMs = retryable ? parseRetryAfter(ctx.retryAfter, ctx.now) : undefined;
    const hint = HINTS[reply] ?? (statusCode === 429 ? 'rate limited' : undefined);
    const said = [reply, hint].filter(Boolean).join(': ');
    const wait = retryAfterMs !== undefined ? ` after ${retryAfterMs} ms` : '';
    return new NotifyDeliveryError(
      `${ctx.channel}: Slack answered HTTP ${statusCode}${said ? ` (${said})` : ''}; ${retryable ? `retry${wait}` : 'not retrying'}`,
      ctx.channel,
      { retryable, status: statusCode, retryAfterMs },
    );
  }
  const original = code === ErrorCode.RequestError ? ((err as { original?: unknown }).original ?? err) : err;
  return new NotifyDeliveryError(
    `${ctx.channel}: could not reach Slack (${describeNetworkError(original, ctx)}); retry`,
    ctx.channel,
    { retryable: true, cause: scrubbedCause(original, ctx.secrets) },
  );
}

/** `timed out after 10000 ms`, `ECONNREFUSED`, or the scrubbed message of the innermost cause. */
function describeNetworkError(err: unknown, ctx: SlackFailureContext): string {
  // @slack/webhook wraps a non-Error rejection as `new Error(String(value))`, so the name may only survive in the message.
  if (isErrorLike(err) && (TIMEOUT.test(err.name) || TIMEOUT.test(err.message))) {
    return `timed out after ${ctx.timeoutMs} ms`;
  }
  let inner: unknown = err;
  // fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND) is in its cause.
  while (isErrorLike(inner) && isErrorLike(inner.cause)) inner = inner.cause;
  const innerCode = (inner as { code?: unknown } | null)?.code;
  if (typeof innerCode === 'string') return innerCode;
  return shortReply(scrubSecrets(isErrorLike(inner) ? inner.message : String(inner), ctx.secrets), 120);
}

const TIMEOUT = /^(?:TimeoutError|AbortError)\b|aborted due to timeout/;
