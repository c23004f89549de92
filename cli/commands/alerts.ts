/**
 * `alerts list|ack|silence|test`: the alert state alert-dispatch keeps, and a
 * test alert sent end to end through the real channels.
 */
import { AlertStateStatus } from '../../shared/contracts/documents/alert-state';
import { Severity } from '../../shared/contracts/primitives';
import { parseDuration, formatDuration } from '../../shared/config/duration';
import { isFingerprint } from '../../shared/domain/alerting/fingerprint';
import { newCorrelationId } from '../../shared/logging/correlation';
import { createLogger } from '../../shared/logging/logger';
import { randomIds } from '../../shared/ports/clock';
import {
  acknowledge,
  listAlerts,
  sendTestAlert,
  silence,
  type AlertSummary,
} from '../../shared/services/alert-dispatch';
import type { Backend } from '../../shared/wiring/backend';
import { alertingDeps, localAlertConsumer } from '../../shared/wiring/alerting';
import { requireFlag, type Command, type CommandContext } from '../command';
import { withBackend } from '../backend';
import { EXIT, UsageError } from '../exit-codes';

const COLUMNS = [
  'fingerprint',
  'kind',
  'severity',
  'status',
  'isbn',
  'notifyCount',
  'lastSeenAt',
  'acknowledgedBy',
  'silencedUntil',
];

function fingerprintArg(ctx: CommandContext): string {
  const fp = ctx.positionals[0];
  if (!fp) throw new UsageError('FP (the alert fingerprint, as alerts list shows it) is required', ['FP']);
  if (!isFingerprint(fp)) {
    throw new UsageError(`FP must be a 16-character fingerprint as alerts list shows it (got "${fp}")`, [
      'FP',
    ]);
  }
  return fp;
}

function durationFlag(ctx: CommandContext, name: string, fallback?: string): number {
  const text = (ctx.flags[name] as string | undefined) ?? fallback;
  if (text === undefined)
    throw new UsageError(`--${name} is required (a duration like 30m, 2h or 1d)`, [name]);
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    throw new UsageError(`--${name} must be a duration like 30m, 2h or 1d, greater than 0 (got "${text}")`, [
      name,
    ]);
  }
  return ms;
}

/** Log lines go to stderr, errors only unless FG_LOG_LEVEL asks for more: stdout is the operator's. Secrets scrubbed. */
function cliLogger(ctx: CommandContext, backend: Backend) {
  const { config } = backend;
  const level = config.defaulted.includes('FG_LOG_LEVEL') ? 'error' : config.logLevel;
  const secrets = [
    config.notify.slackWebhookUrl,
    config.notify.slackEscalationWebhookUrl,
    config.notify.smtpUrl,
    config.rollbackToken,
    config.mlflow?.token,
  ].filter((s): s is string => typeof s === 'string');
  return createLogger({ component: 'alerts-cli', level, secrets, write: (line) => ctx.out.error(line) });
}

function printOne(ctx: CommandContext, verb: string, a: AlertSummary): void {
  ctx.out.line(`${a.fingerprint} ${a.kind}${a.isbn ? ` ${a.isbn}` : ''}: ${verb}`);
  ctx.out.result({ alert: a });
}

/** `alerts list [--status S]`. */
export const alertsListCommand: Command = {
  name: 'alerts list',
  summary: 'alert state: what fires, who was told, acknowledgements and silences',
  usage: 'alerts list [--status firing|pending|resolved]',
  options: { status: { type: 'string' } },
  async run(ctx) {
    const status = ctx.flags.status as string | undefined;
    if (status !== undefined && !AlertStateStatus.safeParse(status).success) {
      throw new UsageError(
        `--status must be one of ${AlertStateStatus.options.join('|')} (got "${status}")`,
        ['status'],
      );
    }
    const alerts = await withBackend(ctx, (backend) =>
      listAlerts(status ? { status: status as AlertStateStatus } : {}, backend),
    );
    ctx.out.table(alerts as unknown as Array<Record<string, unknown>>, COLUMNS);
    ctx.out.result({ alerts });
    return EXIT.ok;
  },
};

