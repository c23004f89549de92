import {
  DEFAULT_THRESHOLDS,
  evaluateAccuracy,
  parseThresholdOverrides,
  Thresholds,
  thresholdsFor,
  type AccuracyFigures,
  type BreachKind,
} from '../../../shared/domain/thresholds';
import { ValidationError } from '../../../shared/errors';

const BOOK = '9780722532935';
const OTHER = '9780241003008';

/** Kinds (with severity) that fire for these figures. */
function fired(
  env: 'production' | 'staging' | 'development',
  observed: AccuracyFigures,
  baseline: AccuracyFigures,
) {
  return evaluateAccuracy(observed, baseline, thresholdsFor(env, BOOK)).map((b) => `${b.kind}:${b.severity}`);
}

describe('the product owner table', () => {
  it('is the default per environment', () => {
    expect(DEFAULT_THRESHOLDS.production).toMatchObject({ rmseMax: 80, mapeMax: 30, degradationMaxPct: 5 });
    expect(DEFAULT_THRESHOLDS.staging).toMatchObject({ rmseMax: 100, mapeMax: 50, degradationMaxPct: 10 });
    expect(DEFAULT_THRESHOLDS.development).toMatchObject({
      rmseMax: null,
      mapeMax: null,
      degradationMaxPct: null,
    });
    for (const t of Object.values(DEFAULT_THRESHOLDS)) {
      expect(t).toMatchObject({ rmseSpikePct: 20, mapeIncreasePct: 15 });
      expect(Thresholds.parse(t)).toEqual(t);
    }
  });
});

describe('evaluateAccuracy at and around each boundary', () => {
  // Baseline equal to the observation isolates the absolute limits from the relative rules.
  const same = (rmse: number, mape: number) =>
    [
      { rmse, mape },
      { rmse, mape },
    ] as const;

  it.each([
    ['production', 79.99, []],
    ['production', 80, ['rmse_above_threshold:critical']],
    ['production', 80.01, ['rmse_above_threshold:critical']],
    ['staging', 99.99, []],
    ['staging', 100, ['rmse_above_threshold:warning']],
    ['development', 10_000, []],
  ] as const)('RMSE limit: %s, RMSE %d → %j', (env, rmse, expected) => {
    expect(fired(env, ...same(rmse, 10))).toEqual(expected);
  });

  it.each([
    ['production', 29.99, []],
    ['production', 30, ['mape_above_threshold:critical']],
    ['staging', 49.99, []],
    ['staging', 50, ['mape_above_threshold:warning']],
    ['development', 500, []],
  ] as const)('MAPE limit: %s, MAPE %d → %j', (env, mape, expected) => {
    expect(fired(env, ...same(10, mape))).toEqual(expected);
  });

  it.each([
    // baseline RMSE 40: production allows 42 (5 %), staging 44 (10 %), development nothing
    ['production', 42, []],
    ['production', 42.01, ['performance_degradation:warning']],
    ['staging', 44, []],
    ['staging', 44.01, ['performance_degradation:warning']],
    ['development', 47, []],
  ] as const)('degradation: %s, RMSE %d over baseline 40 → %j', (env, rmse, expected) => {
    expect(fired(env, { rmse, mape: 10 }, { rmse: 40, mape: 10 })).toEqual(expected);
  });

  it.each([
    // baseline RMSE 50: exactly 20 % over is not a spike (still degradation where that is on)
    ['production', 60, ['performance_degradation:warning']],
    ['production', 60.01, ['rmse_spike:critical']],
    ['staging', 60, ['performance_degradation:warning']],
    ['staging', 60.01, ['rmse_spike:warning']],
    ['development', 60, []],
    ['development', 60.01, ['rmse_spike:warning']],
  ] as const)('RMSE spike: %s, RMSE %d over baseline 50 → %j', (env, rmse, expected) => {
    expect(fired(env, { rmse, mape: 10 }, { rmse: 50, mape: 10 })).toEqual(expected);
  });

  it.each([
    // baseline MAPE 20: 23 is exactly 15 % more (relative), 23.01 is over
    ['production', 23, []],
    ['production', 23.01, ['mape_increase:critical']],
    ['staging', 23.01, ['mape_increase:warning']],
    ['development', 23, []],
    ['development', 23.01, ['mape_increase:warning']],
  ] as const)('MAPE increase: %s, MAPE %d over baseline 20 → %j', (env, mape, expected) => {
    expect(fired(env, { rmse: 10, mape }, { rmse: 10, mape: 20 })).toEqual(expected);
  });

  it('measures MAPE increase relative to the baseline, not in percentage points', () => {
    // +14 points from 10 % is +140 %: an increase. +5 points from 40 % is +12.5 %: not one.
    expect(fired('development', { rmse: 10, mape: 24 }, { rmse: 10, mape: 10 })).toEqual([
      'mape_increase:warning',
    ]);
    expect(fired('development', { rmse: 10, mape: 45 }, { rmse: 10, mape: 40 })).toEqual([]);
  });

  it('reports every rule broken at once, in a stable order, with figures and a readable detail', () => {
    const breaches = evaluateAccuracy(
      { rmse: 130, mape: 40 },
      { rmse: 100, mape: 20 },
      thresholdsFor('production', BOOK),
    );
    expect(breaches).toEqual([
      {
        kind: 'rmse_above_threshold',
        severity: 'critical',
        observed: 130,
        limit: 80,
        detail: 'RMSE 130 is not below the limit 80',
      },
      {
        kind: 'mape_above_threshold',
        severity: 'critical',
        observed: 40,
        limit: 30,
        detail: 'MAPE 40 % is not below the limit 30 %',
      },
      {
        kind: 'rmse_spike',
        severity: 'critical',
        observed: 130,
        limit: 120,
        baseline: 100,
        changePct: 30,
        detail: 'RMSE 130 is 30 % over baseline 100 (spike rule: more than 20 %)',
      },
      {
        kind: 'mape_increase',
        severity: 'critical',
        observed: 40,
        limit: 23,
        baseline: 20,
        changePct: 100,
        detail: 'MAPE 40 % is 100 % over baseline 20 % (relative increase rule: more than 15 %)',
      },
    ]);
  });

  it('treats any error over a zero baseline as over the relative rules, without dividing by zero', () => {
    const [spike, ...rest] = evaluateAccuracy({ rmse: 3 }, { rmse: 0 }, thresholdsFor('development', BOOK));
    expect(rest).toEqual([]);
    expect(spike).toMatchObject({ kind: 'rmse_spike', observed: 3, limit: 0, changePct: null });
    expect(spike?.detail).toBe(
      'RMSE 3 against a baseline of 0: any error is over the spike rule (more than 20 %)',
    );
    expect(evaluateAccuracy({ rmse: 0 }, { rmse: 0 }, thresholdsFor('production', BOOK))).toEqual([]);
  });

  it('skips the MAPE rules when MAPE is unknown (no sales in the window)', () => {
    const kinds = (o: AccuracyFigures, b: AccuracyFigures): BreachKind[] =>
      evaluateAccuracy(o, b, thresholdsFor('production', BOOK)).map((x) => x.kind);
    expect(kinds({ rmse: 10, mape: null }, { rmse: 10, mape: 5 })).toEqual([]);
    expect(kinds({ rmse: 10, mape: 50 }, { rmse: 10 })).toEqual(['mape_above_threshold']);
  });

  it.each([
    [
      { rmse: Number.NaN },
      { rmse: 1 },
      'observed.rmse must be a finite number ≥ 0 (got NaN)',
      'observed.rmse',
    ],
    [
      { rmse: 1, mape: -2 },
      { rmse: 1 },
      'observed.mape must be a finite number ≥ 0 (got -2)',
      'observed.mape',
    ],
    [
      { rmse: 1 },
      { rmse: Infinity },
      'baseline.rmse must be a finite number ≥ 0 (got Infinity)',
      'baseline.rmse',
    ],
  ])('rejects bad figures naming the field: %j %j', (observed, baseline, message, field) => {
    const call = () => evaluateAccuracy(observed, baseline, thresholdsFor('production', BOOK));
    expect(call).toThrow(ValidationError);
    expect(call).toThrow(message);
    try {
      call();
    } catch (err) {
      expect((err as ValidationError).fields).toEqual([field]);
    }
  });
});

