/**
 * "Version comparison": two versions of the selected book side by side
 * (shared/services/history/version-comparison.ts): their forecasts for the
 * same recent weeks beside the actual sales, and their figures (registry
 * holdout, on the shared weeks, and live from the health checks). Serving
 * against last-known-good (or the version before) unless the selects say
 * otherwise. GET /api/books/<isbn>/compare[?a=<version>&b=<version>].
 */
import { parseIsbn13 } from '../../domain/isbn';
import { NotFoundError, ValidationError } from '../../errors';
import { compareBookVersions } from '../../services/history';
import { HISTORY_CHART_SCRIPT } from './history-chart';
import type { Panel } from './panel';

const MARKUP = `<section id="compare-section">
  <h2>Version comparison <small id="compare-title"></small></h2>
  <p class="caption muted">
    <label>version <select id="compare-a"></select></label>
    against <label><select id="compare-b"></select></label>
    <span id="compare-note"></span>
  </p>
  <div id="compare-chart"></div>
  <div class="legend compare-legend">
    <span><span class="swatch" style="background:#1f2328"></span>actual weekly sales</span>
    <span><span class="swatch" style="background:#0969da"></span><span id="compare-a-label">first version</span></span>
    <span><span class="swatch" style="background:#1a7f37"></span><span id="compare-b-label">second version</span></span>
  </div>
  <table id="compare-table"><thead><tr><th>figure</th><th id="compare-head-a">–</th><th id="compare-head-b">–</th></tr></thead><tbody></tbody></table>
</section>`;

const STYLE = `
#compare-chart svg { width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
.compare-legend { color: var(--muted); font-size: 12px; display: flex; gap: 16px; flex-wrap: wrap; margin: 4px 0 8px; }
#compare-section select { font: inherit; }
`;

