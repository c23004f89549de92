/** The Slack message, built without a server: escaping, emoji, limits. */
import {
  emojiOf,
  escapeSlack,
  renderSlackMessage,
  unescapeSlack,
} from '../../../../../shared/adapters/notify/slack/slack-render';
import { buildNotification } from '../../../../helpers/notifier-contract';

describe('slack render', () => {
  test('escapes exactly Slack’s three control characters, and unescaping is its inverse', () => {
    const hostile = '<!channel> <@U1> <https://evil|x> & *bold*';
    expect(escapeSlack(hostile)).toBe('&lt;!channel&gt; &lt;@U1&gt; &lt;https://evil|x&gt; &amp; *bold*');
    expect(unescapeSlack(escapeSlack(hostile))).toBe(hostile);
    expect(unescapeSlack(escapeSlack('&lt; already'))).toBe('&lt; already');
  });

  test('emoji by severity, with resolution and escalation their own', () => {
    expect(emojiOf({ severity: 'critical', kind: 'firing' })).toBe(':red_circle:');
    expect(emojiOf({ severity: 'warning', kind: 'firing' })).toBe(':warning:');
    expect(emojiOf({ severity: 'info', kind: 'digest' })).toBe(':information_source:');
    expect(emojiOf({ severity: 'critical', kind: 'resolved' })).toBe(':white_check_mark:');
    expect(emojiOf({ severity: 'critical', kind: 'escalation' })).toBe(':rotating_light:');
  });

  test('no lines and no links: title and context only; blank lines never make an empty section', () => {
    const bare = renderSlackMessage(buildNotification({ lines: [], links: undefined }));
    expect(bare.blocks.map((b) => b.type)).toEqual(['section', 'context']);
    const blank = renderSlackMessage(buildNotification({ lines: ['', '  '], links: [] }));
    expect(blank.blocks.map((b) => b.type)).toEqual(['section', 'context']);
  });

  test('packs lines into sections of at most 3000 characters, in order', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `${i}`.padStart(4, '0') + 'y'.repeat(96));
    const message = renderSlackMessage(buildNotification({ lines, links: [] }));
    const sections = message.blocks.slice(1, -1).map((b) => (b as { text: { text: string } }).text.text);
    expect(sections.length).toBeGreaterThan(1);
    for (const s of sections) expect(s.length).toBeLessThanOrEqual(3000);
    expect(sections.join('\n')).toBe(lines.join('\n'));
  });
});
