/** The kept observation history: folding points into entries, appending (bounded, retry-safe), one metric's series. */
import type { MetricObservationEntry } from '../../../../shared/contracts/documents/metric-observations';
import {
  appendObservation,
  foldEntries,
  foldObservations,
  seriesOf,
} from '../../../../shared/domain/anomaly/observations';

const point = (h: number, version: string, mape?: number, rmse?: number) => ({
  at: new Date(Date.UTC(2031, 0, 1, h)).toISOString(),
  runId: `hc-${h}`,
  version,
  mape,
  rmse,
});

describe('foldEntries', () => {
  it('makes one entry per run of equal figures, dated by its first point, and skips points without figures', () => {
    const points = [
      point(0, '3', 15, 10),
      point(1, '3', 15, 10),
      point(2, '3'),
      point(3, '3', 15, 12),
      point(4, '4', 15, 12),
      point(5, '4', 15, 12),
    ];
    expect(foldEntries(points)).toEqual([
      { at: points[0]!.at, runId: 'hc-0', version: '3', mape: 15, rmse: 10 },
      { at: points[3]!.at, runId: 'hc-3', version: '3', mape: 15, rmse: 12 },
      { at: points[4]!.at, runId: 'hc-4', version: '4', mape: 15, rmse: 12 },
    ]);
  });

  it("gives each metric the series folding that metric's points would", () => {
    const points = [15, 15, 16, 16, 16, 14, 14].map((m, h) => point(h, h < 4 ? '3' : '4', m, 10 + (h % 2)));
    for (const metric of ['mape', 'rmse'] as const)
      expect(seriesOf(foldEntries(points), metric)).toEqual(
        foldObservations(points.map((p) => ({ at: p.at, version: p.version, value: p[metric] }))),
      );
  });
});

describe('appendObservation', () => {
  const history: MetricObservationEntry[] = [10, 11, 12].map((m, h) => ({ ...point(h, '3'), mape: m }));

  it('appends, then keeps the newest `keep`', () => {
    const next = appendObservation(history, { ...point(9, '3'), mape: 13 }, 3);
    expect(next.map((e) => e.mape)).toEqual([11, 12, 13]);
    expect(appendObservation(history, { ...point(9, '3'), mape: 13 }, 10)).toHaveLength(4);
  });

  it('replaces an entry of the same run (a retry) instead of adding one', () => {
    const retried = appendObservation(history, { ...point(2, '3'), mape: 14 }, 10);
    expect(retried.map((e) => [e.runId, e.mape])).toEqual([
      ['hc-0', 10],
      ['hc-1', 11],
      ['hc-2', 14],
    ]);
  });

  it('adds nothing for figures equal to the newest entry: the same observation', () => {
    expect(appendObservation(history, { ...point(9, '3'), mape: 12 }, 10)).toEqual(history);
    expect(appendObservation(history, { ...point(9, '4'), mape: 12 }, 10)).toHaveLength(4);
  });
});
