/**
 * `metric_anomaly` on the normal alert path past the alerts topic: as the
 * health check publishes it, alert-dispatch pages no one (a warning, even in
 * production) and the daily summary tells it, linking its runbook.
 */
import type { Alert } from '../../../../shared/contracts/messages/alert';
import { dispatchAlert } from '../../../../shared/services/alert-dispatch';
import { runDailySummary } from '../../../../shared/services/daily-summary/daily-summary';
import { makeHarness, type Harness } from './harness';

const ALCHEMIST = '9780722532935';

function anomalyAlert(observedAt: string): Alert {
  return {
    kind: 'metric_anomaly',
    severity: 'warning',
    status: 'firing',
    isbn: ALCHEMIST,
    modelVersion: '3',
    summary: `Metric anomaly on ${ALCHEMIST} v3: MAPE 46 % is above its usual 15 % (band up to 32.1)`,
    details: { method: 'mad', k: 2, metrics: { mape: { value: 46, center: 15, upper: 32.1, score: 3.2 } } },
    source: 'health-check',
    observedAt,
    correlationId: 'corr-anomaly-1',
    runId: 'hc-anomaly-1',
    environment: 'production',
  };
}

describe('metric_anomaly through alert-dispatch and the daily summary', () => {
  let h: Harness;
  beforeEach(() => {
    h = makeHarness({ groupWaitMs: 0, runbookBaseUrl: 'docs/runbooks/' });
  });
  afterEach(async () => h.close());

  it('pages no one, then appears in the digest with its runbook', async () => {
    const result = await dispatchAlert(anomalyAlert(h.clock.now().toISOString()), {}, h.deps);
    expect(result.decision.action).not.toBe('notify');
    expect(h.slack.sent).toEqual([]);
    expect(h.email.sent).toEqual([]);

    const summary = await runDailySummary(
      { trigger: 'schedule', date: h.clock.now().toISOString().slice(0, 10) },
      { correlationId: 'corr-digest' },
      h.deps,
    );
    expect(summary.alreadySent).toBe(false);
    const digest = h.slack.sent.find((n) => n.kind === 'digest');
    expect(digest?.lines.join('\n')).toContain(`MAPE 46 % is above its usual 15 %`);
    expect(digest?.runbooks).toEqual(
      expect.arrayContaining([{ kind: 'metric_anomaly', url: 'docs/runbooks/metric_anomaly.md' }]),
    );
  });
});
