/**
 * Publishing a run's alerts to `alerts`: each validated against the Alert
 * contract first (a bad alert is a bug here, not something to send), the
 * correlation id, kind, severity, status and runId in attributes so
 * subscribers and log queries can filter without decoding the payload.
 */
import { Alert } from '../../contracts/messages/alert';
import { parseWith } from '../../contracts/parse';
import { toAlert, type Finding } from '../../domain/health/findings';
import { withCorrelation } from '../../logging/correlation';
import { forEachBounded } from '../bounded';
import type { HealthCheckDeps } from './deps';
import type { HealthCheckSettings } from './settings';

/** Where alert-dispatch listens. */
export const ALERTS_TOPIC = 'alerts';

/** Publishes firing then resolved alerts (at most `publishConcurrency` at once) and returns them. */
export async function publishAlerts(
  firing: readonly Finding[],
  resolved: readonly Finding[],
  run: { observedAt: string; runId: string; correlationId: string },
  deps: HealthCheckDeps,
  settings: HealthCheckSettings,
): Promise<Alert[]> {
  const stamp = { ...run, environment: settings.environment };
  const alerts = [
    ...firing.map((f) => toAlert(f, { ...stamp, status: 'firing' })),
    ...resolved.map((f) => toAlert(f, { ...stamp, status: 'resolved' })),
  ].map((a) => parseWith(Alert, a, `Alert ${a.kind}`));
  await forEachBounded(alerts, settings.publishConcurrency, async (alert) => {
    await deps.bus.publish(ALERTS_TOPIC, {
      data: alert,
      attributes: withCorrelation(
        {
          kind: alert.kind,
          severity: alert.severity,
          status: alert.status,
          runId: run.runId,
          ...(alert.isbn ? { isbn: alert.isbn } : {}),
        },
        run.correlationId,
      ),
    });
  });
  return alerts;
}
