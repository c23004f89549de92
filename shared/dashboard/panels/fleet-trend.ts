/**
 * "Fleet over time": books per status in each whole-fleet health check
 * (stacked bars), and the worst movers between the oldest and newest of those
 * runs (shared/services/history/fleet-trend.ts). Asked again only when a new
 * health check has finished. GET /api/fleet/trend[?runs=N].
 */
import { ValidationError } from '../../errors';
import { fleetTrend } from '../../services/history';
import type { Panel } from './panel';

const MARKUP = `<section id="fleet-trend-section">
  <h2>Fleet over time <small id="fleet-trend-title"></small></h2>
  <div id="fleet-trend-chart"></div>
  <div class="legend fleet-trend-legend">
    <span><span class="swatch" style="background:#1a7f37"></span>healthy</span>
    <span><span class="swatch" style="background:#9a6700"></span>degraded</span>
    <span><span class="swatch" style="background:#cf222e"></span>unhealthy</span>
  </div>
  <h2>Worst movers <small id="movers-window"></small></h2>
  <table id="movers"><thead><tr><th>ISBN</th><th>title</th><th>version</th><th>MAPE</th><th>rise</th><th>RMSE</th><th>rise</th></tr></thead><tbody></tbody></table>
</section>`;

const STYLE = `
#fleet-trend-chart svg { width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
.fleet-trend-legend { color: var(--muted); font-size: 12px; display: flex; gap: 16px; flex-wrap: wrap; margin: 4px 0 8px; }
`;

const SCRIPT = String.raw`
(function () {
  var lastRun = null;
  var titles = {};
  var ORDER = ['healthy', 'degraded', 'unhealthy'];
  var COLOURS = { healthy: '#1a7f37', degraded: '#9a6700', unhealthy: '#cf222e' };
  function bars(runs) {
    var W = 960, H = 200, L = 40, R = 12, T = 10, B = 26;
    var max = 1;
    runs.forEach(function (r) { var n = 0; ORDER.forEach(function (s) { n += r.counts[s] || 0; }); max = Math.max(max, n); });
    var slot = (W - L - R) / Math.max(1, runs.length);
    var y = function (v) { return T + (1 - v / max) * (H - T - B); };
    var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': 'books per status over time' });
    [0, max / 2, max].forEach(function (v) {
      root.appendChild(svg('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: '#eaeef2' }));
      var t = svg('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#57606a' });
      t.textContent = Math.round(v);
      root.appendChild(t);
    });
    runs.forEach(function (r, i) {
      var base = 0;
      var x = L + i * slot + slot * 0.15;
      ORDER.forEach(function (s) {
        var n = r.counts[s] || 0;
        if (!n) return;
        var rect = svg('rect', { x: x, width: Math.max(1, slot * 0.7), y: y(base + n), height: y(base) - y(base + n),
          fill: COLOURS[s], class: 'fleet-bar', 'data-status': s, 'data-run': r.runId });
        var tt = svg('title', {}); tt.textContent = when(r.at) + ': ' + n + ' ' + s + (r.approximate ? ' (from a trimmed report)' : '');
        rect.appendChild(tt);
        root.appendChild(rect);
        base += n;
      });
      if (i % Math.max(1, Math.ceil(runs.length / 6)) === 0) {
        var lab = svg('text', { x: x + slot * 0.35, y: H - 8, 'text-anchor': 'middle', 'font-size': 11, fill: '#57606a' });
        lab.textContent = when(r.at).slice(5, 16);
        root.appendChild(lab);
      }
    });
    return root;
  }
  function draw(t) {
    $('fleet-trend-title').textContent = t.runs.length + ' whole-fleet health checks';
    var holder = $('fleet-trend-chart');
    holder.textContent = '';
    if (t.runs.length) holder.appendChild(bars(t.runs));
    $('movers-window').textContent = t.moversWindow ? when(t.moversWindow.from) + ' → ' + when(t.moversWindow.to) : '';
    fill($('movers').tBodies[0], t.movers.map(function (m) {
      return el('tr', { 'data-isbn': m.isbn }, [
        el('td', {}, [el('code', {}, [m.isbn])]),
        el('td', { class: 'title' }, [titles[m.isbn] || '']),
        el('td', {}, [m.fromVersion === m.toVersion ? 'v' + m.toVersion : 'v' + m.fromVersion + ' → v' + m.toVersion]),
        el('td', { class: 'num' }, [num(m.mapeBefore) + ' → ' + num(m.mapeAfter) + ' %']),
        el('td', { class: 'num' + (m.mapeRise > 0 ? ' over' : '') }, [(m.mapeRise > 0 ? '+' : '') + num(m.mapeRise) + ' pp']),
        el('td', { class: 'num' }, [num(m.rmseBefore) + ' → ' + num(m.rmseAfter)]),
        el('td', { class: 'num' }, [m.rmseRisePct === null ? '–' : (m.rmseRisePct > 0 ? '+' : '') + num(m.rmseRisePct, 0) + ' %']),
      ]);
    }), t.runs.length < 2 ? 'needs two whole-fleet health checks' : 'no book got worse', 7);
  }
  onFleet(function (fleet) {
    fleet.books.forEach(function (b) { titles[b.isbn] = b.title; });
    var run = fleet.lastHealthCheck ? fleet.lastHealthCheck.runId : '';
    if (run === lastRun) return;
    lastRun = run;
    getJson('/api/fleet/trend').then(draw).catch(function (err) {
      lastRun = null;
      $('fleet-trend-title').textContent = String(err.message || err);
    });
  });
})();
`;

function runsParam(url: URL): number | undefined {
  const raw = url.searchParams.get('runs');
  if (raw === null || raw === '') return undefined;
  if (!/^\d{1,4}$/.test(raw))
    throw new ValidationError(`runs: "${raw.slice(0, 40)}" is not a whole number`, ['runs']);
  return Number(raw);
}

export const FLEET_TREND_PANEL: Panel = {
  id: 'fleet-trend-section',
  markup: MARKUP,
  style: STYLE,
  script: SCRIPT,
  routes: [
    {
      path: /^\/api\/fleet\/trend$/,
      key: (_m, url) => `fleet-trend:${url.searchParams.get('runs') ?? ''}`,
      read: (context, _m, url) => {
        const runs = runsParam(url);
        return fleetTrend(runs === undefined ? {} : { runs }, context.ports);
      },
    },
  ],
};
