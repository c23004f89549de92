/**
 * The ServingTarget contract: what SqliteServingTarget and a Vertex AI
 * endpoint adapter must both do. It seeds only through the ports
 * (`registerVersion`, `setTraffic`), so any backend can run it.
 */
import { performance } from 'node:perf_hooks';
import type { StoredForecast } from '../../shared/contracts/model';
import { ConflictError, NotFoundError, ValidationError } from '../../shared/errors';
import { mulberry32 } from '../../shared/fleet/prng';
import type { ModelRegistry } from '../../shared/ports/model-registry';
import type { ServingTarget } from '../../shared/ports/serving-target';
import { aForecast, aNewModelVersion, FIRST_FORECAST_WEEK, nextIsbn } from '../builders/model';
import { reportFigure } from '../helpers/figures';

export interface ServingTargetFixture {
  registry: ModelRegistry;
  serving: ServingTarget;
  close?: () => Promise<void>;
}

export interface ServingTargetFixtureOptions {
  /** Routes requests by traffic; adapters that cannot inject randomness (a real endpoint) ignore it. */
  random: () => number;
}

const TRAFFIC_SEED = 42;
const TRAFFIC_CALLS = 2000;
/** Allowed gap between the share observed over TRAFFIC_CALLS and the split (≈ 4.5 σ for 10 %). */
const TRAFFIC_TOLERANCE = 0.03;
const BULK_INSTANCES = 1000;

