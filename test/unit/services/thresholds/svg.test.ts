/** The report's plots: bars that count the values, lines where the markers are, text escaped. */
import { curvesSvg, esc, histogramSvg } from '../../../../shared/services/thresholds/svg';

describe('histogramSvg', () => {
  it('draws one bar per bin whose tooltips count every value, and a line per marker', () => {
    const svg = histogramSvg(
      'RMSE',
      [1, 2, 3, 50, 50, 99],
      [{ value: 80, label: 'asked 80', colour: '#777' }],
      10,
    );
    const counts = [...svg.matchAll(/<rect [^>]*><title>(\d+)<\/title><\/rect>/g)].map((m) => Number(m[1]));
    expect(counts).toHaveLength(10);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(6);
    expect(svg.match(/<line [^>]*stroke="#777"/g)).toHaveLength(1);
    expect(svg).toContain('asked 80');
    expect(svg).toContain('(n = 6)');
  });

  it('escapes text so a label cannot break the page', () => {
    expect(esc(`<b>"x" & 'y'</b>`)).toBe('&#60;b&#62;&#34;x&#34; &#38; &#39;y&#39;&#60;/b&#62;');
    expect(histogramSvg('<script>', [1], [])).not.toContain('<script>');
  });
});

describe('curvesSvg', () => {
  it('draws each curve through its measured points only', () => {
    const svg = curvesSvg(
      'rates',
      [5, 10, 15],
      [
        { label: 'false alarms', colour: '#000', values: [0.2, 0.1, 0] },
        { label: 'miss', colour: '#f00', values: [0, null, 0.5], dashed: true },
      ],
    );
    const lines = [...svg.matchAll(/<polyline points="([^"]*)"/g)].map((m) => (m[1] ?? '').split(' ').length);
    expect(lines).toEqual([3, 2]);
    expect(svg).toContain('stroke-dasharray="5 3"');
  });
});
