/**
 * The metric-anomaly detector on the seeded fleet's replayed weekly MAPE (the
 * real ARIMA retrained every 4 weeks, scored as the health check scores it):
 * silent on healthy books, firing on an injected level shift, unmoved by one
 * wild observation, and deciding nothing without enough history.
 */
import {
  DEFAULT_ANOMALY_OPTIONS,
  detectAnomaly,
  type AnomalyOptions,
} from '../../../../shared/domain/anomaly/detector';
import { foldObservations, type MetricObservation } from '../../../../shared/domain/anomaly/observations';
import { DEFAULT_BOOKS } from '../../../../shared/fleet/catalogue';
import { replayMetricHistory } from '../../../../shared/fleet/metric-history';
import { generateSales } from '../../../../shared/fleet/sales-generator';
import { ValidationError } from '../../../../shared/errors';

const BOOKS = DEFAULT_BOOKS.slice(0, 3);

/** Each book's weekly MAPE observations, 2023–2024. */
const histories: MetricObservation[][] = BOOKS.map((book) =>
  replayMetricHistory(generateSales(book, { seed: 42 }), {
    firstCutoff: '2023-01-07',
    lastWeek: '2024-12-28',
  }).map((o) => ({ at: `${o.week}T12:00:00.000Z`, version: o.version, value: o.mape })),
);

const scaleLast = (obs: readonly MetricObservation[], n: number, f: number) =>
  obs.map((o, i) => (i >= obs.length - n ? { ...o, value: o.value * f } : o));

/** Rises from normal to anomalous over every prefix from observation `from` on. */
function alarms(obs: readonly MetricObservation[], options: AnomalyOptions, from: number): number {
  let count = 0;
  let before = false;
  for (let t = from; t < obs.length; t++) {
    const now = detectAnomaly(obs.slice(0, t + 1), options).state === 'anomalous';
    if (now && !before) count++;
    before = now;
  }
  return count;
}

describe('detectAnomaly (median/MAD band, the default)', () => {
  it('replays about 39 observations a year per book (3 of every 4 weeks are judged)', () => {
    for (const h of histories) expect(h.length).toBeGreaterThanOrEqual(70);
  });

  it('is silent on the healthy seeded books as the seeded world stands, and rarely alarms over two years', () => {
    for (const h of histories) {
      expect(detectAnomaly(h).state).toBe('normal');
      // 0.6 alarms per book-year over the whole bench fleet (docs/anomaly.md): at most two in two years here.
      expect(alarms(h, DEFAULT_ANOMALY_OPTIONS, 20)).toBeLessThanOrEqual(2);
    }
  });

  it('fires when the MAPE triples and holds, and says by how much', () => {
    for (const h of histories) {
      const verdict = detectAnomaly(scaleLast(h, 3, 3));
      expect(verdict.state).toBe('anomalous');
      expect(verdict.level).toBeGreaterThan(verdict.upper ?? Infinity);
      expect(verdict.score).toBeGreaterThan(DEFAULT_ANOMALY_OPTIONS.k);
      expect(verdict.baselineSize).toBe(DEFAULT_ANOMALY_OPTIONS.baseline);
    }
  });

  it('does not fire on a single wild observation, newest or inside the baseline', () => {
    for (const h of histories) {
      let tried = 0;
      for (let t = 20; t < h.length; t++) {
        // The median of three ignores one wild value unless a neighbour was already above the band.
        const before = detectAnomaly(h.slice(0, t + 1));
        if (h[t - 1]!.value > (before.upper ?? 0) || h[t - 2]!.value > (before.upper ?? 0)) continue;
        tried++;
        expect(detectAnomaly(scaleLast(h.slice(0, t + 1), 1, 10)).state).toBe('normal');
      }
      expect(tried).toBeGreaterThan(40);
      const inBaseline = h.map((o, i) => (i === h.length - 10 ? { ...o, value: o.value * 50 } : o));
      const clean = detectAnomaly(h);
      const dirty = detectAnomaly(inBaseline);
      expect(dirty.state).toBe('normal');
      // One point among 26 moves the median by at most one rank: the band barely shifts.
      expect(Math.abs(Math.log((dirty.upper ?? 0) / (clean.upper ?? 1)))).toBeLessThan(0.25);
    }
  });

  it('decides nothing until the baseline holds minHistory observations before the test window', () => {
    const h = scaleLast(histories[0]!.slice(0, 20), 3, 5);
    const needed = DEFAULT_ANOMALY_OPTIONS.minHistory + DEFAULT_ANOMALY_OPTIONS.confirm;
    expect(detectAnomaly(h.slice(-(needed - 1))).state).toBe('insufficient');
    expect(detectAnomaly(h.slice(-needed)).state).toBe('anomalous');
    expect(detectAnomaly([])).toMatchObject({ state: 'insufficient', baselineSize: 0 });
  });

  it('does not fire when the metric falls: better accuracy is not an anomaly', () => {
    for (const h of histories) expect(detectAnomaly(scaleLast(h, 3, 0.2)).state).toBe('normal');
  });
});

describe('detectAnomaly (EWMA control limits, measured against)', () => {
  const ewma: AnomalyOptions = { ...DEFAULT_ANOMALY_OPTIONS, method: 'ewma', k: 3, confirm: 6 };

  it('fires on a sustained tripling and not on the healthy books as they stand', () => {
    for (const h of histories) {
      expect(detectAnomaly(h, ewma).state).toBe('normal');
      expect(detectAnomaly(scaleLast(h, 6, 3), ewma).state).toBe('anomalous');
    }
  });
});

describe('checkAnomalyOptions', () => {
  it('names the field and value of a bad option', () => {
    const h = histories[0]!;
    expect(() => detectAnomaly(h, { ...DEFAULT_ANOMALY_OPTIONS, k: 0 })).toThrow(
      new ValidationError('k must be > 0, got 0', ['k']),
    );
    expect(() => detectAnomaly(h, { ...DEFAULT_ANOMALY_OPTIONS, baseline: 4, minHistory: 8 })).toThrow(
      /minHistory 8 exceeds baseline 4/,
    );
    expect(() => detectAnomaly(h, { ...DEFAULT_ANOMALY_OPTIONS, confirm: 1.5 })).toThrow(
      /confirm must be a whole number ≥ 1, got 1.5/,
    );
  });
});

describe('foldObservations', () => {
  const at = (h: number) => new Date(Date.UTC(2024, 11, 2, h)).toISOString();

  it('folds the hourly runs of one week into one observation, dated by the first', () => {
    const points = [
      { at: at(0), version: '3', value: 12.5 },
      { at: at(1), version: '3', value: 12.5 },
      { at: at(2), version: '3', value: 12.5 },
      { at: at(3), version: '3', value: 14 },
      { at: at(4), version: '3', value: 14 },
    ];
    expect(foldObservations(points)).toEqual([
      { at: at(0), version: '3', value: 12.5 },
      { at: at(3), version: '3', value: 14 },
    ]);
  });

  it('starts a new observation when another version answers, and skips runs that measured nothing', () => {
    const points = [
      { at: at(0), version: '3', value: 12.5 },
      { at: at(1), version: '3' },
      { at: at(2), version: '3', value: 12.5 },
      { at: at(3), version: '4', value: 12.5 },
    ];
    expect(foldObservations(points).map((o) => o.version)).toEqual(['3', '4']);
  });
});