/** `alerts ack FP --by NAME`. */
export const alertsAckCommand: Command = {
  name: 'alerts ack',
  summary: 'acknowledge an alert: no reminders or escalation until it resolves',
  usage: 'alerts ack FP --by NAME',
  options: { by: { type: 'string' } },
  async run(ctx) {
    const fp = fingerprintArg(ctx);
    const by = requireFlag(ctx.flags, 'by');
    const alert = await withBackend(ctx, (backend) => acknowledge({ fingerprint: fp, by }, backend));
    printOne(ctx, `acknowledged by ${by} (until it resolves)`, alert);
    return EXIT.ok;
  },
};

/** `alerts silence FP --for 2h [--by NAME]`. */
export const alertsSilenceCommand: Command = {
  name: 'alerts silence',
  summary: 'silence an alert for a while (its resolution is still sent)',
  usage: 'alerts silence FP --for 2h [--by NAME]',
  options: { for: { type: 'string' }, by: { type: 'string' } },
  async run(ctx) {
    const fp = fingerprintArg(ctx);
    const forMs = durationFlag(ctx, 'for');
    const by = (ctx.flags.by as string | undefined) ?? ctx.env.USER ?? 'unknown';
    const alert = await withBackend(ctx, async (backend) => {
      const silenced = await silence({ fingerprint: fp, forMs }, backend);
      cliLogger(ctx, backend).notice(`alert ${fp} silenced for ${formatDuration(forMs)} by ${by}`, {
        fingerprint: fp,
        silencedUntil: silenced.silencedUntil,
        by,
      });
      return silenced;
    });
    printOne(ctx, `silenced until ${alert.silencedUntil} by ${by}`, alert);
    return EXIT.ok;
  },
};

/** `alerts test`: exit 0 when every channel got it, 1 otherwise. */
export const alertsTestCommand: Command = {
  name: 'alerts test',
  summary: 'send a test alert end to end and report each channel',
  usage: 'alerts test [--severity critical|warning|info] [--wait 30s]',
  options: { severity: { type: 'string' }, wait: { type: 'string' } },
  async run(ctx) {
    const severity = (ctx.flags.severity as string | undefined) ?? 'critical';
    if (!Severity.safeParse(severity).success) {
      throw new UsageError(`--severity must be one of ${Severity.options.join('|')} (got "${severity}")`, [
        'severity',
      ]);
    }
    const waitMs = durationFlag(ctx, 'wait', '30s');
    const result = await withBackend(ctx, (backend) => {
      const logger = cliLogger(ctx, backend);
      const deps = { ...alertingDeps(backend.config, backend, logger), bus: backend.bus, ids: randomIds };
      return sendTestAlert(deps, {
        severity: severity as Severity,
        requestedBy: ctx.env.USER ?? 'forecast-guard alerts test',
        correlationId: newCorrelationId(randomIds),
        waitMs,
        // Nothing else consumes the embedded queue unless the local stack runs; then this process does.
        ...(backend.config.backend === 'local' ? { consumeFrom: localAlertConsumer(deps) } : {}),
      });
    });
    ctx.out.line(
      `test alert ${result.messageId} (correlationId ${result.correlationId}, fingerprint ${result.fingerprint})`,
    );
    if (!result.dispatched) {
      ctx.out.error(
        `forecast-guard alerts test: published, but alert-dispatch did not handle it within ${formatDuration(waitMs)}; is it running (the deployed function, or forecast-guard up)?`,
      );
    }
    ctx.out.table(result.channels as unknown as Array<Record<string, unknown>>, [
      'channel',
      'status',
      'attempts',
      'lastError',
    ]);
    ctx.out.result(result);
    const ok = result.dispatched && result.channels.every((c) => c.status === 'delivered');
    return ok ? EXIT.ok : EXIT.problem;
  },
};

/** Every `alerts` subcommand, for the command list. */
export const alertsCommands: Command[] = [
  alertsListCommand,
  alertsAckCommand,
  alertsSilenceCommand,
  alertsTestCommand,
];