const SCRIPT = String.raw`
(function () {
${HISTORY_CHART_SCRIPT}
  var lastKey = '';
  var book = null;
  var chosen = { a: '', b: '' };
  function weekMs(w) { return Date.parse(w + 'T00:00:00Z'); }
  function options(select, versions, value) {
    select.textContent = '';
    versions.forEach(function (v) {
      var o = el('option', { value: v }, ['v' + v]);
      if (v === value) o.selected = true;
      select.appendChild(o);
    });
  }
  function row(label, a, b) { return el('tr', {}, [el('th', {}, [label]), el('td', { class: 'num' }, [a]), el('td', { class: 'num' }, [b])]); }
  function live(s) { return s.live.latest ? num(s.live.latest.rmse) + ' / ' + num(s.live.latest.mape) + ' % (' + s.live.latest.status + ')' : '–'; }
  function shared(s, k, unit) { return s.sharedWeeks ? num(s.sharedWeeks[k]) + unit : '–'; }
  function unavailable(c) {
    $('compare-title').textContent = c.isbn;
    $('compare-note').textContent = c.unavailable;
    ['compare-a', 'compare-b', 'compare-chart'].forEach(function (id) { $(id).textContent = ''; });
    $('compare-table').tBodies[0].textContent = '';
  }
  function draw(c) {
    if (c.unavailable) return unavailable(c);
    var a = c.sides[0], b = c.sides[1];
    $('compare-title').textContent = c.isbn + ': v' + a.version + ' (' + a.role + ') against v' + b.version + ' (' + b.role + ')';
    options($('compare-a'), c.registered, a.version);
    options($('compare-b'), c.registered, b.version);
    $('compare-a-label').textContent = 'v' + a.version + ' forecast (' + a.role + ')';
    $('compare-b-label').textContent = 'v' + b.version + ' forecast (' + b.role + ')';
    $('compare-head-a').textContent = 'v' + a.version;
    $('compare-head-b').textContent = 'v' + b.version;
    $('compare-note').textContent = [a, b].filter(function (s) { return s.forecastNote; })
      .map(function (s) { return 'v' + s.version + ': ' + s.forecastNote; }).join('; ');
    var xs = c.weeks.map(weekMs);
    var yMax = 1;
    [c.actual, a.forecast, b.forecast].forEach(function (vals) { vals.forEach(function (v) { if (v !== null) yMax = Math.max(yMax, v); }); });
    function series(vals) { return vals.map(function (v, i) { return v === null ? null : [xs[i], v]; }).filter(function (p) { return p; }); }
    var holder = $('compare-chart');
    holder.textContent = '';
    if (xs.length) {
      holder.appendChild(timeChart({ x0: xs[0], x1: xs[xs.length - 1], yMax: yMax * 1.08, height: 240, label: 'two versions against actual sales',
        lines: [
          { points: series(c.actual), color: '#1f2328', cls: 'compare-actual' },
          { points: series(a.forecast), color: '#0969da', cls: 'compare-a' },
          { points: series(b.forecast), color: '#1a7f37', dash: '6 4', cls: 'compare-b' },
        ] }));
    }
    var tbody = $('compare-table').tBodies[0];
    tbody.textContent = '';
    [
      row('picked as', a.role, b.role),
      row('trained through', a.trainedThrough || '–', b.trainedThrough || '–'),
      row('holdout RMSE / MAPE', a.holdout ? num(a.holdout.rmse) + ' / ' + num(a.holdout.mape) + ' %' : '–', b.holdout ? num(b.holdout.rmse) + ' / ' + num(b.holdout.mape) + ' %' : '–'),
      row('RMSE on the shared weeks', shared(a, 'rmse', ''), shared(b, 'rmse', '')),
      row('MAPE on the shared weeks', shared(a, 'mape', ' %'), shared(b, 'mape', ' %')),
      row('bias on the shared weeks', shared(a, 'bias', ''), shared(b, 'bias', '')),
      row('health checks that scored it', a.live.points, b.live.points),
      row('latest live RMSE / MAPE', live(a), live(b)),
      row('mean live RMSE / MAPE', num(a.live.meanRmse) + ' / ' + num(a.live.meanMape) + ' %', num(b.live.meanRmse) + ' / ' + num(b.live.meanMape) + ' %'),
    ].forEach(function (r) { tbody.appendChild(r); });
    tbody.rows[0].setAttribute('data-versions', a.version + ',' + b.version);
  }
  function load() {
    if (!book) return;
    var q = chosen.a && chosen.b ? '?a=' + encodeURIComponent(chosen.a) + '&b=' + encodeURIComponent(chosen.b) : '';
    getJson('/api/books/' + book + '/compare' + q).then(function (c) {
      var key = JSON.stringify(c);
      if (key === lastKey) return;
      lastKey = key;
      draw(c);
    }).catch(function (err) { $('compare-note').textContent = String(err.message || err); });
  }
  ['a', 'b'].forEach(function (side) {
    $('compare-' + side).addEventListener('change', function () {
      chosen.a = $('compare-a').value; chosen.b = $('compare-b').value; lastKey = ''; load();
    });
  });
  onBook(function (isbn) {
    if (isbn !== book) { book = isbn; chosen = { a: '', b: '' }; lastKey = ''; }
    load();
  });
})();
`;

const VERSION = /^[A-Za-z0-9._-]{1,64}$/;

function versionParam(url: URL, name: 'a' | 'b'): string | undefined {
  const v = url.searchParams.get(name);
  if (v === null || v === '') return undefined;
  if (!VERSION.test(v)) throw new ValidationError(`${name}: "${v.slice(0, 80)}" is not a version id`, [name]);
  return v;
}

export const VERSION_COMPARE_PANEL: Panel = {
  id: 'compare-section',
  markup: MARKUP,
  style: STYLE,
  script: SCRIPT,
  routes: [
    {
      path: /^\/api\/books\/([^/]+)\/compare$/,
      key: (m, url) =>
        `compare:${parseIsbn13(decodeURIComponent(m[1] ?? ''))}:${url.searchParams.get('a') ?? ''}:${url.searchParams.get('b') ?? ''}`,
      read: async (context, m, url) => {
        const a = versionParam(url, 'a');
        const b = versionParam(url, 'b');
        const isbn = decodeURIComponent(m[1] ?? '');
        try {
          return await compareBookVersions({ isbn, ...(a ? { a } : {}), ...(b ? { b } : {}) }, context.ports);
        } catch (err) {
          // A book with one version is not an error of the page's: it says so in the panel.
          if (err instanceof NotFoundError) return { isbn: parseIsbn13(isbn), unavailable: err.message };
          throw err;
        }
      },
    },
  ],
};