/** `count` consecutive Saturdays from `first`, worked out here independently of the code under test. */
function saturdaysFrom(first: string, count: number): string[] {
  const start = Date.parse(`${first}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) =>
    new Date(start + i * 7 * 86_400_000).toISOString().slice(0, 10),
  );
}

/** Runs the contract against a fresh registry and endpoint set from `make` for every test. */
export function describeServingTargetContract(
  label: string,
  make: (options: ServingTargetFixtureOptions) => Promise<ServingTargetFixture>,
): void {
  describe(`ServingTarget contract: ${label}`, () => {
    let fixture: ServingTargetFixture;
    let registry: ModelRegistry;
    let serving: ServingTarget;

    beforeEach(async () => {
      fixture = await make({ random: mulberry32(TRAFFIC_SEED).next });
      ({ registry, serving } = fixture);
    });
    afterEach(async () => {
      await fixture.close?.();
    });

    /** A new book with one version per forecast; returns its ISBN. */
    async function bookWith(...forecasts: StoredForecast[]): Promise<string> {
      const isbn = nextIsbn();
      for (const forecast of forecasts) await registry.registerVersion(aNewModelVersion({ isbn, forecast }));
      return isbn;
    }

    it('has no endpoint for a book never deployed', async () => {
      const isbn = await bookWith(aForecast());
      expect(await serving.getServing(isbn)).toBeUndefined();
    });

    it('serves one version at 100 % once traffic is set', async () => {
      const isbn = await bookWith(aForecast());
      const state = await serving.setTraffic(isbn, { '1': 100 });
      expect(state.isbn).toBe(isbn);
      expect(state.deployments).toEqual([expect.objectContaining({ version: '1', trafficPercent: 100 })]);
      expect(Number.isNaN(Date.parse(state.updatedAt))).toBe(false);
      expect(await serving.getServing(isbn)).toEqual(state);
      expect((await serving.listServing()).map((s) => s.isbn)).toContain(isbn);
    });

    it('splits 90/10 and keeps versions left out of a later split deployed at 0 %', async () => {
      const isbn = await bookWith(aForecast(), aForecast(), aForecast());
      await serving.setTraffic(isbn, { '1': 90, '2': 10 });
      expect((await serving.getServing(isbn))?.deployments).toEqual([
        expect.objectContaining({ version: '1', trafficPercent: 90 }),
        expect.objectContaining({ version: '2', trafficPercent: 10 }),
      ]);

      await serving.setTraffic(isbn, { '3': 100 });
      const split = Object.fromEntries(
        (await serving.getServing(isbn))!.deployments.map((d) => [d.version, d.trafficPercent]),
      );
      expect(split).toEqual({ '1': 0, '2': 0, '3': 100 });
    });

    it('rejects a bad split naming the problem, and leaves traffic as it was', async () => {
      const isbn = await bookWith(aForecast(), aForecast());
      await serving.setTraffic(isbn, { '1': 100 });
      const bad: Array<[Record<string, number>, string]> = [
        [{ '1': 50, '2': 40 }, 'sum to 100'],
        [{ '1': 50.5, '2': 49.5 }, 'split["1"]'],
        [{ '1': 110, '2': -10 }, 'split["1"]'],
        [{}, 'split'],
      ];
      for (const [split, named] of bad) {
        const err = await serving.setTraffic(isbn, split).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ValidationError);
        expect((err as Error).message).toContain(named);
      }
      const missing = await serving.setTraffic(isbn, { '1': 50, '9': 50 }).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(NotFoundError);
      expect((missing as Error).message).toContain('9');
      await expect(serving.setTraffic(nextIsbn(), { '1': 100 })).rejects.toThrow(NotFoundError);
      expect((await serving.getServing(isbn))?.deployments).toEqual([
        expect.objectContaining({ version: '1', trafficPercent: 100 }),
      ]);
    });

    it('refuses to undeploy a version with traffic and removes one at 0 %', async () => {
      const isbn = await bookWith(aForecast(), aForecast());
      await serving.setTraffic(isbn, { '1': 90, '2': 10 });
      await expect(serving.undeploy(isbn, '2')).rejects.toThrow(ConflictError);

      await serving.setTraffic(isbn, { '1': 100, '2': 0 });
      await serving.undeploy(isbn, '2');
      expect((await serving.getServing(isbn))?.deployments.map((d) => d.version)).toEqual(['1']);
      await expect(serving.undeploy(isbn, '2')).resolves.toBeUndefined();
    });

    it(`answers ${BULK_INSTANCES} instances from the stored forecast`, async () => {
      const forecast = aForecast();
      const isbn = await bookWith(forecast);
      await serving.setTraffic(isbn, { '1': 100 });
      const instances = Array.from({ length: BULK_INSTANCES }, (_, i) => ({
        steps: (i % 104) + 1,
        ...(i % 3 === 0 ? { return_confidence_intervals: true } : {}),
      }));

      const timed = async () => {
        const started = performance.now();
        const result = await serving.predict(isbn, instances);
        return { result, ms: performance.now() - started };
      };
      const first = await timed();
      const again = await timed();
      const rate = (ms: number) => Math.round(BULK_INSTANCES / (ms / 1000));
      reportFigure(
        'serving-target',
        `predict-${BULK_INSTANCES}-${label}`,
        `first call ${first.ms.toFixed(1)} ms (${rate(first.ms)} instances/s), second ${again.ms.toFixed(1)} ms (${rate(again.ms)} instances/s)`,
      );
      const response = first.result;
      expect(again.result).toEqual(response);

      expect(response.modelVersionId).toBe('1');
      expect(response.deployedModelId).toEqual(expect.any(String));
      expect(response.predictions).toHaveLength(BULK_INSTANCES);
      const weeks = saturdaysFrom(FIRST_FORECAST_WEEK, 104);
      // One expected structure and one comparison: 1,000 separate expect calls per field would dominate the run.
      const expected = instances.map(({ steps, return_confidence_intervals }) => ({
        forecast: forecast.mean.slice(0, steps),
        model_version: '1',
        weeks: weeks.slice(0, steps),
        ...(return_confidence_intervals
          ? { lower_bound: forecast.lower.slice(0, steps), upper_bound: forecast.upper.slice(0, steps) }
          : {}),
      }));
      expect(response.predictions).toEqual(expected);
      const withIntervals = response.predictions.filter((p) => p.lower_bound !== undefined);
      expect(withIntervals).toHaveLength(Math.ceil(BULK_INSTANCES / 3));
      expect(response.predictions.filter((p) => 'lower_bound' in p || 'upper_bound' in p)).toHaveLength(
        withIntervals.length,
      );
      const disordered = withIntervals.flatMap((p) =>
        p.forecast.filter(
          (value, w) => !(value !== null && p.lower_bound![w]! <= value && value <= p.upper_bound![w]!),
        ),
      );
      expect(disordered).toEqual([]);
    });

    it('rejects each bad instance naming its index and field', async () => {
      const isbn = await bookWith(aForecast());
      await serving.setTraffic(isbn, { '1': 100 });
      const bad: Array<[unknown, string]> = [
        [{ steps: 0 }, 'instances[3].steps'],
        [{ steps: -1 }, 'instances[3].steps'],
        [{ steps: 105 }, 'instances[3].steps'],
        [{ steps: 2.5 }, 'instances[3].steps'],
        [{}, 'instances[3].steps'],
        [{ steps: '3' }, 'instances[3].steps'],
        [{ steps: 3, return_confidence_intervals: 'yes' }, 'instances[3].return_confidence_intervals'],
        [null, 'instances[3]'],
      ];
      for (const [instance, field] of bad) {
        const instances = [{ steps: 1 }, { steps: 2 }, { steps: 3 }, instance, { steps: 4 }];
        const err = await serving.predict(isbn, instances).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ValidationError);
        expect((err as ValidationError).fields).toEqual([field]);
        expect((err as Error).message).toContain(`${field}:`);
      }
    });

    it('rejects a prediction for a book with no endpoint', async () => {
      await expect(serving.predict(nextIsbn(), [{ steps: 4 }])).rejects.toThrow(NotFoundError);
    });

    it('answers from a pinned version, and refuses one not deployed', async () => {
      const v1 = aForecast({ level: 100 });
      const v2 = aForecast({ level: 500 });
      const isbn = await bookWith(v1, v2, aForecast({ level: 900 }));
      await serving.setTraffic(isbn, { '1': 100, '2': 0 });

      const pinned = await serving.predict(isbn, [{ steps: 8 }], { version: '2' });
      expect(pinned.modelVersionId).toBe('2');
      expect(pinned.predictions[0]?.forecast).toEqual(v2.mean.slice(0, 8));
      expect(pinned.predictions[0]?.model_version).toBe('2');

      const routed = await serving.predict(isbn, [{ steps: 8 }]);
      expect(routed.predictions[0]?.forecast).toEqual(v1.mean.slice(0, 8));
      await expect(serving.predict(isbn, [{ steps: 8 }], { version: '3' })).rejects.toThrow(ConflictError);
    });

    it(`honours a 90/10 split over ${TRAFFIC_CALLS} requests`, async () => {
      const isbn = await bookWith(aForecast({ level: 100 }), aForecast({ level: 200 }));
      await serving.setTraffic(isbn, { '1': 90, '2': 10 });
      const counts: Record<string, number> = {};
      for (let i = 0; i < TRAFFIC_CALLS; i++) {
        const { modelVersionId } = await serving.predict(isbn, [{ steps: 1 }]);
        counts[modelVersionId] = (counts[modelVersionId] ?? 0) + 1;
      }
      const share = (counts['2'] ?? 0) / TRAFFIC_CALLS;
      reportFigure(
        'serving-target',
        `traffic-split-${label}`,
        `v2 served ${(share * 100).toFixed(1)} % (asked 10 %)`,
      );
      expect(Object.keys(counts).sort()).toEqual(['1', '2']);
      expect(Math.abs(share - 0.1)).toBeLessThanOrEqual(TRAFFIC_TOLERANCE);
    });
  });
}
