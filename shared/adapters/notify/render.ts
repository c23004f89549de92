/**
 * What every channel says about a notification, before its own markup: the
 * tag (`[CRITICAL]`, `[RESOLVED]`), the one-line headline used as Slack's
 * title and the email subject, the footer that carries the correlation id
 * (so a reader can paste it into one Cloud Logging query), and the links a
 * channel may render. Pure; channels escape the results for their medium.
 */
import type { Notification } from '../../ports/notifier';

/** Longest headline: a subject or Slack title longer than this is cut, the rest stays in the body. */
export const MAX_HEADLINE = 200;

/** `CRITICAL`, `WARNING`, `INFO`; a resolution is `RESOLVED` whatever its severity. */
export function tagOf(n: Pick<Notification, 'severity' | 'kind'>): string {
  if (n.kind === 'resolved') return 'RESOLVED';
  return n.severity.toUpperCase();
}

/**
 * `[CRITICAL] title`, `[RESOLVED] title`, `[CRITICAL][ESCALATED] title`,
 * `[WARNING][REPEAT] title`: one line, no control characters, at most
 * `MAX_HEADLINE` characters.
 */
export function headline(n: Pick<Notification, 'severity' | 'kind' | 'title'>): string {
  const extra = n.kind === 'escalation' ? '[ESCALATED]' : n.kind === 'repeat' ? '[REPEAT]' : '';
  return truncate(oneLine(`[${tagOf(n)}]${extra} ${n.title}`), MAX_HEADLINE);
}

/** The footer: `correlationId <id> · notification <id> (<kind>)`. */
export function footer(n: Pick<Notification, 'id' | 'kind' | 'correlationId'>): string {
  return `correlationId ${oneLine(n.correlationId)} · notification ${oneLine(n.id)} (${n.kind})`;
}

/** The links whose URL is http(s), normalised; anything else (`javascript:`, junk) is dropped. */
export function safeLinks(n: Pick<Notification, 'links'>): Array<{ label: string; url: string }> {
  const out: Array<{ label: string; url: string }> = [];
  for (const link of n.links ?? []) {
    try {
      const url = new URL(link.url);
      if (url.protocol === 'http:' || url.protocol === 'https:') {
        out.push({ label: oneLine(link.label) || url.href, url: url.href });
      }
    } catch {
      // Not a URL: dropped, the rest of the notification still goes out.
    }
  }
  return out;
}

/** A runbook as a channel shows it: `url` is a link when `linked`, else a repository-relative path printed as text. */
export interface ShownRunbook {
  label: string;
  url: string;
  linked: boolean;
}

/**
 * The notification's runbooks, labelled `Runbook <kind>`: an http(s) URL is
 * a link; a relative path (the default `docs/runbooks/<kind>.md`) is text;
 * any other scheme (`javascript:`) or junk is dropped.
 */
export function runbooksOf(n: Pick<Notification, 'runbooks'>): ShownRunbook[] {
  const out: ShownRunbook[] = [];
  for (const r of n.runbooks ?? []) {
    const label = `Runbook ${oneLine(r.kind)}`;
    const url = oneLine(r.url);
    if (url === '' || /\s/.test(url)) continue;
    if (/^https?:\/\//i.test(url)) {
      const http = safeLinks({ links: [{ label, url }] })[0];
      if (http) out.push({ ...http, linked: true });
    } else if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) {
      out.push({ label, url, linked: false });
    }
  }
  return out;
}

/**
 * The whole notification as plain text: headline, blank line, the lines,
 * the links as `label: url`, the runbooks as `Runbook <kind>: url`, then
 * the footer. The email text body and the
 * log line's message are built from this.
 */
export function plainText(n: Notification): string {
  const parts = [headline(n), '', ...n.lines];
  const links = safeLinks(n);
  if (links.length > 0) parts.push('', ...links.map((l) => `${l.label}: ${l.url}`));
  const runbooks = runbooksOf(n);
  if (runbooks.length > 0) parts.push('', ...runbooks.map((r) => `${r.label}: ${r.url}`));
  parts.push('', footer(n));
  return parts.join('\n');
}

/** Control characters (CR and LF included) become spaces, runs of spaces one: safe in a header or a title. */
export function oneLine(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** `text` cut to at most `max` characters, ending with `…` when cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  // By code point, so an emoji is never cut in half.
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}
