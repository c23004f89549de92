/**
 * The dashboard's one page: markup and style here, behaviour in
 * page-script.ts. Everything is inline (no CDN, nothing to fetch but the
 * JSON API), so it works offline and under a strict content security policy.
 */
import { PAGE_SCRIPT } from './page-script';
import { PANELS } from './panels';

const STYLE = `
:root { --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --muted: #57606a; --line: #d0d7de; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; background: #fff; }
header { display: flex; align-items: center; gap: 16px; padding: 12px 24px; border-bottom: 1px solid var(--line); background: var(--bg); flex-wrap: wrap; }
header h1 { font-size: 18px; margin: 0; }
header .meta { color: var(--muted); }
header .spacer { flex: 1; }
button { font: inherit; padding: 6px 12px; border: 1px solid var(--line); border-radius: 6px; background: #fff; cursor: pointer; }
button:hover { background: var(--bg); }
main { display: grid; grid-template-columns: minmax(0, 1fr); gap: 12px; padding: 12px 24px 40px; max-width: 1600px; }
section { overflow-x: auto; }
section { min-width: 0; }
h2 { font-size: 15px; margin: 8px 0; }
h2 small { font-weight: normal; color: var(--muted); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
td.title { white-space: normal; min-width: 160px; }
td.summary { white-space: normal; min-width: 320px; }
.stale { opacity: .55; }
td.num { font-variant-numeric: tabular-nums; }
tr.selected td { background: #ddf4ff; }
#fleet tbody tr { cursor: pointer; }
#fleet tbody tr:hover td { background: var(--bg); }
.pill { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 600; border: 1px solid currentColor; }
.ok { color: var(--ok); } .warn { color: var(--warn); } .bad { color: var(--bad); } .muted { color: var(--muted); }
.empty { color: var(--muted); padding: 8px; }
.caption { margin: 0 0 6px; font-size: 12px; }
#schedules { margin-top: 12px; }
.over { color: var(--bad); font-weight: 600; }
.limit { color: var(--muted); font-size: 12px; }
#chart svg { width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
#chart .legend { color: var(--muted); font-size: 12px; display: flex; gap: 16px; flex-wrap: wrap; margin-top: 4px; }
.swatch { display: inline-block; width: 18px; height: 3px; vertical-align: middle; margin-right: 4px; }
#error { color: var(--bad); }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
`;

/** The complete HTML document served at `/`. */
export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>forecast-guard</title>
<style>${STYLE}${PANELS.map((p) => p.style ?? '').join('\n')}</style>
</head>
<body>
<header>
  <h1>forecast-guard</h1>
  <span class="meta" id="env">…</span>
  <span class="meta" id="last-check">no health check yet</span>
  <span class="spacer"></span>
  <span id="error" role="alert"></span>
  <button id="run-check" type="button">Run a health check now</button>
</header>
<main>
  <section id="fleet-section">
    <h2>Fleet <small id="fleet-count"></small></h2>
    <p class="muted caption">Live accuracy from each book's latest health check, with the version's own baseline; red marks a rule that check found broken. Click a row for its chart.</p>
    <table id="fleet">
      <thead><tr><th>ISBN</th><th>Title</th><th>Serving</th><th>Last known good</th><th>Live RMSE</th><th>Live MAPE</th><th>Status</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
  <section id="alerts-section">
    <h2>Firing alerts <small id="alert-count"></small></h2>
    <table id="alerts">
      <thead><tr><th>Severity</th><th>Kind</th><th>ISBN</th><th>Summary</th><th>Since</th><th>Told</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
  <section id="chart">
    <h2>Forecast against actual sales <small id="chart-title"></small></h2>
    <div id="chart-svg"></div>
    <div class="legend">
      <span><span class="swatch" style="background:#1f2328"></span>actual weekly sales</span>
      <span><span class="swatch" style="background:#0969da"></span>serving version's forecast (95 % interval shaded)</span>
      <span><span class="swatch" style="background:#1a7f37"></span>last-known-good forecast (when another version serves)</span>
    </div>
  </section>
${PANELS.map((p) => p.markup).join('\n')}
  <section id="rollbacks-section">
    <h2>Rollback history</h2>
    <table id="rollbacks">
      <thead><tr><th>When</th><th>ISBN</th><th>From → to</th><th>Outcome</th><th>Verified</th><th>Took</th><th>By</th><th>Reason</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
  <section id="validations-section">
    <h2>Validation history</h2>
    <table id="validations">
      <thead><tr><th>When</th><th>ISBN</th><th>Version</th><th>Verdict</th><th>Predictions</th><th>Failed checks</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
  <section id="processes-section">
    <h2>Processes and schedules</h2>
    <table id="processes">
      <thead><tr><th>Function</th><th>Entry point</th><th>Trigger</th><th>URL</th><th>PID</th><th>State</th></tr></thead>
      <tbody></tbody>
    </table>
    <table id="schedules">
      <thead><tr><th>Schedule</th><th>Topic</th><th>When</th><th>Next</th><th>Last fired</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
</main>
<script>${PAGE_SCRIPT}
${PANELS.map((p) => p.script ?? '').join('\n')}</script>
</body>
</html>
`;
