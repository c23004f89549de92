/**
 * A notification as a Slack message: top-level `text` (what the phone
 * notification shows) and Block Kit `blocks` (title with a severity emoji,
 * the lines, links, and a context block with the correlation id).
 *
 * Every user-provided string goes through `escapeSlack`: Slack reads `<…>`
 * as a mention or a link, so an ISBN or summary holding `<!channel>` would
 * page a whole channel and `<https://evil|click>` would plant a link.
 * Escaping `&`, `<`, `>` is exactly what Slack asks for; `*` and `_` only
 * change emphasis and are left alone.
 */
import type { IncomingWebhookSendArguments } from '@slack/webhook';
import type { Notification } from '../../../ports/notifier';
import { footer, headline, runbooksOf, safeLinks, truncate } from '../render';

/** What one POST to an incoming webhook carries. */
export type SlackMessage = Required<Pick<IncomingWebhookSendArguments, 'text' | 'blocks'>>;

// Slack's limits: 3000 characters per section text, 50 blocks per message.
const SECTION_LIMIT = 3000;
const MAX_LINE_SECTIONS = 40;

const EMOJI: Record<Notification['severity'], string> = {
  critical: ':red_circle:',
  warning: ':warning:',
  info: ':information_source:',
};

/** Slack's control characters as entities: `&` → `&amp;`, `<` → `&lt;`, `>` → `&gt;`. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The inverse of `escapeSlack`: the text as a Slack reader sees it. */
export function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The emoji shortcode in front of the title: a check mark for a resolution, a siren for an escalation. */
export function emojiOf(n: Pick<Notification, 'severity' | 'kind'>): string {
  if (n.kind === 'resolved') return ':white_check_mark:';
  if (n.kind === 'escalation') return ':rotating_light:';
  return EMOJI[n.severity];
}

/** The Block Kit message for `n`; every user-provided string escaped. */
export function renderSlackMessage(n: Notification): SlackMessage {
  const title = `${emojiOf(n)} ${escapeSlack(headline(n))}`;
  const blocks: SlackMessage['blocks'] = [{ type: 'section', text: { type: 'mrkdwn', text: `*${title}*` } }];
  for (const text of lineSections(n.lines)) blocks.push({ type: 'section', text: { type: 'mrkdwn', text } });
  const links = safeLinks(n).map((l) => `<${slackUrl(l.url)}|${escapeSlack(l.label)}>`);
  if (links.length > 0) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(links.join(' · '), SECTION_LIMIT) },
    });
  }
  const runbooks = runbooksOf(n).map((r) =>
    r.linked
      ? `<${slackUrl(r.url)}|${escapeSlack(r.label)}>`
      : `${escapeSlack(r.label)}: \`${escapeSlack(r.url)}\``,
  );
  if (runbooks.length > 0) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(runbooks.join(' · '), SECTION_LIMIT) },
    });
  }
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: truncate(escapeSlack(footer(n)), SECTION_LIMIT) }],
  });
  return { text: title, blocks };
}

/** The lines, escaped, packed into as few sections as fit; past the block budget the rest is summarised. */
function lineSections(lines: readonly string[]): string[] {
  const sections: string[] = [];
  let current = '';
  for (let i = 0; i < lines.length; i++) {
    const line = truncate(escapeSlack(lines[i]!), SECTION_LIMIT);
    if (current !== '' && current.length + 1 + line.length > SECTION_LIMIT) {
      sections.push(current);
      current = '';
      if (sections.length === MAX_LINE_SECTIONS) {
        sections.push(`_… ${lines.length - i} more lines not shown_`);
        return sections;
      }
    }
    current = current === '' ? line : `${current}\n${line}`;
  }
  if (current !== '') sections.push(current);
  // Slack refuses a section whose text is blank (`invalid_blocks`).
  return sections.filter((text) => text.trim() !== '');
}

/** A URL fit for `<url|label>`: `|` and `>` would end it early, and `&` must be an entity like everywhere else. */
function slackUrl(url: string): string {
  return escapeSlack(url).replace(/\|/g, '%7C');
}
