/**
 * The cost panel: what serving the fleet costs a month from the price table
 * (the fleet total, the dominant cost in plain words, the costliest books),
 * forecast-guard's own cost from its counters, and the recommendations with
 * their savings. The same report as `forecast-guard cost --json`
 * (shared/services/cost), read with the settings the dashboard was given.
 *
 * GET /api/cost → CostReport (the top books only: `books` holds the 10 costliest, `bookCount` all).
 */
import { estimateServingCost, type CostReport } from '../../services/cost';
import type { PanelContext } from './panel';
import type { Panel } from './panel';

/** Books listed on the panel, costliest first; `cost --json` has them all. */
const TOP_BOOKS = 10;

export type CostView = CostReport & { bookCount: number };

/** What the panel shows where no price table stands behind the dashboard (not an error: nothing to estimate). */
export interface NoCostView {
  unavailable: string;
}

export async function costView(context: PanelContext): Promise<CostView | NoCostView> {
  const settings = context.ports.costSettings?.();
  // A dashboard built without cost settings (a test's, a tool's) has nothing to price; the
  // panel says so instead of the page logging a failed request every 30 s.
  if (!settings) return { unavailable: 'no price table behind this dashboard: cost is not estimated' };
  const { serving, state, clock, costBilling } = context.ports;
  const ports = { serving, state, clock, ...(costBilling ? { billing: costBilling } : {}) };
  const report = await estimateServingCost({}, ports, settings);
  const books = [...report.books].sort((a, b) => b.monthly - a.monthly || a.isbn.localeCompare(b.isbn));
  return { ...report, books: books.slice(0, TOP_BOOKS), bookCount: report.books.length };
}

const MARKUP = `  <section id="cost-section">
    <h2>Cost <small id="cost-as-of"></small></h2>
    <p class="muted caption">An estimate from the serving state and the price table (list prices, not the bill): each deployed version bills its replicas all month whether or not it is asked for a forecast.</p>
    <div class="cost-totals">
      <div><span class="muted">serving, a month</span><strong id="cost-total">–</strong></div>
      <div><span class="muted">forecast-guard itself</span><strong id="cost-own">–</strong></div>
      <div><span class="muted">idle versions</span><strong id="cost-idle">–</strong></div>
    </div>
    <p id="cost-dominant"></p>
    <p id="cost-actual" class="muted"></p>
    <h3>Recommendations <small class="muted">each on its own, not cumulative</small></h3>
    <table id="cost-recommendations">
      <thead><tr><th>Action</th><th>Books</th><th>Saving a month</th><th>After</th><th>Why</th></tr></thead>
      <tbody></tbody>
    </table>
    <h3>Costliest books <small class="muted" id="cost-book-count"></small></h3>
    <table id="cost-books">
      <thead><tr><th>ISBN</th><th>Deployed</th><th>Machine</th><th>Replicas</th><th>A month</th><th>Idle</th></tr></thead>
      <tbody></tbody>
    </table>
    <p class="muted caption" id="cost-own-detail"></p>
    <p class="muted caption" id="cost-prices"></p>
  </section>`;

const STYLE = `
#cost-section .cost-totals { display: flex; gap: 32px; flex-wrap: wrap; margin: 8px 0; }
#cost-section .cost-totals div { display: flex; flex-direction: column; }
#cost-section .cost-totals strong { font-size: 22px; font-variant-numeric: tabular-nums; }
#cost-section h3 { font-size: 14px; margin: 14px 0 6px; }
#cost-dominant { font-weight: 600; }
#cost-recommendations td:last-child { white-space: normal; max-width: 640px; }
`;

