/**
 * The drift picture of the selected book: its last weeks of sales against
 * the training weeks before them, binned on the reference's quartiles, as
 * paired bars with each bin's share of the PSI, beside the drift finding
 * (PSI, chi-square against its critical value, the data hash). It is drawn
 * from `driftPicture` (shared/domain/health/drift.ts) with the options the
 * health check uses, so the bars add up to the PSI the check judged.
 *
 * GET /api/books/<isbn>/drift → DriftView.
 */
import { parseIsbn13 } from '../../domain/isbn';
import { DEFAULT_DRIFT_OPTIONS, driftPicture, type DriftPicture } from '../../domain/health/drift';
import { NotFoundError } from '../../errors';
import { PRODUCTION_ALIAS } from '../../ports/model-registry';
import { servingVersionOf, type ViewPorts } from '../views';
import type { Panel } from './panel';

export interface DriftView extends DriftPicture {
  version: string;
  trainedThrough: string;
}

/** The serving version's drift picture (the production alias when nothing serves). */
export async function driftView(ports: ViewPorts, isbnInput: string): Promise<DriftView> {
  const isbn = parseIsbn13(isbnInput);
  const [series, serving] = await Promise.all([ports.sales.getSeries(isbn), ports.serving.getServing(isbn)]);
  if (!series) throw new NotFoundError(`no sales for ISBN ${isbn}`);
  const version =
    servingVersionOf(serving?.deployments ?? []) ?? (await ports.registry.getAlias(isbn, PRODUCTION_ALIAS));
  if (!version) throw new NotFoundError(`no serving version for ISBN ${isbn}`);
  const meta = await ports.registry.getVersion(isbn, version);
  if (!meta) throw new NotFoundError(`version ${version} of ISBN ${isbn} is not in the registry`);
  const picture = driftPicture(
    { isbn, points: series.points, trainedThrough: meta.trainedThrough, dataHash: meta.dataHash },
    DEFAULT_DRIFT_OPTIONS,
  );
  return { ...picture, version, trainedThrough: meta.trainedThrough };
}

const MARKUP = `  <section id="drift-section">
    <h2>Data drift <small id="drift-title"></small></h2>
    <p class="muted caption">Recent weeks' sales against the training weeks before them, seasonally adjusted (copies a week with the time of year taken out) and binned on the training weeks' quartiles; the number over each pair is that bin's term of the PSI, and the terms add up to the PSI beside it.</p>
    <div class="drift-row">
      <div id="drift-svg"></div>
      <dl id="drift-finding"></dl>
    </div>
    <div class="legend">
      <span><span class="swatch" style="background:#8c959f"></span>training weeks (reference)</span>
      <span><span class="swatch" style="background:#bf8700"></span>recent weeks</span>
    </div>
  </section>`;

const STYLE = `
#drift-section .drift-row { display: flex; gap: 24px; align-items: flex-start; flex-wrap: wrap; }
#drift-svg { flex: 1 1 520px; }
#drift-svg svg { width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
#drift-finding { display: grid; grid-template-columns: auto auto; gap: 4px 12px; margin: 0; font-size: 13px; }
#drift-finding dt { color: var(--muted); }
#drift-finding dd { margin: 0; font-variant-numeric: tabular-nums; }
#drift-section .legend { color: var(--muted); font-size: 12px; display: flex; gap: 16px; margin-top: 4px; }
`;

