/**
 * What `forecast-guard up` prints once everything answers: where each part
 * is, where alerts go, and the commands to try next. Also the compact
 * console line for a function's log line worth a person's attention.
 */
import type { Config } from '../config';
import type { LocalStack } from './stack';

/** The book the walkthrough uses (the README's example ISBN). */
export const DEMO_ISBN = '9780722532935';

function channels(config: Config): string {
  const out: string[] = [];
  if (config.notify.slackWebhookUrl) out.push('Slack (SLACK_WEBHOOK_URL)');
  if (config.notify.smtpUrl) out.push(`email to ${config.notify.emailTo.join(', ')} (SMTP_URL)`);
  return out.length > 0
    ? `${out.join(' and ')}, and the log`
    : 'the log channel only (alert-dispatch.log and this console); set SLACK_WEBHOOK_URL, or SMTP_URL with ALERT_EMAIL_TO and ALERT_EMAIL_FROM, before `npm start` to send them for real';
}

/** The text printed when the stack is ready. */
export function renderBanner(stack: LocalStack, firstRun: boolean, readyMs: number = stack.readyMs): string {
  const status = stack.status();
  const width = Math.max(...status.functions.map((f) => f.name.length));
  const fn = status.functions.map((f) => {
    const what = f.trigger ? `← ${f.trigger}` : 'HTTP POST (Authorization: Bearer <token>)';
    const state = f.state === 'ready' ? `pid ${f.pid}` : `NOT RUNNING: ${f.failure ?? f.state}`;
    return `              ${f.name.padEnd(width)}  ${f.url}  ${what}  ${state}`;
  });
  const schedules = status.schedules.map(
    (s) => `              ${s.name} → ${s.topic}: ${s.when}${s.nextAt ? `, next ${s.nextAt}` : ''}`,
  );
  const rollbackUrl = status.functions.find((f) => f.name === 'rollback-http')?.url;
  const lines = [
    '',
    `forecast-guard is up: ${status.backend === 'emulators' ? "Google's Pub/Sub and Firestore emulators" : 'embedded backend'}, ready in ${(readyMs / 1000).toFixed(1)} s${firstRun ? ' (first run: seeded the fleet)' : ''}`,
    '',
    `  dashboard   ${stack.dashboardUrl}`,
    `  state       ${status.stateDir}   (environment ${stack.config.environment})`,
    `  functions   (from ${status.functionsFrom})`,
    ...fn,
    '  schedules',
    ...schedules,
    ...(stack.config.gcp.schedulerApiEndpoint && schedules.length > 0
      ? [
          `              served over the Cloud Scheduler API at ${stack.config.gcp.schedulerApiEndpoint} (FG_SCHEDULER_API_ENDPOINT):`,
          '              the health check reads it and raises scheduler_unhealthy for a paused, failing or late job',
        ]
      : []),
    `  logs        ${status.stateDir}/logs/<function>.log`,
    `  alerts go to ${channels(stack.config)}`,
  ];
  if (stack.tokenGenerated && rollbackUrl) {
    lines.push(`  rollback    token for this session (set FG_ROLLBACK_TOKEN to choose your own):`);
    lines.push(`              export FG_ROLLBACK_TOKEN=${stack.rollbackToken}`);
  }
  lines.push(
    '',
    'Try, in another terminal (same directory, so the same FG_STATE_DIR):',
    `  npx forecast-guard demo degrade --isbn ${DEMO_ISBN}        # The Alchemist starts forecasting badly`,
    `  curl -X POST -H 'content-type: application/json' -d '{}' ${stack.dashboardUrl}/api/health-check`,
    '                                                           # a health check now (or the dashboard button)',
    `  touch ${status.stateDir}/sales.csv`,
    '                                                           # a new sales drop: its books are checked within seconds',
    `  npx forecast-guard rollback --isbn ${DEMO_ISBN} --emergency   # back to last-known-good`,
    `  npx forecast-guard drill                                  # the game day, with targets and timings`,
  );
  if (rollbackUrl) {
    lines.push(
      `  curl -H "Authorization: Bearer $FG_ROLLBACK_TOKEN" -H 'content-type: application/json' ${rollbackUrl} \\`,
      `       -d '{"requestId":"try-1","scope":{"all":true},"target":{"kind":"previous"},"reason":"try","requestedBy":"me","dryRun":true,"correlationId":"try-1"}'`,
    );
  }
  lines.push('', 'Ctrl-C stops everything.', '');
  return lines.join('\n');
}

const SHOWN = new Set(['WARNING', 'ERROR', 'CRITICAL', 'ALERT', 'EMERGENCY']);

/**
 * One console line for a function's log line when it deserves attention (a
 * notification, a warning or worse); undefined otherwise. Lines that are not
 * JSON (the framework's own start-up text) are left to the log file.
 */
export function consoleLineFor(name: string, line: string): string | undefined {
  let entry: { severity?: string; message?: string; time?: string };
  try {
    entry = JSON.parse(line) as typeof entry;
  } catch {
    return undefined;
  }
  if (typeof entry !== 'object' || entry === null || typeof entry.message !== 'string') return undefined;
  const notification = entry.message.startsWith('notification');
  if (!notification && !SHOWN.has(entry.severity ?? '')) return undefined;
  // The line's own time is the fleet clock's (the synthetic world's date); the console shows the operator's.
  const time = new Date().toTimeString().slice(0, 8);
  return `${time} ${name.padEnd(22)} ${(entry.severity ?? 'INFO').padEnd(8)} ${entry.message}`;
}
