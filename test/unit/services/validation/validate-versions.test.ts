import { COLLECTIONS } from '../../../../shared/contracts/collections';
import { ValidationReport } from '../../../../shared/contracts/documents/validation-report';
import { ConflictError, NotFoundError } from '../../../../shared/errors';
import { validateVersions } from '../../../../shared/services/validation/validate-versions';
import { aForecast } from '../../../builders/model';
import { countingServing, openWorld, type World } from './world';

describe('validateVersions', () => {
  let world: World;
  beforeEach(async () => {
    world = await openWorld();
  });
  afterEach(async () => world.close());

  it('makes 1,000+ pinned predictions with bounded concurrency and stores a passing report', async () => {
    const isbn = await world.aBook(2);
    const serving = countingServing(world.serving);
    const [v] = await validateVersions(
      [{ isbn, version: '2', previousVersion: '1', correlationId: 'corr-1' }],
      world.deps({ serving, options: { concurrency: 4, minPredictions: 1000 } }),
    );
    const report = v!.report;
    expect(report.passed).toBe(true);
    expect(report.predictions).toBe(1040);
    expect(serving.maxInFlight).toBeLessThanOrEqual(4);
    expect(serving.maxInFlight).toBeGreaterThan(1);
    // Batch, the longest-horizon probe, the previous version's forecast and 7 edge cases.
    expect(serving.calls).toBe(1040 + 1 + 1 + 7);
    expect(report.checks.map((c) => c.name)).toEqual([
      'answered',
      'format',
      'horizon',
      'values',
      'intervals',
      'range.history',
      'range.recent-level',
      'shift',
      'edge-cases',
      'accuracy.rmse',
      'accuracy.mape',
      'regression',
      'latency',
      'arima.order',
      'arima.ma1',
      'arima.forecast-growth',
      'arima.residuals',
      'explanation',
    ]);
    const stored = await world.state.get(COLLECTIONS.validationReports, report.reportId);
    expect(ValidationReport.parse(stored!.data)).toEqual(report);
    expect(report.checks.find((c) => c.name === 'shift')!.detail).toContain("version 1's over");
    expect(v!.explanation.text).toContain('Recent level: about');
    expect(v!.model.order).toBe('(0,1,1)');
  });

  it('fails a version whose forecast is a NaN every few weeks, naming the week', async () => {
    const isbn = await world.aBook(1);
    const base = aForecast({ level: 110, trend: 0 });
    const nan = (xs: number[]) => xs.map((x, i) => (i % 4 === 1 ? null : x));
    const bad = await world.addVersion(isbn, {
      forecast: { mean: nan(base.mean), lower: nan(base.lower), upper: nan(base.upper) },
    });
    await world.serving.setTraffic(isbn, { [bad]: 100 });
    const [v] = await validateVersions([{ isbn, version: bad, correlationId: 'c' }], world.deps());
    const failed = v!.report.checks.filter((c) => !c.passed).map((c) => c.name);
    expect(failed).toEqual(['values', 'arima.forecast-growth']);
    expect(v!.report.checks.find((c) => c.name === 'values')!.detail).toContain(
      'week 2 (2024-12-14) is null (NaN)',
    );
  });

  it('spreads one run over a fleet and still reaches the floor', async () => {
    const books = [await world.aBook(1), await world.aBook(1), await world.aBook(1)];
    const results = await validateVersions(
      books.map((isbn) => ({ isbn, version: '1', correlationId: 'c' })),
      world.deps({ options: { minPredictions: 500 } }),
    );
    expect(results.map((r) => r.report.isbn)).toEqual(books);
    // 3 books × 2 rounds of the 104-request grid: the floor spread over the run, not paid per book.
    expect(results.reduce((s, r) => s + r.report.predictions, 0)).toBe(3 * 2 * 104);
    for (const r of results) expect(r.report.passed).toBe(true);
  });

  it('refuses a version that is not deployed, and an unknown one, by name', async () => {
    const isbn = await world.aBook(1);
    const loose = await world.addVersion(isbn);
    await expect(
      validateVersions([{ isbn, version: loose, correlationId: 'c' }], world.deps()),
    ).rejects.toThrow(ConflictError);
    await expect(
      validateVersions([{ isbn, version: '9', correlationId: 'c' }], world.deps()),
    ).rejects.toThrow(`ISBN ${isbn} has no version 9 in the registry`);
    await expect(
      validateVersions([{ isbn, version: '9', correlationId: 'c' }], world.deps()),
    ).rejects.toThrow(NotFoundError);
  });

  it('names a bad option', async () => {
    const isbn = await world.aBook(1);
    await expect(
      validateVersions(
        [{ isbn, version: '1', correlationId: 'c' }],
        world.deps({ options: { concurrency: 0 } }),
      ),
    ).rejects.toThrow('validation concurrency must be a whole number from 1 to 256 (got 0)');
  });
});