const SCRIPT = String.raw`
(function () {
  var lastDrift = '';
  function copies(n) { return num(n, n < 10 ? 1 : 0); }
  function binLabel(b) {
    if (b.fromSales === null) return '< ' + copies(b.toSales) + ' a week';
    if (b.toSales === null) return '≥ ' + copies(b.fromSales) + ' a week';
    return copies(b.fromSales) + '–' + copies(b.toSales) + ' a week';
  }
  function drawBars(d) {
    var box = $('drift-svg');
    box.textContent = '';
    if (!d.bins) { box.appendChild(el('p', { class: 'muted' }, [d.note || 'no picture'])); return; }
    var W = 640, H = 260, L = 44, B = 40, T = 28;
    var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': 'drift histogram' });
    var top = Math.max.apply(null, d.bins.map(function (b) { return Math.max(b.referenceShare, b.recentShare); }).concat([0.5]));
    var slot = (W - L - 10) / d.bins.length;
    var y = function (v) { return H - B - (v / top) * (H - B - T); };
    [0, 0.25, 0.5, 0.75, 1].filter(function (v) { return v <= top; }).forEach(function (v) {
      root.appendChild(svg('line', { x1: L, x2: W - 10, y1: y(v), y2: y(v), stroke: '#eaeef2' }));
      var t = svg('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#57606a' });
      t.textContent = Math.round(v * 100) + ' %';
      root.appendChild(t);
    });
    d.bins.forEach(function (b, i) {
      var x0 = L + i * slot + slot * 0.15, w = slot * 0.34;
      var ref = svg('rect', { x: x0, y: y(b.referenceShare), width: w, height: H - B - y(b.referenceShare), fill: '#8c959f', class: 'bar-reference' });
      var rec = svg('rect', { x: x0 + w, y: y(b.recentShare), width: w, height: H - B - y(b.recentShare), fill: '#bf8700', class: 'bar-recent' });
      ref.appendChild(svg('title', {})).textContent = b.referenceCount + ' of ' + d.referenceWeeks + ' training weeks';
      rec.appendChild(svg('title', {})).textContent = b.recentCount + ' of ' + d.recentWeeks + ' recent weeks';
      root.appendChild(ref);
      root.appendChild(rec);
      // Red when one bin alone carries more than its even share of the threshold.
      var label = svg('text', { x: x0 + w, y: Math.min(y(b.referenceShare), y(b.recentShare)) - 6, 'text-anchor': 'middle', 'font-size': 12, class: 'bin-psi', fill: b.psi > d.psiThreshold / d.bins.length ? '#cf222e' : '#1f2328' });
      label.textContent = 'PSI ' + num(b.psi, 3);
      root.appendChild(label);
      var axis = svg('text', { x: x0 + w, y: H - B + 16, 'text-anchor': 'middle', 'font-size': 11, fill: '#57606a', class: 'bin-label' });
      axis.textContent = binLabel(b);
      root.appendChild(axis);
    });
    box.appendChild(root);
  }
  function row(dl, term, value, cls) {
    dl.appendChild(el('dt', {}, [term]));
    dl.appendChild(el('dd', cls ? { class: cls } : {}, [value]));
  }
  function drawFinding(d) {
    var dl = $('drift-finding');
    dl.textContent = '';
    row(dl, 'verdict', d.drifted ? 'drifted' : 'no drift', d.drifted ? 'over' : '');
    if (d.psi !== undefined) {
      row(dl, 'PSI', num(d.psi, 3) + ' (threshold ' + d.psiThreshold + ')', d.psi > d.psiThreshold ? 'over' : '');
      row(dl, 'chi-square', num(d.chiSquare, 2) + ' vs critical ' + num(d.critical, 2));
      row(dl, 'significant?', d.significant ? 'yes' : 'no');
      row(dl, 'recent weeks', d.recentWeeks + ' (' + d.recentFrom + ' to ' + d.recentTo + ')');
      row(dl, 'training weeks', String(d.referenceWeeks) + ' (to ' + d.trainedThrough + ')');
    } else {
      row(dl, 'PSI', d.note || 'not judged');
    }
    row(dl, 'data hash changed?', d.hashChanged ? 'yes' : 'no', d.hashChanged ? 'over' : '');
  }
  onBook(function (isbn) {
    if (!isbn) return;
    getJson('/api/books/' + encodeURIComponent(isbn) + '/drift').then(function (d) {
      var key = JSON.stringify(d);
      if (key === lastDrift) return;
      lastDrift = key;
      $('drift-title').textContent = d.isbn + ' v' + d.version;
      drawBars(d);
      drawFinding(d);
    }).catch(function (err) {
      lastDrift = '';
      $('drift-svg').textContent = String(err.message || err);
      $('drift-finding').textContent = '';
    });
  });
})();
`;

export const DRIFT_PANEL: Panel = {
  id: 'drift-section',
  markup: MARKUP,
  style: STYLE,
  script: SCRIPT,
  routes: [
    {
      path: /^\/api\/books\/([^/]+)\/drift$/,
      key: (m) => `drift:${parseIsbn13(decodeURIComponent(m[1] ?? ''))}`,
      read: (context, m) => driftView(context.ports, decodeURIComponent(m[1] ?? '')),
    },
  ],
};
