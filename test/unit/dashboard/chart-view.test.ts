/**
 * The chart of a book with no sales yet: its forecast is asked up to the
 * backend's "now" (the fleet clock on the embedded backend), never the
 * machine's date, so the chart does not change with the calendar.
 */
import { chartView } from '../../../shared/dashboard/chart-view';
import type { ViewPorts } from '../../../shared/dashboard/views';

const ISBN = '9780722532935';

function portsAt(now: string, asked: number[]): ViewPorts {
  const ports = {
    config: { environment: 'development', thresholds: { overrides: {} } },
    clock: { now: () => new Date(now) },
    sales: { getSeries: async () => undefined },
    serving: {
      getServing: async () => ({ isbn: ISBN, deployments: [{ version: '3', trafficPercent: 100 }] }),
      predict: async (_isbn: string, instances: Array<{ steps: number }>) => {
        asked.push(instances[0]!.steps);
        return {
          predictions: [{ weeks: ['2025-01-04'], forecast: [10], lower_bound: [5], upper_bound: [15] }],
        };
      },
    },
    registry: {
      getAlias: async () => undefined,
      getVersion: async () => ({ version: '3', trainedThrough: '2024-12-28' }),
    },
    state: { get: async () => undefined },
  };
  return ports as unknown as ViewPorts;
}

describe('chartView', () => {
  it("asks a book without sales for weeks up to the backend clock's now, plus twelve", async () => {
    const asked: number[] = [];
    const view = await chartView(
      portsAt('2025-03-01T00:00:00Z', asked),
      ISBN,
      new Map([[ISBN, 'The Alchemist']]),
    );
    // 2024-12-28 → 2025-03-01 is 9 weeks; the chart looks 12 weeks beyond.
    expect(asked).toEqual([21]);
    expect(view.version).toBe('3');
    expect(view.actuals).toEqual([]);
    expect(view.forecast).toEqual([{ week: '2025-01-04', mean: 10, lower: 5, upper: 15 }]);
  });
});
