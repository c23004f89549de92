import type { AlertState } from '../../../../shared/contracts/documents/alert-state';
import type { HealthReport, ModelHealth } from '../../../../shared/contracts/documents/health-report';
import { composeDigest, worstModels } from '../../../../shared/domain/alerting/digest';
import { transitionAlert } from '../../../../shared/domain/alerting/state-machine';
import { alert, at, hours, ISBN, ISBN_2, observe, policy } from './builders';

function state(overrides: Parameters<typeof alert>[0], t = 0): AlertState {
  return transitionAlert(undefined, observe(alert(overrides)), { now: at(t), policy: policy() }).next!;
}

function model(isbn: string, status: ModelHealth['status'], rmse: number, baselineRmse = 50): ModelHealth {
  return { isbn, version: '3', rmse, mape: 20, baselineRmse, baselineMape: 15, status };
}

const report: HealthReport = {
  runId: 'hc-1',
  trigger: 'schedule',
  startedAt: at(0).toISOString(),
  finishedAt: at(60_000).toISOString(),
  durationMs: 60_000,
  status: 'degraded',
  registry: { ok: true, latencyMs: 12 },
  models: [
    model('9780000000019', 'healthy', 40),
    model(ISBN, 'degraded', 70),
    model(ISBN_2, 'unhealthy', 60),
    model('9780000000026', 'degraded', 90),
  ],
  alerts: [],
  correlationId: 'corr-hc',
};

describe('worstModels', () => {
  it('puts unhealthy before degraded, then the largest RMSE over baseline, and leaves healthy ones out', () => {
    expect(worstModels(report).map((m) => m.isbn)).toEqual([ISBN_2, '9780000000026', ISBN]);
    expect(worstModels(undefined)).toEqual([]);
  });
});

describe('composeDigest', () => {
  it('counts the fleet, lists worst models, open criticals and the day’s warnings', () => {
    const date = at(0).toISOString().slice(0, 10);
    const warnings = [
      state({ kind: 'data_drift', severity: 'warning', summary: 'PSI 0.31' }),
      {
        ...state({ kind: 'data_stale', severity: 'warning', isbn: ISBN_2 }),
        firstSeenAt: '2024-04-20T00:00:00.000Z',
      },
      { ...state({ kind: 'data_drift', severity: 'warning', isbn: ISBN_2 }), status: 'resolved' as const },
    ];
    const criticals = [
      {
        ...state({ summary: 'RMSE 112 above 80' }),
        acknowledgedBy: 'alice',
        acknowledgedAt: at(hours(1)).toISOString(),
      },
    ];
    const digest = composeDigest({
      id: 'digest-production-2024-05-01',
      date,
      environment: 'production',
      correlationId: 'corr-d',
      warnings,
      criticals,
      report,
      undelivered: 2,
    });
    expect(digest.counts).toEqual({
      warnings: 2,
      newWarnings: 1,
      resolvedWarnings: 1,
      openCriticals: 1,
      models: 4,
      healthy: 1,
      degraded: 2,
      unhealthy: 1,
    });
    const n = digest.notification;
    expect(n).toMatchObject({ kind: 'digest', severity: 'warning', correlationId: 'corr-d' });
    expect(n.title).toBe(
      'Daily summary 2024-05-01 (production): 1 open critical, 2 warnings, fleet degraded',
    );
    const text = n.lines.join('\n');
    expect(text).toContain('4 models: 1 healthy, 2 degraded, 1 unhealthy');
    expect(text).toContain(`• ${ISBN_2} v3: unhealthy, RMSE 60.0 (+20% vs baseline 50.0)`);
    expect(text).toContain('RMSE 112 above 80 (since 2024-05-01T10:00:00.000Z, acknowledged by alice)');
    expect(text).toContain('PSI 0.31 (new)');
    expect(text).toContain('(since 2024-04-20)');
    expect(text).toContain('2 notifications are still waiting');
  });

  it('is an info message when all is quiet, and says when there is no report yet', () => {
    const digest = composeDigest({
      id: 'd',
      date: '2024-05-01',
      environment: 'staging',
      correlationId: 'c',
      warnings: [],
      criticals: [],
      undelivered: 0,
    });
    expect(digest.notification.severity).toBe('info');
    expect(digest.notification.lines[0]).toBe('Fleet health: no health-check report yet.');
  });
});
