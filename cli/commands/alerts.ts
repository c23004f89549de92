/**
 * `alerts list|ack|silence|test`: the alert state alert-dispatch keeps, and a
 * test alert sent end to end through the real channels.
 */
import { formatDuration } from '../../shared/config/duration';
import { isFingerprint } from '../../shared/domain/alerting/fingerprint';
import { newCorrelationId } from '../../shared/logging/correlation';
import { randomIds } from '../../shared/ports/clock';
import {
  acknowledge,
  listAlerts,
  sendTestAlert,
  silence,
  type AlertSummary,
} from '../../shared/services/alert-dispatch';
import { alertingDeps, localAlertConsumer } from '../../shared/wiring/alerting';
import type { Command, CommandContext } from '../command';
import { withBackend } from '../backend';
import { EXIT, UsageError } from '../exit-codes';
import { FLAGS } from '../flag-table';
import { required } from '../flags';
import { cliLogger } from '../logger';
import { helpOf } from './help-table';

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

function printOne(ctx: CommandContext, verb: string, a: AlertSummary): void {
  ctx.out.line(`${a.fingerprint} ${a.kind}${a.isbn ? ` ${a.isbn}` : ''}: ${verb}`);
  ctx.out.result({ alert: a });
}

/** `alerts list [--status S]`. */
export const alertsListCommand: Command = {
  ...helpOf('alerts list'),
  async run(ctx) {
    const status = ctx.flag(FLAGS.status);
    const alerts = await withBackend(ctx, (backend) => listAlerts(status ? { status } : {}, backend));
    ctx.out.table(alerts as unknown as Array<Record<string, unknown>>, COLUMNS);
    ctx.out.result({ alerts });
    return EXIT.ok;
  },
};

/** `alerts ack FP --by NAME`. */
export const alertsAckCommand: Command = {
  ...helpOf('alerts ack'),
  async run(ctx) {
    const fp = fingerprintArg(ctx);
    const by = required(ctx.flag(FLAGS.by), FLAGS.by);
    const alert = await withBackend(ctx, (backend) => acknowledge({ fingerprint: fp, by }, backend));
    printOne(ctx, `acknowledged by ${by} (until it resolves)`, alert);
    return EXIT.ok;
  },
};

/** `alerts silence FP --for 2h [--by NAME]`. */
export const alertsSilenceCommand: Command = {
  ...helpOf('alerts silence'),
  async run(ctx) {
    const fp = fingerprintArg(ctx);
    const forMs = required(ctx.flag(FLAGS.silenceFor), FLAGS.silenceFor, 'a duration like 30m, 2h or 1d');
    const by = ctx.flag(FLAGS.by) ?? ctx.env.USER ?? 'unknown';
    const alert = await withBackend(ctx, async (backend) => {
      const silenced = await silence({ fingerprint: fp, forMs }, backend);
      cliLogger(ctx.out, backend.config, 'alerts-cli').notice(
        `alert ${fp} silenced for ${formatDuration(forMs)} by ${by}`,
        {
          fingerprint: fp,
          silencedUntil: silenced.silencedUntil,
          by,
        },
      );
      return silenced;
    });
    printOne(ctx, `silenced until ${alert.silencedUntil} by ${by}`, alert);
    return EXIT.ok;
  },
};

/** `alerts test`: exit 0 when every channel got it, 1 otherwise. */
export const alertsTestCommand: Command = {
  ...helpOf('alerts test'),
  async run(ctx) {
    const severity = ctx.flag(FLAGS.severity);
    const waitMs = ctx.flag(FLAGS.testWait);
    const result = await withBackend(ctx, (backend) => {
      const logger = cliLogger(ctx.out, backend.config, 'alerts-cli');
      const deps = { ...alertingDeps(backend.config, backend, logger), bus: backend.bus, ids: randomIds };
      return sendTestAlert(
        {
          severity,
          requestedBy: ctx.env.USER ?? 'forecast-guard alerts test',
          correlationId: newCorrelationId(randomIds),
          waitMs,
          // Nothing else consumes the embedded queue unless the local stack runs; then this process does.
          ...(backend.config.backend === 'local' ? { consumeFrom: localAlertConsumer(deps) } : {}),
        },
        deps,
      );
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
