/**
 * The report's two kinds of plot as inline SVG strings: a histogram with
 * vertical threshold lines, and rate curves over the candidate thresholds.
 * No script, no external asset: the report opens from a file or an email.
 */

export interface Marker {
  value: number;
  label: string;
  colour: string;
}

export interface Curve {
  label: string;
  colour: string;
  /** y per x, in 0..1; null where nothing was measured. */
  values: Array<number | null>;
  dashed?: boolean;
  /** Print each point's rate beside it (for a curve that stays near 0, like false alarms). */
  labelPoints?: boolean;
}

const W = 420;
const H = 200;
const PAD = { left: 40, right: 10, top: 14, bottom: 30 };

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const fmt = (v: number) => String(Number(v.toFixed(1)));

/** Histogram of `values` over [0, max] in `bins` bins, with the markers drawn as vertical lines. */
export function histogramSvg(
  title: string,
  values: readonly number[],
  markers: readonly Marker[],
  bins = 24,
): string {
  const finite = values.filter(Number.isFinite);
  const top = Math.max(1, ...finite, ...markers.map((m) => m.value)) * 1.05;
  const counts = new Array<number>(bins).fill(0);
  for (const v of finite) {
    const bin = Math.min(bins - 1, Math.max(0, Math.floor((v / top) * bins)));
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  const peak = Math.max(1, ...counts);
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const x = (v: number) => PAD.left + (v / top) * iw;
  const bars = counts
    .map((c, i) => {
      const h = (c / peak) * ih;
      return `<rect x="${fmt(PAD.left + (i * iw) / bins)}" y="${fmt(PAD.top + ih - h)}" width="${fmt(iw / bins - 1)}" height="${fmt(h)}" fill="#7a9cc6"><title>${c}</title></rect>`;
    })
    .join('');
  const lines = markers
    .map(
      (m, i) =>
        `<line x1="${fmt(x(m.value))}" x2="${fmt(x(m.value))}" y1="${PAD.top}" y2="${PAD.top + ih}" stroke="${m.colour}" stroke-width="1.5" stroke-dasharray="4 2"/>` +
        // Near the right edge the label goes left of its line, so it is not cut off.
        `<text x="${fmt(x(m.value) + (x(m.value) > W - 70 ? -2 : 2))}" y="${PAD.top + 10 + i * 11}" font-size="9" fill="${m.colour}"${x(m.value) > W - 70 ? ' text-anchor="end"' : ''}>${esc(m.label)}</text>`,
    )
    .join('');
  const axis = `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${PAD.top + ih}" y2="${PAD.top + ih}" stroke="#333"/>
<text x="${PAD.left}" y="${H - 10}" font-size="10">0</text><text x="${W - PAD.right - 30}" y="${H - 10}" font-size="10">${fmt(top)}</text>
<text x="2" y="${PAD.top + 8}" font-size="10">${peak}</text>`;
  return svgFrame(title, `${bars}${lines}${axis}`, finite.length);
}

/** Rate curves (0–100 %) over the candidate values. */
export function curvesSvg(title: string, xs: readonly number[], curves: readonly Curve[]): string {
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (xs.length <= 1 ? 0 : (i / (xs.length - 1)) * iw);
  const y = (r: number) => PAD.top + ih - r * ih;
  const paths = curves
    .map((c) => {
      const pts = c.values.flatMap((v, i) => (v === null ? [] : [`${fmt(x(i))},${fmt(y(v))}`]));
      const dash = c.dashed ? ' stroke-dasharray="5 3"' : '';
      const labels = c.labelPoints
        ? c.values
            .map((v, i) =>
              v === null
                ? ''
                : `<text x="${fmt(x(i) - 8)}" y="${fmt(y(v) - 4)}" font-size="8" fill="${c.colour}">${fmt(v * 100)}</text>`,
            )
            .join('')
        : '';
      return `<polyline points="${pts.join(' ')}" fill="none" stroke="${c.colour}" stroke-width="2"${dash}><title>${esc(c.label)}</title></polyline>${labels}`;
    })
    .join('');
  const ticks = xs
    .map((v, i) => `<text x="${fmt(x(i) - 6)}" y="${H - 14}" font-size="9">${fmt(v)}</text>`)
    .join('');
  const grid = [0, 0.5, 1]
    .map(
      (r) =>
        `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${fmt(y(r))}" y2="${fmt(y(r))}" stroke="#ddd"/><text x="4" y="${fmt(y(r) + 3)}" font-size="9">${r * 100} %</text>`,
    )
    .join('');
  const legend = curves
    .map(
      (c, i) =>
        `<text x="${PAD.left + 4 + (i % 2) * 190}" y="${H + 4 + Math.floor(i / 2) * 12}" font-size="9" fill="${c.colour}">■ ${esc(c.label)}</text>`,
    )
    .join('');
  return svgFrame(title, `${grid}${paths}${ticks}${legend}`, null, H + 4 + Math.ceil(curves.length / 2) * 12);
}

function svgFrame(title: string, body: string, n: number | null, height = H): string {
  const caption = n === null ? esc(title) : `${esc(title)} (n = ${n})`;
  return `<figure><svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}"><title>${esc(title)}</title>${body}</svg><figcaption>${caption}</figcaption></figure>`;
}
