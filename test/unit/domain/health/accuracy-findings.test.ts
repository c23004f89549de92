import { Alert } from '../../../../shared/contracts/messages/alert';
import {
  accuracyFindings,
  evaluatedAccuracyKinds,
  MAPE_RULE_KINDS,
  RMSE_RULE_KINDS,
} from '../../../../shared/domain/health/accuracy-findings';
import { toAlert } from '../../../../shared/domain/health/findings';
import type { LiveAccuracy } from '../../../../shared/domain/health/live-accuracy';
import { thresholdsFor } from '../../../../shared/domain/thresholds';

const BOOK = '9780722532935';
const BASELINE = { rmse: 10, mape: 10, holdoutWeeks: 32 };

/** Point figures only (confidence null), level 1: what the rules see is what is given. */
function live(overrides: Partial<LiveAccuracy> = {}): LiveAccuracy {
  const rmse = overrides.rmse ?? 10;
  const mape = overrides.mape === undefined ? 10 : overrides.mape;
  return {
    weeks: 4,
    from: '2024-12-07',
    to: '2024-12-28',
    rmse,
    mape,
    smape: 10,
    bias: 0,
    zeroWeeksExcluded: 0,
    rmseLower: rmse,
    mapeLower: mape,
    confidence: null,
    levelFactor: 1,
    ...overrides,
  };
}

function kinds(figures: LiveAccuracy, env: 'development' | 'staging' | 'production' = 'development') {
  return accuracyFindings({
    isbn: BOOK,
    version: '3',
    live: figures,
    baseline: BASELINE,
    thresholds: thresholdsFor(env, BOOK),
  }).map((f) => `${f.kind}:${f.severity}`);
}

describe('accuracyFindings', () => {
  it('finds nothing for a model as good live as on its holdout', () => {
    expect(kinds(live())).toEqual([]);
    expect(kinds(live(), 'production')).toEqual([]);
  });

  it('fires rmse_spike above 20 % over the expected RMSE, not at exactly 20 %', () => {
    expect(kinds(live({ rmse: 12 }))).toEqual([]);
    expect(kinds(live({ rmse: 12.01 }))).toEqual(['rmse_spike:warning']);
  });

  it('fires mape_increase above 15 % relative to the holdout MAPE, not at exactly 15 %', () => {
    expect(kinds(live({ mape: 11.5 }))).toEqual([]);
    expect(kinds(live({ mape: 11.51 }))).toEqual(['mape_increase:warning']);
  });

  it('fires performance_degradation in production between 5 % and the spike, and the spike above', () => {
    expect(kinds(live({ rmse: 10.5 }), 'production')).toEqual([]);
    expect(kinds(live({ rmse: 10.51 }), 'production')).toEqual(['performance_degradation:warning']);
    expect(kinds(live({ rmse: 12.01 }), 'production')).toEqual(['rmse_spike:critical']);
  });

  it('fires the absolute limits in production at the limit itself (RMSE 80, MAPE 30 %)', () => {
    const atLimits = kinds(live({ rmse: 80, mape: 30, levelFactor: 8 }), 'production');
    expect(atLimits).toEqual([
      'rmse_above_threshold:critical',
      'mape_above_threshold:critical',
      'mape_increase:critical',
    ]);
    expect(kinds(live({ rmse: 79.99, mape: 10, levelFactor: 8 }), 'production')).toEqual([]);
  });

  it('compares RMSE with the holdout RMSE scaled to the live sales level', () => {
    // Twice the sales, twice the error: as expected for a log-scale model.
    expect(kinds(live({ rmse: 20, levelFactor: 2 }))).toEqual([]);
    expect(kinds(live({ rmse: 20, levelFactor: 1 }))).toEqual(['rmse_spike:warning']);
    expect(kinds(live({ rmse: 7, levelFactor: 0.5 }))).toEqual(['rmse_spike:warning']);
  });

  it('judges the lower confidence bound, so noise over a few weeks does not fire', () => {
    const noisy = live({ rmse: 16, rmseLower: 10.4, mape: 14, mapeLower: 4, confidence: 0.95 });
    expect(kinds(noisy)).toEqual([]);
    const broken = live({ rmse: 160, rmseLower: 104, mape: 150, mapeLower: 140, confidence: 0.95 });
    expect(kinds(broken)).toEqual(['rmse_spike:warning', 'mape_increase:warning']);
  });

  it('skips the MAPE rules when the live weeks give no MAPE (no copies sold)', () => {
    expect(kinds(live({ rmse: 30, mape: null, mapeLower: null }))).toEqual(['rmse_spike:warning']);
  });

  it('puts observed figures, bound, limit, baseline and scaling in details and a readable summary', () => {
    const [finding] = accuracyFindings({
      isbn: BOOK,
      version: '4',
      live: live({
        rmse: 160,
        rmseLower: 104,
        mape: 150,
        mapeLower: 140,
        confidence: 0.95,
        levelFactor: 1.5,
        wape: 140,
        mase: 3.2,
      }),
      baseline: BASELINE,
      thresholds: thresholdsFor('development', BOOK),
    });
    expect(finding).toMatchObject({ kind: 'rmse_spike', isbn: BOOK, modelVersion: '4' });
    expect(finding!.summary).toBe(
      'RMSE spike: 9780722532935 v4: live RMSE 160 over 4 weeks (at least 104 at 95 % confidence) is 966.7 % above the expected 15 (spike: more than 20 %)',
    );
    expect(finding!.details).toEqual({
      rule: expect.stringContaining('spike rule'),
      observed: { rmse: 160, mape: 150, smape: 10, wape: 140, mase: 3.2 },
      observedLowerBound: 104,
      confidence: 0.95,
      limit: 18,
      changePct: 966.667,
      baseline: { rmse: 10, mape: 10, holdoutWeeks: 32 },
      expectedRmse: 15,
      levelFactor: 1.5,
      liveWeeks: 4,
      liveFrom: '2024-12-07',
      liveTo: '2024-12-28',
      zeroWeeksExcluded: 0,
    });
    const alert = toAlert(finding!, {
      status: 'firing',
      observedAt: '2025-01-01T09:00:00.000Z',
      correlationId: 'corr-1',
      runId: 'hc-1',
      environment: 'development',
    });
    expect(Alert.parse(alert)).toMatchObject({ kind: 'rmse_spike', isbn: BOOK, runId: 'hc-1' });
  });
});

describe('evaluatedAccuracyKinds', () => {
  it('is every accuracy rule, less the MAPE ones when there is no MAPE bound', () => {
    expect(evaluatedAccuracyKinds(live())).toEqual([...RMSE_RULE_KINDS, ...MAPE_RULE_KINDS]);
    expect(evaluatedAccuracyKinds(live({ mapeLower: null }))).toEqual([...RMSE_RULE_KINDS]);
  });
});
