/**
 * A served version whose holdout metrics could not be read (a pipeline
 * version whose run is gone: `fg.metrics=missing`) has no baseline to judge
 * live accuracy against: the health check says so in the book's notes, fires
 * nothing for it, and still writes a valid report.
 */
import { COLLECTIONS } from '../../../../shared/contracts/collections';
import { HealthReport } from '../../../../shared/contracts/documents/health-report';
import { MISSING_METRIC_VALUE, ORIGIN_LABEL } from '../../../../shared/domain/version-origin';
import { type HealthCheckRun, runHealthCheck } from '../../../../shared/services/health-check';
import { buildWorld, type World } from './world';

describe('health check of a version without metrics', () => {
  let world: World;
  beforeEach(async () => (world = await buildWorld(2)));
  afterEach(() => world.close());

  it('notes that accuracy is not judged, fires nothing for it, and writes a valid report', async () => {
    const [isbn] = world.isbns;
    const base = (await world.registry.getVersion(isbn!, '1'))!;
    const forecast = await world.registry.getForecast(isbn!, '1');
    const v = await world.registry.registerVersion({
      isbn: isbn!,
      metrics: { rmse: MISSING_METRIC_VALUE, mape: MISSING_METRIC_VALUE },
      dataHash: base.dataHash,
      trainedThrough: base.trainedThrough,
      forecast,
      labels: { [ORIGIN_LABEL.metrics]: 'missing', [ORIGIN_LABEL.metricsReason]: 'run r1 does not exist' },
    });
    await world.serving.setTraffic(isbn!, { [v.version]: 100 });

    const run: HealthCheckRun = {
      runId: 'hc-missing-metrics',
      trigger: 'manual',
      correlationId: 'corr-missing-metrics',
    };
    const result = await runHealthCheck(run, world.deps, world.settings());
    const model = result.models.find((m) => m.isbn === isbn)!;
    expect(model.notes).toContain(
      'accuracy not judged: version 2 has no holdout metrics (run r1 does not exist)',
    );
    expect(result.alerts.filter((a) => a.isbn === isbn)).toEqual([]);
    HealthReport.parse((await world.state.get(COLLECTIONS.healthReports, run.runId))!.data);
  });
});
