/**
 * The study's rule checks are the health check's rules: at random checks
 * they fire exactly when `evaluateAccuracy` reports the breach, and the
 * silencing statistic is the boundary between firing and not.
 */
import {
  firesAtCheck,
  RULES,
  silencingStatistic,
  type RuleId,
  type WindowCheck,
  type WindowScore,
} from '../../../../shared/domain/backtest';
import { evaluateAccuracy, type Thresholds } from '../../../../shared/domain/thresholds';
import { mulberry32 } from '../../../../shared/fleet/prng';

const OFF: Thresholds = {
  rmseMax: null,
  mapeMax: null,
  degradationMaxPct: null,
  rmseSpikePct: null,
  mapeIncreasePct: null,
  breachSeverity: 'warning',
};
const KIND: Record<RuleId, string> = {
  rmseMax: 'rmse_above_threshold',
  mapeMax: 'mape_above_threshold',
  degradationMaxPct: 'performance_degradation',
};

function health(rule: RuleId, value: number, c: WindowCheck): boolean {
  const breaches = evaluateAccuracy(
    { rmse: c.rmseLower, mape: c.mapeLower },
    { rmse: c.expectedRmse, mape: 10 },
    { ...OFF, [rule]: value },
  );
  return breaches.some((b) => b.kind === KIND[rule]);
}

function score(checks: WindowCheck[]): WindowScore {
  return {
    isbn: '9780722532935',
    origin: '2023-12-30',
    weeks: 12,
    meanActual: 50,
    rmse: 1,
    mape: 1,
    degradationPct: 0,
    checks,
  };
}

describe('the rules as the health check applies them', () => {
  const rand = mulberry32(7);
  const checks: WindowCheck[] = Array.from({ length: 400 }, (_, i) => ({
    weeks: 2 + (i % 11),
    rmseLower: Math.round(rand.next() * 150),
    mapeLower: i % 10 === 0 ? null : Math.round(rand.next() * 70),
    expectedRmse: Math.round(20 + rand.next() * 80),
  }));

  it.each(Object.keys(RULES) as RuleId[])(
    '%s fires exactly when evaluateAccuracy breaches, boundaries included',
    (rule) => {
      for (const value of RULES[rule].candidates) {
        for (const c of checks)
          expect({ value, c, fires: firesAtCheck(rule, value, c) }).toEqual({
            value,
            c,
            fires: health(rule, value, c),
          });
      }
    },
  );

  it('fires RMSE at the limit itself (exclusive "below") and degradation only above it', () => {
    const c = { weeks: 4, rmseLower: 80, mapeLower: 30, expectedRmse: 50 };
    expect(firesAtCheck('rmseMax', 80, c)).toBe(true);
    expect(firesAtCheck('mapeMax', 30, c)).toBe(true);
    // 80 is exactly 60 % over 50.
    expect(firesAtCheck('degradationMaxPct', 60, c)).toBe(false);
    expect(firesAtCheck('degradationMaxPct', 55, c)).toBe(true);
  });

  it('silences a window exactly above its highest figure', () => {
    const s = score([
      { weeks: 2, rmseLower: 40, mapeLower: null, expectedRmse: 40 },
      { weeks: 3, rmseLower: 66, mapeLower: 22, expectedRmse: 60 },
    ]);
    expect(silencingStatistic('rmseMax', s)).toBe(66);
    expect(silencingStatistic('mapeMax', s)).toBe(22);
    expect(silencingStatistic('degradationMaxPct', s)).toBeCloseTo(10, 10);
    expect(
      silencingStatistic('mapeMax', score([{ weeks: 2, rmseLower: 1, mapeLower: null, expectedRmse: 1 }])),
    ).toBeNull();
  });
});