const SCRIPT = String.raw`
(function () {
  // The estimate moves only when a deployment changes or counters grow: every 30 s is plenty.
  var COST_EVERY_MS = 30000;
  var lastCostAt = 0;
  var lastCost = '';
  function money(n, c, digits) { return num(n, digits === undefined ? 2 : digits) + ' ' + c; }
  function drawCost(r) {
    var c = r.currency;
    $('cost-as-of').textContent = r.region + ', ' + r.hoursPerMonth + ' h a month';
    $('cost-total').textContent = money(r.total, c);
    $('cost-own').textContent = r.operations.priced ? money(r.operations.monthly, c, 4) : 'not priced';
    $('cost-idle').textContent = money(r.idleTotal, c);
    $('cost-dominant').textContent = 'Dominant cost: ' + r.dominant;
    fill($('cost-recommendations').querySelector('tbody'), r.recommendations.map(function (x) {
      var digits = x.action === 'check-frequency' ? 4 : 2;
      return el('tr', { 'data-action': x.action }, [
        el('td', {}, [el('code', {}, [x.action])]),
        el('td', { class: 'num' }, [String(x.books.length || '–')]),
        el('td', { class: 'num' }, [money(x.monthlySaving, c, digits)]),
        el('td', { class: 'num' }, [money(x.monthlyAfter, c, digits)]),
        el('td', {}, [x.detail]),
      ]);
    }), 'nothing to recommend', 5);
    $('cost-book-count').textContent = 'top ' + r.books.length + ' of ' + r.bookCount;
    fill($('cost-books').querySelector('tbody'), r.books.map(function (b) {
      var replicas = b.deployments.reduce(function (n, d) { return n + d.replicas; }, 0);
      var machines = b.deployments.map(function (d) { return d.machineType; }).filter(function (m, i, a) { return a.indexOf(m) === i; });
      var idle = b.deployments.filter(function (d) { return d.idle; }).map(function (d) { return 'v' + d.version + ' ' + d.idleDays + ' d'; });
      return el('tr', { 'data-isbn': b.isbn }, [
        el('td', {}, [el('code', {}, [b.isbn])]),
        el('td', {}, [b.deployments.map(function (d) { return 'v' + d.version + '@' + d.trafficPercent + '%'; }).join(' ') || '–']),
        el('td', {}, [machines.join(', ') || '–']),
        el('td', { class: 'num' }, [String(replicas)]),
        el('td', { class: 'num' }, [money(b.monthly, c)]),
        el('td', {}, [idle.length ? idle.join(', ') + ' (' + money(b.idleMonthly, c) + ')' : '']),
      ]);
    }), 'nothing is deployed', 6);
    var ops = r.operations;
    var f = r.checkFrequency;
    $('cost-own-detail').textContent = ops.priced
      ? 'Forecast-guard itself, from ' + ops.windowDays + ' days of its counters: ' +
        ops.lines.map(function (l) { return l.item + ' ' + money(l.monthly, c, 4); }).join(', ') + '.' +
        (f ? ' Health check ' + money(f.perRun, c, 6) + ' a run: hourly ' + money(f.hourly, c, 4) + ', daily ' + money(f.daily, c, 4) + ', weekly ' + money(f.weekly, c, 4) + ' a month.' : '')
      : ops.note;
    var a = r.actual;
    $('cost-actual').textContent = !a ? '' : a.error
      ? 'Actual cost (' + a.table + '): not read: ' + a.error
      : 'Actual, Cloud Billing export, last ' + Math.round(a.days) + ' days: Vertex AI ' + money(a.byArea['vertex-ai'], a.currency) +
        ' (a month at that rate ' + money(a.monthly.vertexAi, a.currency) + ' against the estimate ' + money(r.total, c) + '), forecast-guard ' +
        money(a.monthly.operations, a.currency) + ' a month.';
    $('cost-prices').textContent = 'Prices: ' + r.priceTable.source + ' as of ' + r.priceTable.date + ' (a snapshot; edit the price table to correct it).';
  }
  onFleet(function () {
    if (Date.now() - lastCostAt < COST_EVERY_MS) return;
    lastCostAt = Date.now();
    getJson('/api/cost').then(function (r) {
      var key = JSON.stringify(r);
      if (key === lastCost) return;
      lastCost = key;
      if (r.unavailable) { $('cost-dominant').textContent = r.unavailable; return; }
      drawCost(r);
    }).catch(function (err) {
      lastCostAt = 0;
      $('cost-dominant').textContent = String(err.message || err);
    });
  });
})();
`;

export const COST_PANEL: Panel = {
  id: 'cost-section',
  markup: MARKUP,
  style: STYLE,
  script: SCRIPT,
  routes: [{ path: /^\/api\/cost$/, key: () => 'cost', read: (context) => costView(context) }],
};
