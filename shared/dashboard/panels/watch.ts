/**
 * The watch panel (issue 14, "watch the watcher"): who watches the fleet.
 * - A loud banner when the newest health report is more than two hours old
 *   by the backend's clock, or none was ever written
 *   (domain/health/report-age.ts); the section then moves to the top of the
 *   page.
 * - The scheduler's jobs as the health check reads them (Cloud Scheduler on
 *   Google Cloud, the local stack's scheduler over the same API): state, last
 *   attempt and its outcome, next time, and what is wrong with each watched
 *   job (domain/health/schedule-findings.ts), the same rules that raise
 *   `scheduler_unhealthy`.
 * GET /api/watch answers both (shared/services/watch/); the page polls it every 15 s (the scheduler is
 * a Google API with a quota, and schedules change by the minute).
 */
import { watchStatus, type WatchView } from '../../services/watch';
import { watchSettings } from '../../wiring/schedule-monitor';
import type { Panel } from './panel';

export type { WatchView };

const SCRIPT = `
(function () {
  var lastWatch = 0;
  var CODES = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
    'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED',
    'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];
  function hoursText(ms) { return ms === null ? 'never' : (Math.floor(ms / 360000) / 10).toFixed(1) + ' h ago'; }
  function drawWatch(w) {
    var section = $('watch-section');
    var banner = $('watch-banner');
    banner.hidden = !w.age.stale;
    banner.textContent = w.age.stale ? w.age.line : '';
    if (w.age.stale) section.classList.add('watch-stale'); else section.classList.remove('watch-stale');
    $('watch-report').textContent = w.newestReport
      ? 'Newest health report: ' + w.newestReport.runId + ' (' + w.newestReport.trigger + '), finished ' +
        when(w.newestReport.finishedAt) + ', ' + hoursText(w.age.ageMs) + ' by the backend clock (' + when(w.now) + ').'
      : 'No health report has been written yet.';
    var s = w.schedules;
    $('watch-where').textContent = s === null ? 'no scheduler to read here (start the stack: forecast-guard up)'
      : s.error ? 'scheduler unreadable: ' + s.error : s.parent + ', read ' + when(s.readAt);
    var rows = (s && s.jobs ? s.jobs : []).map(function (j) {
      var ok = j.problem === null;
      var outcome = j.lastAttemptCode === undefined ? '–' : (CODES[j.lastAttemptCode] || String(j.lastAttemptCode));
      return el('tr', { 'data-job': j.id }, [
        el('td', {}, [el('code', {}, [j.id])]),
        el('td', {}, [pill(j.state, j.state === 'ENABLED' ? 'ok' : (j.severity === 'critical' ? 'bad' : 'warn'))]),
        el('td', {}, [j.schedule ? j.schedule + ' (' + j.timeZone + ')' : '–']),
        el('td', {}, [when(j.lastAttemptAt)]),
        el('td', { class: j.lastAttemptCode ? 'over' : '' }, [outcome]),
        el('td', {}, [when(j.nextAt)]),
        el('td', { class: 'summary ' + (ok ? 'ok' : (j.severity === 'critical' ? 'bad' : 'warn')) }, [ok ? 'healthy' : j.problem])
      ]);
    });
    fill(document.querySelector('#watch-jobs tbody'), rows, s === null ? 'no scheduler here' : 'no jobs read', 7);
  }
  onFleet(function () {
    if (Date.now() - lastWatch < 15000) return;
    lastWatch = Date.now();
    getJson('/api/watch').then(drawWatch, function (err) { $('watch-where').textContent = String(err.message || err); });
  });
})();
`;

export const watchPanel: Panel = {
  id: 'watch-section',
  markup: `  <section id="watch-section">
    <div id="watch-banner" class="watch-banner" role="alert" hidden></div>
    <h2>Who watches the fleet <small id="watch-where"></small></h2>
    <p class="muted caption" id="watch-report">…</p>
    <table id="watch-jobs">
      <thead><tr><th>Job</th><th>State</th><th>Schedule</th><th>Last attempt</th><th>Outcome</th><th>Next</th><th>Health</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>`,
  style: `
#watch-section.watch-stale { order: -1; }
.watch-banner { background: var(--bad); color: #fff; font-weight: 600; padding: 10px 14px; border-radius: 6px; margin: 4px 0 8px; white-space: normal; }
`,
  script: SCRIPT,
  routes: [
    {
      path: /^\/api\/watch$/,
      key: () => 'watch',
      read: (context) => watchStatus({}, context.ports, watchSettings()),
    },
  ],
};
