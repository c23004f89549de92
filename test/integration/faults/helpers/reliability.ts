/**
 * The fault suite's verdict per case, printed and asserted in one place:
 * `FIGURE reliability <case>: messages=N notifications=N duplicates=0 lost=0
 * halfSwitched=0 …`. Every count is measured (Slack POSTs the recorder saw,
 * emails aiosmtpd wrote, messages published, books read back).
 */
import { reportFigure } from '../../../helpers/figures';
import type { RecordedRequest } from '../../../helpers/http-recorder';

export interface Reliability {
  /** Messages published (alerts, requests), redeliveries and republishes included. */
  messages: number;
  /** Notifications people received (Slack pages Slack accepted plus emails). */
  notifications: number;
  /** Notifications received more than once. */
  duplicates: number;
  /** Items that should have arrived (a page, an email, a report, a book's switch) and did not. */
  lost: number;
  /** Books whose production alias does not name the one version taking 100 % of traffic, or neither target nor backup. */
  halfSwitched: number;
  /** Further measured counts for the figure line (books, attempts, dead letters…). */
  extra?: Record<string, number | string>;
}

/** Prints the figure (with the wall time since `startedMs`, from performance.now()) and asserts the verdict. */
export function reportReliability(name: string, r: Reliability, startedMs: number): void {
  const extra = Object.entries(r.extra ?? {}).map(([k, v]) => `${k}=${v}`);
  reportFigure(
    'reliability',
    name,
    [
      `messages=${r.messages}`,
      `notifications=${r.notifications}`,
      `duplicates=${r.duplicates}`,
      `lost=${r.lost}`,
      `halfSwitched=${r.halfSwitched}`,
      ...extra,
      `wall=${((performance.now() - startedMs) / 1000).toFixed(1)}s`,
    ].join(' '),
  );
  expect({ duplicates: r.duplicates, lost: r.lost, halfSwitched: r.halfSwitched }).toEqual({
    duplicates: 0,
    lost: 0,
    halfSwitched: 0,
  });
}

/** The notification id a Slack message carries in its context block ("… notification <id> …"). */
export function slackNotificationId(request: RecordedRequest): string {
  const body = request.body as { blocks?: Array<{ type: string; elements?: Array<{ text: string }> }> };
  const context = body?.blocks?.find((b) => b.type === 'context')?.elements?.[0]?.text ?? '';
  return /notification (\S+)/.exec(context)?.[1] ?? '';
}

/** How many items of `keys` occur more than once (each extra occurrence counts). */
export function duplicatesIn(keys: readonly string[]): number {
  return keys.length - new Set(keys).size;
}
