/** The words every channel shares: tags, headline, footer, safe links, plain text. */
import {
  footer,
  headline,
  MAX_HEADLINE,
  oneLine,
  plainText,
  safeLinks,
  tagOf,
  truncate,
} from '../../../../shared/adapters/notify/render';
import { buildNotification } from '../../../helpers/notifier-contract';

describe('render', () => {
  test('tags by severity; a resolution is RESOLVED whatever its severity', () => {
    expect(tagOf({ severity: 'critical', kind: 'firing' })).toBe('CRITICAL');
    expect(tagOf({ severity: 'warning', kind: 'digest' })).toBe('WARNING');
    expect(tagOf({ severity: 'info', kind: 'test' })).toBe('INFO');
    expect(tagOf({ severity: 'critical', kind: 'resolved' })).toBe('RESOLVED');
  });

  test('headline marks escalations and repeats, and is one line of bounded length', () => {
    expect(headline({ severity: 'critical', kind: 'escalation', title: 't' })).toBe(
      '[CRITICAL][ESCALATED] t',
    );
    expect(headline({ severity: 'warning', kind: 'repeat', title: 't' })).toBe('[WARNING][REPEAT] t');
    expect(headline({ severity: 'info', kind: 'firing', title: 'a\r\nb\tc' })).toBe('[INFO] a b c');
    const long = headline({ severity: 'info', kind: 'firing', title: 'x'.repeat(500) });
    expect(Array.from(long)).toHaveLength(MAX_HEADLINE);
    expect(long.endsWith('…')).toBe(true);
  });

  test('footer carries the correlation id, the notification id and the kind', () => {
    expect(footer({ id: 'n-1', kind: 'firing', correlationId: 'c-1' })).toBe(
      'correlationId c-1 · notification n-1 (firing)',
    );
  });

  test('keeps only http(s) links, normalised, with the URL as label when the label is blank', () => {
    expect(
      safeLinks({
        links: [
          { label: 'ok', url: 'https://a.example/x' },
          { label: 'js', url: 'javascript:alert(1)' },
          { label: 'junk', url: 'not a url' },
          { label: ' ', url: 'http://b.example' },
        ],
      }),
    ).toEqual([
      { label: 'ok', url: 'https://a.example/x' },
      { label: 'http://b.example/', url: 'http://b.example/' },
    ]);
  });

  test('plain text: headline, lines, links, footer', () => {
    const n = buildNotification({ id: 'n', correlationId: 'c', title: 'T', lines: ['a', 'b'] });
    expect(plainText(n)).toBe(
      `[CRITICAL] T\n\na\nb\n\nRunbook: ${n.links![0]!.url}\n\ncorrelationId c · notification n (firing)`,
    );
  });

  test('oneLine and truncate never split an emoji or keep a line break', () => {
    expect(oneLine(' a\u2028b\u0000c  d ')).toBe('a b c d');
    expect(truncate('🔴🔴🔴', 2)).toBe('🔴…');
    expect(truncate('short', 10)).toBe('short');
  });
});
