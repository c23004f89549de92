/**
 * When to try a failed notification again: exponential backoff from 5 s,
 * doubling per attempt, capped at 15 min, and never sooner than the channel
 * asked (Slack's `Retry-After`). Deterministic, so tests can step a clock.
 */

export const RETRY_BASE_MS = 5_000;
/** The longest wait between two tries of one notification. */
export const RETRY_MAX_MS = 15 * 60_000;

/** Delay before attempt `attempts + 1`, after `attempts` failed ones (1 or more). */
export function retryDelayMs(attempts: number, retryAfterMs?: number): number {
  const n = Math.max(1, Math.floor(attempts));
  const exponential = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(n - 1, 20));
  return Math.max(exponential, Math.min(retryAfterMs ?? 0, RETRY_MAX_MS));
}
