/**
 * A notification as an email: subject `[CRITICAL] <title>`, a plain-text
 * body, a simple HTML body with every user-provided string escaped, and
 * headers that let a reader (or a mail filter) spot duplicates: the
 * `X-Forecast-Guard-Notification` id and a `Message-ID` derived from it,
 * so the same notification delivered twice threads as one message.
 */
import { createHash } from 'node:crypto';
import type { Notification } from '../../../ports/notifier';
import { footer, headline, oneLine, plainText, runbooksOf, safeLinks } from '../render';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: Record<string, string>;
}

/** Header naming the notification id. */
export const NOTIFICATION_HEADER = 'X-Forecast-Guard-Notification';
/** Header carrying the correlation id, for searching mailboxes and logs alike. */
export const CORRELATION_HEADER = 'X-Forecast-Guard-Correlation-Id';

const COLOUR: Record<string, string> = {
  critical: '#b00020',
  warning: '#b26a00',
  info: '#1a5fb4',
  resolved: '#2e7d32',
};

/** HTML's special characters as entities, for text and attribute values alike. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * `<fg.<32 hex>@<from domain>>`: the same notification id always gives the
 * same Message-ID; hashing keeps any character of the id out of the header.
 */
export function messageIdFor(notificationId: string, fromAddress: string): string {
  const digest = createHash('sha256').update(notificationId).digest('hex').slice(0, 32);
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(fromAddress)?.[1] ?? 'forecast-guard.invalid';
  return `<fg.${digest}@${domain}>`;
}

/** The email for `n`, sent from `fromAddress` (its domain goes into the Message-ID). */
export function renderEmail(n: Notification, fromAddress: string): RenderedEmail {
  return {
    subject: headline(n),
    text: plainText(n),
    html: renderHtml(n),
    messageId: messageIdFor(n.id, fromAddress),
    headers: {
      [NOTIFICATION_HEADER]: oneLine(n.id),
      [CORRELATION_HEADER]: oneLine(n.correlationId),
    },
  };
}

function renderHtml(n: Notification): string {
  const colour = COLOUR[n.kind === 'resolved' ? 'resolved' : n.severity] ?? '#000000';
  const lines = n.lines.map((line) => (line.trim() === '' ? '<br>' : `<div>${escapeHtml(line)}</div>`));
  const links = safeLinks(n).map((l) => `<li><a href="${escapeHtml(l.url)}">${escapeHtml(l.label)}</a></li>`);
  for (const r of runbooksOf(n)) {
    links.push(
      r.linked
        ? `<li><a href="${escapeHtml(r.url)}">${escapeHtml(r.label)}</a></li>`
        : `<li>${escapeHtml(r.label)}: <code>${escapeHtml(r.url)}</code></li>`,
    );
  }
  return [
    '<!doctype html>',
    '<html><body style="font-family: sans-serif; font-size: 14px;">',
    `<h2 style="color: ${colour}; font-size: 18px;">${escapeHtml(headline(n))}</h2>`,
    ...lines,
    ...(links.length > 0 ? ['<ul>', ...links, '</ul>'] : []),
    `<p style="color: #666666; font-size: 12px;">${escapeHtml(footer(n))}</p>`,
    '</body></html>',
  ].join('\n');
}
