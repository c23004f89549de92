import type { SalesPoint } from '../../../../shared/contracts/model';
import {
  alignLiveWeeks,
  liveForecastSteps,
  meanLowerBound,
  measureLiveAccuracy,
  rmseLowerBound,
} from '../../../../shared/domain/health/live-accuracy';
import { ValidationError } from '../../../../shared/errors';
import { addWeeks } from '../../../../shared/domain/series/weeks';

const TRAINED = '2024-11-30';

function weeksAfter(start: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => addWeeks(start, i + 1));
}

function points(start: string, volumes: number[]): SalesPoint[] {
  return volumes.map((volume, i) => ({ weekEnding: addWeeks(start, i), volume }));
}

describe('liveForecastSteps', () => {
  it('covers every week from the one after training to the latest actual', () => {
    expect(liveForecastSteps(TRAINED, '2024-12-28')).toBe(4);
    expect(liveForecastSteps(TRAINED, '2024-12-07')).toBe(1);
  });

  it('asks for one week (the canary) when there is no live actual yet', () => {
    expect(liveForecastSteps(TRAINED, undefined)).toBe(1);
    expect(liveForecastSteps(TRAINED, TRAINED)).toBe(1);
    expect(liveForecastSteps(TRAINED, '2024-10-05')).toBe(1);
  });

  it('stops at the endpoint horizon of 104 weeks', () => {
    expect(liveForecastSteps(TRAINED, addWeeks(TRAINED, 104))).toBe(104);
    expect(liveForecastSteps(TRAINED, addWeeks(TRAINED, 105))).toBe(104);
  });
});

describe('alignLiveWeeks', () => {
  const weeks = weeksAfter(TRAINED, 4);

  it('pairs forecast weeks with actuals, leaving out weeks without an actual or a value', () => {
    const actual = [
      { weekEnding: '2024-11-30', volume: 99 },
      { weekEnding: weeks[0]!, volume: 10 },
      { weekEnding: weeks[2]!, volume: 30 },
      { weekEnding: weeks[3]!, volume: 40 },
    ];
    const window = alignLiveWeeks(weeks, [11, 21, null, 41], actual, 12);
    expect(window).toEqual({ weeks: [weeks[0], weeks[3]], actual: [10, 40], predicted: [11, 41] });
  });

  it('keeps only the latest maxWeeks pairs', () => {
    const long = weeksAfter(TRAINED, 15);
    const actual = long.map((w, i) => ({ weekEnding: w, volume: i }));
    const window = alignLiveWeeks(
      long,
      long.map(() => 1),
      actual,
      12,
    );
    expect(window.weeks).toEqual(long.slice(3));
    expect(window.actual[0]).toBe(3);
  });

  it('names the forecast when it does not match its weeks', () => {
    expect(() => alignLiveWeeks(weeks, [1, 2], [], 12)).toThrow(ValidationError);
    expect(() => alignLiveWeeks(weeks, [1, 2], [], 12)).toThrow(/forecast has 2 values for 4 weeks/);
  });
});

describe('bounds', () => {
  it('rmseLowerBound scales by √(n / χ²): about 0.65 for 4 weeks at 95 %', () => {
    expect(rmseLowerBound(100, 4, 0.95) / 100).toBeCloseTo(Math.sqrt(4 / 9.4877), 2);
    expect(rmseLowerBound(100, 4, null)).toBe(100);
    expect(rmseLowerBound(100, 12, 0.95)).toBeGreaterThan(rmseLowerBound(100, 4, 0.95));
  });

  it('meanLowerBound is the mean less t·s/√n, never below 0', () => {
    expect(meanLowerBound([10, 10, 10], 0.95)).toBe(10);
    expect(meanLowerBound([10, 20], 0.95)).toBe(0);
    const b = meanLowerBound([40, 50, 60, 50], 0.95)!;
    expect(b).toBeCloseTo(50 - (2.3534 * Math.sqrt(200 / 3)) / 2, 1);
  });

  it('meanLowerBound needs two values for a bound, one for a point figure', () => {
    expect(meanLowerBound([], 0.95)).toBeNull();
    expect(meanLowerBound([12], 0.95)).toBeNull();
    expect(meanLowerBound([12], null)).toBe(12);
  });
});

