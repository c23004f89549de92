/**
 * "Trends": the selected book's live RMSE and MAPE from every health check
 * (shared/services/history/book-trend.ts), with the weekly rollups' mean and
 * range before the points, the threshold lines (absolute, and relative to
 * each version's holdout baseline), and markers for rollbacks, deploys,
 * validations and version changes. GET /api/books/<isbn>/trend.
 */
import { parseIsbn13 } from '../../domain/isbn';
import { bookTrend } from '../../services/history';
import { HISTORY_CHART_SCRIPT } from './history-chart';
import type { Panel, PanelContext } from './panel';

export const historySettings = (context: PanelContext) => ({
  environment: context.ports.config.environment,
  thresholdOverrides: context.ports.config.thresholds.overrides,
});

const MARKUP = `<section id="trend-section">
  <h2>Trends <small id="trend-title"></small></h2>
  <p class="caption muted" id="trend-summary">Select a book to see its figures over time.</p>
  <p class="caption">Live RMSE (copies a week)</p>
  <div id="trend-rmse" class="trend-chart"></div>
  <p class="caption">Live MAPE (%)</p>
  <div id="trend-mape" class="trend-chart"></div>
  <div class="legend trend-legend">
    <span><span class="swatch" style="background:#0969da"></span>live figure per health check (dot colour: status)</span>
    <span><span class="swatch" style="background:#8250df"></span>weekly mean (rollup) and range</span>
    <span><span class="swatch" style="background:#cf222e"></span>absolute limit</span>
    <span><span class="swatch" style="background:#bc4c00"></span>limit over the version's baseline</span>
    <span><span class="swatch" style="background:#57606a"></span>markers: rollback, deploy, validation, version change</span>
  </div>
  <table id="trend-markers"><thead><tr><th>when</th><th>what</th><th>detail</th></tr></thead><tbody></tbody></table>
</section>`;

const STYLE = `
.trend-chart svg { width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; background: #fff; margin-bottom: 6px; }
.trend-legend { color: var(--muted); font-size: 12px; display: flex; gap: 16px; flex-wrap: wrap; margin: 4px 0 8px; }
`;

