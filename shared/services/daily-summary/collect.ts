/**
 * What the daily summary reads: the day's warnings, the critical alerts
 * still open, the latest health-check report and the notifications still
 * waiting for their channel. Reads only.
 */
import { COLLECTIONS } from '../../contracts/collections';
import type { AlertState } from '../../contracts/documents/alert-state';
import { HealthReport } from '../../contracts/documents/health-report';
import type { Environment } from '../../contracts/primitives';
import type { DayWindow } from '../../domain/alerting/digest';
import type { Logger } from '../../logging/logger';
import type { StateStore } from '../../ports/state-store';
import { countUndelivered } from '../alert-dispatch';

/** What the digest is written from. */
export interface SummaryInputs {
  warnings: AlertState[];
  criticals: AlertState[];
  report?: HealthReport;
  undelivered: number;
}

/** Reads the day's warnings, open criticals (of `environment`), the latest valid health report and the undelivered count. */
export async function collectSummaryInputs(
  day: DayWindow,
  ports: { state: StateStore; logger: Logger },
  settings: { environment: Environment },
): Promise<SummaryInputs> {
  const { state, logger } = ports;
  const { environment } = settings;
  const warnings = (
    await state.query<AlertState>(COLLECTIONS.alertStates, {
      where: [{ field: 'severity', op: '==', value: 'warning' }],
    })
  )
    .map((d) => d.data)
    // Seen that day, or still open from before: a warning nobody acted on is still news.
    .filter(
      (w) =>
        w.environment === environment &&
        w.firstSeenAt < day.end &&
        (w.lastSeenAt >= day.start || w.status !== 'resolved'),
    )
    .sort((a, b) => a.firstSeenAt.localeCompare(b.firstSeenAt));
  const criticals = (
    await state.query<AlertState>(COLLECTIONS.alertStates, {
      where: [{ field: 'status', op: '==', value: 'firing' }],
    })
  )
    .map((d) => d.data)
    .filter((c) => c.environment === environment && c.severity === 'critical' && c.kind !== 'test')
    .sort((a, b) => a.firstSeenAt.localeCompare(b.firstSeenAt));
  const latest = await state.query(COLLECTIONS.healthReports, {
    orderBy: { field: 'startedAt', direction: 'desc' },
    limit: 1,
  });
  let report: HealthReport | undefined;
  if (latest[0]) {
    const parsed = HealthReport.safeParse(latest[0].data);
    if (parsed.success) report = parsed.data;
    else
      logger.warning(
        `health report ${latest[0].id} does not match the HealthReport contract; left out of the summary`,
      );
  }
  return { warnings, criticals, report, undelivered: await countUndelivered(state) };
}