describe('measureLiveAccuracy', () => {
  const weeks = weeksAfter(TRAINED, 4);
  const training = Array.from({ length: 100 }, (_, i) => 100 + (i % 7));

  it('scores a perfect forecast as zero error, bounds included', () => {
    const live = measureLiveAccuracy(
      { weeks, actual: [100, 110, 120, 130], predicted: [100, 110, 120, 130] },
      training,
      32,
      0.95,
    );
    expect(live).toMatchObject({ weeks: 4, from: weeks[0], to: weeks[3], rmse: 0, mape: 0, smape: 0 });
    expect(live.rmseLower).toBe(0);
    expect(live.mapeLower).toBe(0);
    expect(live.zeroWeeksExcluded).toBe(0);
  });

  it('leaves a zero-sales week out of RMSE and MAPE and counts it', () => {
    const live = measureLiveAccuracy(
      { weeks, actual: [100, 0, 100, 100], predicted: [110, 140, 110, 110] },
      training,
      32,
      null,
    );
    expect(live.rmse).toBeCloseTo(10, 9);
    expect(live.mape).toBeCloseTo(10, 9);
    expect(live.zeroWeeksExcluded).toBe(1);
    // The zero-safe measures still see every week.
    expect(live.smape).toBeGreaterThan(50);
  });

  it('keeps zero weeks when every live week is zero; MAPE is then unknown', () => {
    const live = measureLiveAccuracy(
      { weeks, actual: [0, 0, 0, 0], predicted: [5, 5, 5, 5] },
      training,
      32,
      0.95,
    );
    expect(live.rmse).toBe(5);
    expect(live.mape).toBeNull();
    expect(live.mapeLower).toBeNull();
    expect(live.zeroWeeksExcluded).toBe(0);
  });

  it('reports the live sales level against the holdout level as an RMS ratio', () => {
    const flat = Array.from({ length: 60 }, () => 100);
    const live = measureLiveAccuracy(
      { weeks, actual: [200, 200, 200, 200], predicted: [200, 200, 200, 200] },
      flat,
      32,
      0.95,
    );
    expect(live.levelFactor).toBeCloseTo(2, 9);
    const soldNothing = measureLiveAccuracy(
      { weeks, actual: [200, 200, 200, 200], predicted: [200, 200, 200, 200] },
      Array.from({ length: 60 }, () => 0),
      32,
      0.95,
    );
    expect(soldNothing.levelFactor).toBe(1);
  });

  it('gives lower bounds below the point figures when confidence is asked for', () => {
    const window = { weeks, actual: [100, 100, 100, 100], predicted: [130, 80, 120, 90] };
    const bounded = measureLiveAccuracy(window, training, 32, 0.95);
    const points_ = measureLiveAccuracy(window, training, 32, null);
    expect(bounded.rmseLower).toBeLessThan(bounded.rmse);
    expect(bounded.mapeLower!).toBeLessThan(bounded.mape!);
    expect(points_.rmseLower).toBe(points_.rmse);
    expect(points_.mapeLower).toBeCloseTo(points_.mape!, 9);
  });

  it('reports MASE against the seasonal-naive scale of the training window', () => {
    const history = points(
      '2020-01-04',
      Array.from({ length: 120 }, (_, i) => 100 + ((i * 7) % 11)),
    );
    const volumes = history.map((p) => p.volume);
    let naive = 0;
    for (let t = 52; t < volumes.length; t++) naive += Math.abs(volumes[t]! - volumes[t - 52]!);
    const scale = naive / (volumes.length - 52);
    const live = measureLiveAccuracy(
      { weeks, actual: [100, 100, 100, 100], predicted: [110, 110, 110, 110] },
      volumes,
      32,
      0.95,
    );
    expect(live.mase).toBeCloseTo(10 / scale, 9);
    expect(live.wape).toBeCloseTo(10, 9);
  });

  it('refuses an empty window', () => {
    expect(() => measureLiveAccuracy({ weeks: [], actual: [], predicted: [] }, training, 32, 0.95)).toThrow(
      /window must hold at least one live week/,
    );
  });
});