const SCRIPT = String.raw`
(function () {
${HISTORY_CHART_SCRIPT}
  var lastKey = '';
  var MARKER_COLOURS = { rollback: '#cf222e', deploy: '#0969da', validation: '#1a7f37', 'version-change': '#57606a' };
  function ms(iso) { return Date.parse(iso); }
  function weekMid(week) { return Date.parse(week + 'T00:00:00Z') + 3.5 * 86400000; }
  function metricChart(t, metric, unit, x0, x1) {
    var pts = t.points.filter(function (p) { return p[metric] !== undefined; });
    var weeks = t.weeks.filter(function (w) { return w[metric]; });
    var yMax = 0;
    pts.forEach(function (p) { yMax = Math.max(yMax, p[metric]); });
    weeks.forEach(function (w) { yMax = Math.max(yMax, w[metric].max); });
    var abs = metric === 'rmse' ? t.thresholds.rmseMax : t.thresholds.mapeMax;
    var relKey = metric === 'rmse' ? 'rmseSpike' : 'mapeIncrease';
    var steps = [];
    // The relative limit follows the version each point scored: one segment per run of one version.
    var segStart = 0;
    for (var i = 1; i <= t.points.length; i++) {
      var prev = t.points[i - 1];
      if (i < t.points.length && t.points[i].version === prev.version) continue;
      var lim = (t.versions[prev.version] || { limits: {} }).limits[relKey];
      if (lim !== null && lim !== undefined) {
        var end = i < t.points.length ? ms(t.points[i].at) : ms(prev.at);
        steps.push({ from: ms(t.points[segStart].at), to: end, y: lim, color: '#bc4c00', dash: '2 3',
          cls: 'limit-relative', title: 'v' + prev.version + ' limit ' + num(lim) + unit });
      }
      segStart = i;
    }
    // A limit far above the figures would flatten them: the scale takes in those within 3x of them.
    var dataMax = Math.max(yMax, 1);
    [abs].concat(steps.map(function (st) { return st.y; })).forEach(function (l) {
      if (l !== null && l <= dataMax * 3) yMax = Math.max(yMax, l);
    });
    yMax = yMax * 1.1;
    return timeChart({
      x0: x0, x1: x1, yMax: yMax, height: 200, label: metric.toUpperCase() + ' over time',
      lines: [
        { points: pts.map(function (p) { return [ms(p.at), p[metric]]; }), color: '#0969da', cls: 'trend-line' },
        { points: weeks.map(function (w) { return [weekMid(w.week), w[metric].mean]; }), color: '#8250df', dash: '5 3', cls: 'rollup-line' },
      ],
      bands: [{ upper: weeks.map(function (w) { return [weekMid(w.week), w[metric].max]; }),
        lower: weeks.map(function (w) { return [weekMid(w.week), w[metric].min]; }), color: '#8250df' }],
      hlines: [{ y: abs, color: '#cf222e', dash: '6 4', label: 'max ' + num(abs, 0) + unit, cls: 'limit-absolute' }],
      steps: steps,
      vlines: t.markers.map(function (m) {
        return { x: ms(m.at), color: MARKER_COLOURS[m.kind] || '#57606a', kind: m.kind, cls: 'trend-marker',
          label: (m.kind === 'version-change' ? '' : m.kind + ' ') + (m.to ? 'v' + m.to : ''), title: m.detail };
      }),
      dots: pts.map(function (p) {
        return { x: ms(p.at), y: p[metric], color: STATUS_COLOURS[p.status] || '#57606a', cls: 'trend-point', at: p.at,
          title: when(p.at) + ' v' + p.version + ' ' + p.status + ': ' + num(p[metric]) + unit };
      }),
    });
  }
  function drawTrend(t) {
    var times = t.points.map(function (p) { return ms(p.at); })
      .concat(t.weeks.map(function (w) { return weekMid(w.week); }))
      .concat(t.markers.map(function (m) { return ms(m.at); }));
    var last = t.points[t.points.length - 1];
    $('trend-title').textContent = t.isbn + ' · ' + t.points.length + ' health checks' +
      (t.weeks.length ? ', ' + t.weeks.length + ' older weeks' : '');
    $('trend-summary').textContent = last
      ? 'latest ' + when(last.at) + ': v' + last.version + ' ' + last.status + ', RMSE ' + num(last.rmse) +
        ', MAPE ' + num(last.mape) + ' %, bias ' + num(last.bias) + ' copies/week, PSI ' + num(last.psi, 2)
      : 'no health check has scored this book yet';
    ['rmse', 'mape'].forEach(function (metric) {
      var holder = $('trend-' + metric);
      holder.textContent = '';
      if (times.length === 0) return;
      var x0 = Math.min.apply(null, times), x1 = Math.max.apply(null, times);
      var pad = Math.max(60000, (x1 - x0) * 0.03);
      holder.appendChild(metricChart(t, metric, metric === 'mape' ? ' %' : '', x0 - pad, x1 + pad));
    });
    fill($('trend-markers').tBodies[0], t.markers.slice().reverse().map(function (m) {
      return el('tr', { 'data-kind': m.kind }, [el('td', {}, [when(m.at)]), el('td', {}, [m.kind]),
        el('td', { class: 'title' }, [m.detail])]);
    }), 'no rollback, deploy or version change in this period', 3);
  }
  onBook(function (isbn) {
    if (!isbn) return;
    getJson('/api/books/' + isbn + '/trend').then(function (t) {
      var key = JSON.stringify(t);
      if (key === lastKey) return;
      lastKey = key;
      drawTrend(t);
    }).catch(function (err) { $('trend-summary').textContent = String(err.message || err); });
  });
})();
`;

export const TRENDS_PANEL: Panel = {
  id: 'trend-section',
  markup: MARKUP,
  style: STYLE,
  script: SCRIPT,
  routes: [
    {
      path: /^\/api\/books\/([^/]+)\/trend$/,
      key: (m) => `trend:${parseIsbn13(decodeURIComponent(m[1] ?? ''))}`,
      read: (context, m) =>
        bookTrend({ isbn: decodeURIComponent(m[1] ?? '') }, context.ports, historySettings(context)),
    },
  ],
};
