import { Alert } from '../../../../shared/contracts/messages/alert';
import {
  findingKey,
  planResolutions,
  statusOf,
  toAlert,
  type AlertRef,
} from '../../../../shared/domain/health/findings';

const A = '9780722532935';
const B = '9780241003008';

describe('findingKey', () => {
  it('is kind and isbn, empty for fleet-level', () => {
    expect(findingKey({ kind: 'rmse_spike', isbn: A })).toBe(`rmse_spike|${A}`);
    expect(findingKey({ kind: 'data_stale' })).toBe('data_stale|');
  });
});

describe('statusOf', () => {
  it('is unhealthy with any critical, degraded with any warning, else healthy', () => {
    expect(statusOf([])).toBe('healthy');
    expect(statusOf([{ severity: 'info' }])).toBe('healthy');
    expect(statusOf([{ severity: 'info' }, { severity: 'warning' }])).toBe('degraded');
    expect(statusOf([{ severity: 'warning' }, { severity: 'critical' }])).toBe('unhealthy');
  });
});

describe('planResolutions', () => {
  const previous: AlertRef[] = [
    { kind: 'rmse_spike', severity: 'critical', isbn: A },
    { kind: 'mape_increase', severity: 'critical', isbn: A },
    { kind: 'data_drift', severity: 'warning', isbn: B },
    { kind: 'pipeline_stale', severity: 'warning' },
  ];
  const all = new Set(previous.map(findingKey));

  it('resolves what fired, was checked and no longer fires, at the severity it fired', () => {
    const plan = planResolutions(previous, [{ kind: 'pipeline_stale', severity: 'warning' }], all, {
      previousRunId: 'hc-1',
      modelVersions: new Map([[A, '3']]),
    });
    expect(plan.carried).toEqual([]);
    expect(plan.resolved.map((f) => [f.kind, f.isbn, f.severity, f.modelVersion])).toEqual([
      ['rmse_spike', A, 'critical', '3'],
      ['mape_increase', A, 'critical', '3'],
      ['data_drift', B, 'warning', undefined],
    ]);
    expect(plan.resolved[0]!.summary).toBe(
      `Resolved: rmse spike on ${A} no longer fires (it did in run hc-1)`,
    );
    expect(plan.resolved[0]!.details).toEqual({ previousRunId: 'hc-1' });
  });

  it('carries over what was not checked now, so a later run can still resolve it', () => {
    const checked = new Set([findingKey({ kind: 'pipeline_stale' })]);
    const plan = planResolutions(previous, [], checked, { previousRunId: 'hc-1' });
    expect(plan.resolved.map((f) => f.kind)).toEqual(['pipeline_stale']);
    expect(plan.carried).toEqual(previous.slice(0, 3));
  });

  it('neither resolves nor carries what fires again, and reads a repeated entry once', () => {
    const plan = planResolutions([...previous, previous[0]!], previous, all, { previousRunId: 'hc-1' });
    expect(plan).toEqual({ resolved: [], carried: [] });
  });

  it('has nothing to do without a previous report', () => {
    expect(planResolutions([], [], all, { previousRunId: '' })).toEqual({ resolved: [], carried: [] });
  });
});

describe('toAlert', () => {
  const stamp = {
    status: 'resolved' as const,
    observedAt: '2025-01-01T09:00:00.000Z',
    correlationId: 'corr-9',
    runId: 'hc-9',
    environment: 'production' as const,
  };

  it('stamps the run onto the finding as a valid Alert from health-check', () => {
    const alert = toAlert(
      { kind: 'data_stale', severity: 'warning', summary: 'stale', details: { a: 1 } },
      stamp,
    );
    expect(Alert.parse(alert)).toEqual({
      kind: 'data_stale',
      severity: 'warning',
      status: 'resolved',
      summary: 'stale',
      details: { a: 1 },
      source: 'health-check',
      observedAt: stamp.observedAt,
      correlationId: 'corr-9',
      runId: 'hc-9',
      environment: 'production',
    });
  });

  it('cuts a summary to the contract’s 500 characters', () => {
    const alert = toAlert(
      { kind: 'rmse_spike', severity: 'critical', isbn: A, summary: 'x'.repeat(800), details: {} },
      stamp,
    );
    expect(alert.summary).toHaveLength(500);
    expect(Alert.safeParse(alert).success).toBe(true);
  });
});