describe('thresholdsFor with per-ISBN overrides', () => {
  const overrides = parseThresholdOverrides({
    [BOOK]: { rmseMax: 120, degradationMaxPct: null, breachSeverity: 'critical' },
  });

  it('lays the book override over the environment defaults', () => {
    expect(thresholdsFor('staging', BOOK, overrides)).toEqual({
      rmseMax: 120,
      mapeMax: 50,
      degradationMaxPct: null,
      rmseSpikePct: 20,
      mapeIncreasePct: 15,
      breachSeverity: 'critical',
    });
    expect(thresholdsFor('staging', OTHER, overrides)).toEqual(DEFAULT_THRESHOLDS.staging);
    expect(Object.isFrozen(thresholdsFor('production', BOOK, overrides))).toBe(true);
  });

  it('changes what breaches for that book only', () => {
    const figures = [
      { rmse: 110, mape: 10 },
      { rmse: 99, mape: 10 },
    ] as const;
    expect(evaluateAccuracy(...figures, thresholdsFor('staging', BOOK, overrides))).toEqual([]);
    expect(
      evaluateAccuracy(...figures, thresholdsFor('staging', OTHER, overrides)).map((b) => b.kind),
    ).toEqual(['rmse_above_threshold', 'performance_degradation']);
  });
});

describe('parseThresholdOverrides', () => {
  it('normalises hyphenated ISBN keys', () => {
    expect(parseThresholdOverrides({ '978-0-241-00300-8': { mapeMax: 40 } })).toEqual({
      [OTHER]: { mapeMax: 40 },
    });
  });

  it.each([
    [[], 'must be a JSON object keyed by ISBN-13'],
    [{ '9780722532936': {} }, 'key "9780722532936" is not a valid ISBN-13: has check digit 6, expected 5'],
    [{ '12345': {} }, 'key "12345" is not a valid ISBN-13: must have 13 digits'],
    [{ [BOOK]: 120 }, `"${BOOK}" must be an object of thresholds`],
    [{ [BOOK]: { rmseMax: '120' } }, `"${BOOK}".rmseMax must be a number or null (got "120")`],
    [{ [BOOK]: { mapeMax: 0 } }, `"${BOOK}".mapeMax must be greater than 0 (got 0)`],
    [{ [BOOK]: {}, '978-0-7225-3293-5': {} }, `key "978-0-7225-3293-5" repeats ISBN ${BOOK}`],
    [
      { [BOOK]: { rmse_max: 1 } },
      `"${BOOK}".rmse_max is not a known threshold (known: rmseMax, mapeMax, degradationMaxPct, rmseSpikePct, mapeIncreasePct, breachSeverity)`,
    ],
  ])('rejects %j: %s', (input, message) => {
    expect(() => parseThresholdOverrides(input)).toThrow(new ValidationError(message));
  });
});
