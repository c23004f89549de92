import { DEFAULT_THRESHOLDS } from '../../../../shared/domain/thresholds';
import { check } from '../../../../shared/domain/validation/check';
import { planDeployment, type DeployGateInput } from '../../../../shared/domain/validation/deploy-gates';

function input(over: Partial<DeployGateInput> = {}): DeployGateInput {
  return {
    isbn: '9780722532935',
    environment: 'production',
    candidate: { version: '4', metrics: { rmse: 10, mape: 12 } },
    serving: { version: '3', metrics: { rmse: 11, mape: 13 } },
    thresholds: DEFAULT_THRESHOLDS.production,
    dataQuality: [check('data.history-length', true, '674 weeks')],
    sanity: [check('arima.order', true, 'ARIMA(0,1,1)')],
    explanation: 'Recent level: about 72 copies a week.',
    booksInDeployment: 1,
    ...over,
  };
}

describe('planDeployment', () => {
  it('lets a better, clean version through without approval', () => {
    const plan = planDeployment(input());
    expect(plan).toMatchObject({ blocked: false, highRisk: false, blockedBy: [] });
    expect(plan.gates.map((g) => g.name)).toEqual([
      'quarantine',
      'data.history-length',
      'metrics.rmse',
      'metrics.mape',
      'metrics.regression',
      'arima.order',
      'explanation',
      'approval',
    ]);
  });

  it('names every failing gate', () => {
    const plan = planDeployment(
      input({
        candidate: {
          version: '4',
          metrics: { rmse: 95, mape: 41 },
          quarantine: {
            reason: 'validation failed',
            at: '2025-01-01T00:00:00Z',
            by: 'post-deploy-validation',
          },
        },
        dataQuality: [
          check('data.missing-weeks', false, '12 of 60 missing'),
          check('data.negative-sales', false, '2 weeks'),
        ],
        sanity: [check('arima.residuals', false, 'p = 0.001')],
      }),
    );
    expect(plan.blocked).toBe(true);
    expect(plan.blockedBy).toEqual([
      'quarantine',
      'data.missing-weeks',
      'data.negative-sales',
      'metrics.rmse',
      'metrics.mape',
      'metrics.regression',
      'arima.residuals',
      'approval',
    ]);
    expect(plan.awaitingApproval).toBe(false);
    expect(plan.gates.find((g) => g.name === 'quarantine')!.detail).toContain('pass --force');
  });

  it('lets --force deploy a quarantined version, saying so', () => {
    const q = { reason: 'validation failed', at: '2025-01-01T00:00:00Z', by: 'post-deploy-validation' };
    const plan = planDeployment(
      input({ candidate: { version: '4', metrics: { rmse: 10, mape: 12 }, quarantine: q }, force: true }),
    );
    expect(plan.blocked).toBe(false);
    expect(plan.gates[0]!.detail).toContain('deployed anyway with --force');
  });

  it('holds a worse-but-within-limits version for approval, and lets it through approved', () => {
    const worse = input({ candidate: { version: '4', metrics: { rmse: 11.2, mape: 14 } } });
    const waiting = planDeployment(worse);
    expect(waiting).toMatchObject({
      blocked: true,
      blockedBy: ['approval'],
      awaitingApproval: true,
      highRisk: true,
    });
    expect(waiting.riskReasons).toEqual([
      'RMSE 11.2 is worse than 11 of serving version 3',
      'MAPE 14 % is worse than 13 % of serving version 3',
    ]);
    const approved = planDeployment({
      ...worse,
      approval: { by: 'alice', at: '2025-01-01T10:00:00Z', id: 'appr-1' },
    });
    expect(approved.blocked).toBe(false);
    expect(approved.gates.at(-1)!.detail).toContain('approved by alice at 2025-01-01T10:00:00Z (appr-1)');
  });

  it('treats more books than the policy allows as high-risk', () => {
    const plan = planDeployment(input({ booksInDeployment: 3, policy: { maxBooksWithoutApproval: 2 } }));
    expect(plan.riskReasons).toEqual(['3 books at once (more than 2)']);
    expect(plan.awaitingApproval).toBe(true);
  });
});
