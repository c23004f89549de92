/**
 * The dashboard page's behaviour, inlined into page.ts: poll the JSON API
 * every few seconds and redraw the tables and the SVG chart. Text is always
 * set with textContent (titles and summaries come from data, never markup).
 * Plain ES2017 in a string: no build step, no framework.
 */
export const PAGE_SCRIPT = String.raw`
'use strict';
var POLL_MS = 3000;
var SVG = 'http://www.w3.org/2000/svg';
var selected = null;
var lastChartKey = '';
// Panels (panels/panel.ts) register here; refresh() calls them after every poll.
var fleetHooks = [];
var bookHooks = [];
function onFleet(fn) { fleetHooks.push(fn); }
function onBook(fn) { bookHooks.push(fn); }
function runHooks(hooks, arg) {
  hooks.forEach(function (fn) {
    try { fn(arg); } catch (err) { $('error').textContent = String(err.message || err); }
  });
}

function $(id) { return document.getElementById(id); }
function el(tag, attrs, children) {
  var node = document.createElement(tag);
  for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
  (children || []).forEach(function (c) {
    node.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  });
  return node;
}
function svg(tag, attrs) {
  var node = document.createElementNS(SVG, tag);
  for (var k in attrs) node.setAttribute(k, attrs[k]);
  return node;
}
function num(n, digits) { return n === null || n === undefined ? '–' : Number(n).toFixed(digits === undefined ? 1 : digits); }
function when(iso) { return iso ? iso.replace('T', ' ').slice(0, 19) : '–'; }
function pill(text, cls) { return el('span', { class: 'pill ' + cls }, [text]); }
function fill(tbody, rows, emptyText, columns) {
  tbody.textContent = '';
  if (rows.length === 0) {
    tbody.appendChild(el('tr', {}, [el('td', { class: 'empty', colspan: String(columns) }, [emptyText])]));
    return;
  }
  rows.forEach(function (r) { tbody.appendChild(r); });
}
function getJson(path) {
  return fetch(path, { cache: 'no-store' }).then(function (res) {
    return res.json().then(function (body) {
      if (!res.ok) throw new Error(path + ': ' + (body.error || res.status));
      return body;
    });
  });
}
function statusClass(s) {
  if (s === 'healthy' || s === 'succeeded' || s === 'ready' || s === 'passed') return 'ok';
  if (s === 'unhealthy' || s === 'failed' || s === 'critical' || s === 'exited' || s === 'firing') return 'bad';
  if (s === 'degraded' || s === 'warning' || s === 'restored' || s === 'pending') return 'warn';
  return 'muted';
}
function metricCell(value, baseline, max, firing, unit, rules, stale) {
  if (value === null || value === undefined) return el('td', { class: 'num muted' }, ['–']);
  var notes = ' base ' + num(baseline) + unit + (max !== null && max !== undefined ? ' · max ' + num(max, 0) + unit : '');
  return el('td', { class: 'num' + (stale ? ' stale' : ''), title: stale ? 'measured on a version that no longer serves' : rules }, [
    el('span', { class: firing ? 'over' : '' }, [num(value) + unit]),
    el('span', { class: 'limit' }, [notes]),
  ]);
}
function fired(live, prefix) {
  return (live.firing || []).some(function (k) { return k.indexOf(prefix) === 0 || (prefix === 'rmse' && k === 'performance_degradation'); });
}
function pct(p) { return p === null || p === undefined ? 'off' : '> ' + p + ' % over baseline'; }

function renderFleet(fleet) {
  $('env').textContent = 'environment: ' + fleet.environment;
  var c = fleet.lastHealthCheck;
  $('last-check').textContent = c
    ? 'last health check ' + when(c.finishedAt) + ' (' + c.trigger + ', ' + c.status + ', ' + c.durationMs + ' ms)'
    : 'no health check yet';
  $('fleet-count').textContent = fleet.books.length + ' books';
  if (!selected && fleet.books.length) {
    var off = fleet.books.filter(function (b) { return b.serving !== b.lastKnownGood; })[0];
    var alchemist = fleet.books.filter(function (b) { return b.isbn === '9780722532935'; })[0];
    selected = (off || alchemist || fleet.books[0]).isbn;
  }
  fill($('fleet').tBodies[0], fleet.books.map(function (b) {
    var live = b.live || {};
    var rolledOff = b.serving !== b.lastKnownGood;
    // Figures about a version that no longer serves are history: shown, but faded and never red.
    var stale = b.live && b.live.version !== b.serving;
    if (stale) live = Object.assign({}, live, { firing: [] });
    var row = el('tr', { 'data-isbn': b.isbn, class: (b.isbn === selected ? 'selected ' : '') + (stale ? 'stale-row' : '') }, [
      el('td', {}, [el('code', {}, [b.isbn])]),
      el('td', { class: 'title' }, [b.title]),
      el('td', { class: rolledOff ? 'warn' : '' }, [b.serving ? 'v' + b.serving : '–']),
      el('td', {}, [b.lastKnownGood ? 'v' + b.lastKnownGood : '–']),
      metricCell(b.live ? live.rmse : null, live.baselineRmse, b.limits.rmseMax, fired(live, 'rmse'), '',
        'spike: ' + pct(b.limits.rmseSpikePct) + '; degradation: ' + pct(b.limits.degradationMaxPct), stale),
      metricCell(b.live ? live.mape : null, live.baselineMape, b.limits.mapeMax, fired(live, 'mape'), ' %',
        'increase: ' + pct(b.limits.mapeIncreasePct), stale),
      el('td', {}, [pill(b.status, statusClass(b.status))]),
    ]);
    row.addEventListener('click', function () { selected = b.isbn; lastChartKey = ''; refresh(); });
    return row;
  }), 'no models registered', 7);
}

function renderAlerts(alerts) {
  $('alert-count').textContent = alerts.length ? alerts.length + ' open' : '';
  fill($('alerts').tBodies[0], alerts.map(function (a) {
    return el('tr', { 'data-fingerprint': a.fingerprint, 'data-kind': a.kind }, [
      el('td', {}, [pill(a.severity, statusClass(a.severity))]),
      el('td', { title: a.status === 'pending' ? 'held: a warning waits for the daily summary' : '' }, [
        a.kind + (a.status === 'pending' ? ' (pending)' : ''),
        ' ',
        runbookLink(a.runbook),
      ]),
      el('td', {}, [a.isbn ? el('code', {}, [a.isbn]) : '–']),
      el('td', { class: 'summary' }, [a.summary]),
      el('td', {}, [when(a.firstSeenAt)]),
      el('td', { class: 'num' }, [a.notifyCount + '×' + (a.acknowledgedBy ? ' · ack ' + a.acknowledgedBy : '')]),
    ]);
  }), 'nothing is firing', 6);
}

// An http(s) runbook is a link; the default, a repository path, is shown as the path to open.
function runbookLink(url) {
  if (!url) return '';
  if (/^https?:\/\//i.test(url)) return el('a', { class: 'runbook', href: url, rel: 'noopener noreferrer', target: '_blank' }, ['runbook']);
  return el('code', { class: 'runbook', title: 'runbook, in the repository' }, [url]);
}

function renderHistory(h) {
  fill($('rollbacks').tBodies[0], h.rollbacks.map(function (r) {
    return el('tr', { 'data-isbn': r.isbn }, [
      el('td', {}, [when(r.at)]),
      el('td', {}, [el('code', {}, [r.isbn])]),
      el('td', {}, [(r.from ? 'v' + r.from : '–') + ' → ' + (r.to ? 'v' + r.to : '–')]),
      el('td', {}, [pill(r.status, statusClass(r.status))]),
      el('td', {}, [r.verified ? 'yes' : 'no']),
      el('td', { class: 'num' }, [r.durationMs + ' ms']),
      el('td', {}, [r.requestedBy]),
      el('td', { class: 'title' }, [r.reason]),
    ]);
  }), 'no rollbacks yet', 8);
  fill($('validations').tBodies[0], h.validations.map(function (v) {
    return el('tr', { 'data-isbn': v.isbn }, [
      el('td', {}, [when(v.startedAt)]),
      el('td', {}, [el('code', {}, [v.isbn])]),
      el('td', {}, ['v' + v.version]),
      el('td', {}, [pill(v.passed ? 'passed' : 'failed', v.passed ? 'ok' : 'bad')]),
      el('td', { class: 'num' }, [v.predictions]),
      el('td', { class: 'title' }, [v.failed.join('; ') || '–']),
    ]);
  }), 'no validations yet', 6);
}

function renderStack(health) {
  var stack = health.stack;
  if (!stack) return;
  fill($('processes').tBodies[0], stack.functions.map(function (f) {
    return el('tr', {}, [
      el('td', {}, [f.name]),
      el('td', {}, [el('code', {}, [f.entryPoint + ' (' + f.signatureType + ')'])]),
      el('td', {}, [f.trigger || 'HTTP']),
      el('td', {}, [el('code', {}, [f.url])]),
      el('td', { class: 'num' }, [f.pid || '–']),
      el('td', { title: f.failure || '' }, [pill(f.state, statusClass(f.state))]),
    ]);
  }), 'no processes', 6);
  fill($('schedules').tBodies[0], stack.schedules.map(function (s) {
    var last = s.lastFire ? when(s.lastFire.at) + (s.lastFire.error ? ' (failed)' : '') : '–';
    return el('tr', {}, [el('td', {}, [s.name]), el('td', {}, [s.topic]), el('td', {}, [s.when]),
      el('td', {}, [when(s.nextAt)]), el('td', {}, [last])]);
  }), 'no schedules', 5);
}

function renderChart(c) {
  $('chart-title').textContent = c.title + ' (' + c.isbn + '), serving v' + c.version +
    (c.lastKnownGood && c.lastKnownGood !== c.version ? ', last known good v' + c.lastKnownGood : '');
  var W = 960, H = 300, L = 48, R = 12, T = 12, B = 28;
  var weeks = {};
  c.actuals.forEach(function (p) { weeks[p.week] = 1; });
  c.forecast.forEach(function (p) { weeks[p.week] = 1; });
  (c.lastKnownGoodForecast || []).forEach(function (p) { weeks[p.week] = 1; });
  var xs = Object.keys(weeks).sort();
  var max = 1;
  c.actuals.forEach(function (p) { if (p.value !== null) max = Math.max(max, p.value); });
  c.forecast.forEach(function (p) { [p.mean, p.upper].forEach(function (v) { if (v !== null) max = Math.max(max, v); }); });
  (c.lastKnownGoodForecast || []).forEach(function (p) { if (p.value !== null) max = Math.max(max, p.value); });
  max = max * 1.08;
  var x = function (w) { return L + (xs.indexOf(w) / Math.max(1, xs.length - 1)) * (W - L - R); };
  var y = function (v) { return T + (1 - v / max) * (H - T - B); };
  var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': 'forecast against actual sales' });
  for (var i = 0; i <= 4; i++) {
    var v = (max / 4) * i;
    root.appendChild(svg('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: '#eaeef2' }));
    var label = svg('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#57606a' });
    label.textContent = Math.round(v);
    root.appendChild(label);
  }
  xs.forEach(function (w, idx) {
    if (idx % 8 !== 0) return;
    var t = svg('text', { x: x(w), y: H - 8, 'text-anchor': 'middle', 'font-size': 11, fill: '#57606a' });
    t.textContent = w;
    root.appendChild(t);
  });
  var band = c.forecast.filter(function (p) { return p.lower !== null && p.upper !== null; });
  if (band.length > 1) {
    var pts = band.map(function (p) { return x(p.week) + ',' + y(Math.max(0, p.upper)); })
      .concat(band.slice().reverse().map(function (p) { return x(p.week) + ',' + y(Math.max(0, p.lower)); }));
    root.appendChild(svg('polygon', { points: pts.join(' '), fill: '#0969da', 'fill-opacity': '0.12' }));
  }
  function line(points, color, dash) {
    var d = points.filter(function (p) { return p.v !== null; }).map(function (p) { return x(p.w) + ',' + y(p.v); });
    if (d.length < 2) return;
    var attrs = { points: d.join(' '), fill: 'none', stroke: color, 'stroke-width': 2 };
    if (dash) attrs['stroke-dasharray'] = '6 4';
    root.appendChild(svg('polyline', attrs));
  }
  line(c.actuals.map(function (p) { return { w: p.week, v: p.value }; }), '#1f2328');
  line(c.forecast.map(function (p) { return { w: p.week, v: p.mean }; }), '#0969da');
  line((c.lastKnownGoodForecast || []).map(function (p) { return { w: p.week, v: p.value }; }), '#1a7f37', true);
  var holder = $('chart-svg');
  holder.textContent = '';
  holder.appendChild(root);
}

function refresh() {
  return Promise.all([getJson('/api/fleet'), getJson('/api/alerts'), getJson('/api/history'), getJson('/api/health')])
    .then(function (r) {
      renderFleet(r[0]);
      runHooks(fleetHooks, r[0]);
      renderAlerts(r[1].alerts);
      renderHistory(r[2]);
      renderStack(r[3]);
      $('error').textContent = '';
      runHooks(bookHooks, selected);
      // The fleet answer picks a book on first load, so the chart path is known only now.
      return selected ? getJson('/api/books/' + selected + '/chart') : null;
    })
    .then(function (chart) {
      if (!chart) return;
      var key = JSON.stringify(chart);
      if (key !== lastChartKey) { lastChartKey = key; renderChart(chart); }
    })
    .catch(function (err) { $('error').textContent = String(err.message || err); });
}

$('run-check').addEventListener('click', function () {
  var button = $('run-check');
  button.disabled = true;
  fetch('/api/health-check', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    .then(function (res) { return res.json(); })
    .then(function (body) { button.textContent = body.messageId ? 'Health check requested' : 'Could not request'; })
    .catch(function () { button.textContent = 'Could not request'; })
    .then(function () { setTimeout(function () { button.disabled = false; button.textContent = 'Run a health check now'; }, 3000); });
});

refresh();
setInterval(refresh, POLL_MS);
`;
