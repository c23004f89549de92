/**
 * traceBook on an embedded world with a hand-built history: two deploys
 * (recorded the way `forecast-guard deploy` records them), a post-deploy
 * validation carrying the deploy's correlation id, an approval, alerts in
 * and out of the week. Each week names its own version, the deploy and who,
 * the training window (from the version's params or FG_PIPELINE_TRAIN_START),
 * and a correlation id's run is traced with its log search bounded in time.
 */
import { COLLECTIONS } from '../../../../shared/contracts/collections';
import type { AlertState } from '../../../../shared/contracts/documents/alert-state';
import type { Approval } from '../../../../shared/contracts/documents/approval';
import type { ValidationReport } from '../../../../shared/contracts/documents/validation-report';
import type { LogReader, LogSearch } from '../../../../shared/ports/log-reader';
import { recordServingChange } from '../../../../shared/services/rollback/serving-history';
import { traceBook } from '../../../../shared/services/trace';
import type { TraceSettings } from '../../../../shared/services/trace';
import { aNewModelVersion, aPipelineRun, nextIsbn } from '../../../builders/model';
import { embeddedWorld, type EmbeddedWorld } from '../../../helpers/embedded-world';

const ISBN = nextIsbn();
const SETTINGS: TraceSettings = {
  services: ['health-check', 'post-deploy-validation'],
  projectId: 'fg-prod',
  configuredTrainStart: '2012-01-01',
  logLimit: 100,
  logsShareStateClock: true,
};

function alert(fingerprint: string, over: Partial<AlertState>): AlertState {
  return {
    fingerprint,
    kind: 'mape_above_threshold',
    severity: 'critical',
    status: 'firing',
    isbn: ISBN,
    environment: 'production',
    firstSeenAt: '2024-06-05T00:00:00.000Z',
    lastSeenAt: '2024-06-06T00:00:00.000Z',
    notifyCount: 1,
    lastAlert: {
      kind: 'mape_above_threshold',
      severity: 'critical',
      status: 'firing',
      isbn: ISBN,
      modelVersion: '2',
      summary: 'MAPE 61.0 % is above the production limit 30 %',
      details: {},
      source: 'health-check',
      observedAt: '2024-06-06T00:00:00.000Z',
      correlationId: `corr-${fingerprint}`,
    },
    version: 1,
    ...over,
  };
}

describe('traceBook', () => {
  let world: EmbeddedWorld;
  let now = new Date('2024-05-06T09:00:00.000Z');
  const searches: LogSearch[] = [];
  const logs: LogReader = {
    search: async (s) => {
      searches.push(s);
      return { lines: [], truncated: false, searched: 'fake' };
    },
  };
  const ports = () => ({ ...world, logs });
  let v2RunId: string;

  beforeAll(async () => {
    world = await embeddedWorld({
      prefix: 'fg-trace-svc-',
      clock: { now: () => now, sleep: async () => {} },
    });
    await world.registry.registerVersion(aNewModelVersion({ isbn: ISBN, params: { order: [1, 1, 1] } }));
    const v2 = await world.registry.registerVersion(
      aNewModelVersion({
        isbn: ISBN,
        createdAt: '2024-06-01T06:00:00.000Z',
        params: { trainingWeeks: 10 },
        trainedThrough: '2024-05-25',
        dataHash: 'sha256:v2',
        pipelineRunId: 'arima-weekly-20240601',
      }),
    );
    v2RunId = v2.pipelineRunId!;
    await world.pipelines.recordRun(
      aPipelineRun({ id: v2RunId, registered: [{ isbn: ISBN, version: '2' }] }),
    );
    await recordServingChange({ isbn: ISBN, version: '1', by: 'carol' }, world);
    now = new Date('2024-06-04T10:00:00.000Z');
    await recordServingChange({ isbn: ISBN, version: '2', by: 'bob' }, world);
    await world.serving.setTraffic(ISBN, { '2': 100 });
    const report: ValidationReport = {
      reportId: 'val-2',
      isbn: ISBN,
      version: '2',
      passed: false,
      predictions: 1200,
      checks: [
        { name: 'format', passed: true, detail: 'ok' },
        { name: 'accuracy', passed: false, detail: 'MAPE 61.0 > 30' },
      ],
      latency: { p50: 20, p95: 40 },
      startedAt: '2024-06-04T10:05:00.000Z',
      durationMs: 1000,
      correlationId: 'corr-deploy-v2',
    };
    await world.state.set(COLLECTIONS.validationReports, report.reportId, report);
    const approval: Approval = {
      id: 'ap-1',
      isbns: [ISBN],
      version: '2',
      approvedBy: 'dana',
      approvedAt: '2024-06-04T09:50:00.000Z',
      reason: 'weekly retrain',
    };
    await world.state.set(COLLECTIONS.approvals, approval.id, approval);
    await world.state.set(COLLECTIONS.alertStates, 'fp-now', alert('fp-now', {}));
    await world.state.set(
      COLLECTIONS.alertStates,
      'fp-old',
      alert('fp-old', {
        status: 'resolved',
        firstSeenAt: '2024-05-10T00:00:00.000Z',
        lastSeenAt: '2024-05-20T00:00:00.000Z',
        resolvedAt: '2024-05-20T00:00:00.000Z',
      }),
    );
    now = new Date('2024-06-07T12:00:00.000Z');
  });
  afterAll(() => world.close());

  it('names the week’s version, the deploy, who approved it, its validation, run and data', async () => {
    const trace = await traceBook({ isbn: ISBN, week: '2024-06-05' }, ports(), SETTINGS);
    expect(trace.week).toEqual({
      week: '2024-06-03',
      from: '2024-06-03T00:00:00.000Z',
      to: '2024-06-10T00:00:00.000Z',
    });
    // v1 served Monday 00:00 to Tuesday 10:00 (34 h), v2 from then to now, Friday 12:00 (74 h).
    expect(trace.forecast).toEqual({
      version: '2',
      segments: [
        {
          version: '1',
          from: '2024-05-06T09:00:00.000Z',
          until: '2024-06-04T10:00:00.000Z',
          fromExact: true,
          servedHours: 34,
        },
        { version: '2', from: '2024-06-04T10:00:00.000Z', fromExact: true, servedHours: 74 },
      ],
    });
    expect(trace.version).toMatchObject({
      version: '2',
      since: '2024-06-04T10:00:00.000Z',
      cause: {
        via: 'deploy',
        by: 'bob',
        correlationId: 'corr-deploy-v2',
        approvals: [{ id: 'ap-1', approvedBy: 'dana', reason: 'weekly retrain' }],
      },
      pipelineRunId: v2RunId,
      pipelineRun: { id: v2RunId, state: 'PIPELINE_STATE_SUCCEEDED' },
      trainingWindow: { start: '2024-03-23', startFrom: 'version params', trainedThrough: '2024-05-25' },
      dataHash: 'sha256:v2',
      lastKnownGood: false,
    });
    expect(trace.validation).toMatchObject({
      reportId: 'val-2',
      passed: false,
      failed: ['accuracy: MAPE 61.0 > 30'],
    });
    expect(trace.alerts.map((a) => [a.fingerprint, a.inForce, a.servingWhileOpen])).toEqual([
      ['fp-now', true, ['2']],
      ['fp-old', false, ['1']],
    ]);
    const deployQuery = trace.logs.queries.find((q) => q.correlationId === 'corr-deploy-v2');
    // From an hour before the deploy (its validation carries the same id) to two days after.
    expect(deployQuery?.query).toContain('AND timestamp>="2024-06-04T09:00:00.000Z"');
    expect(deployQuery?.query).toContain('AND timestamp<"2024-06-06T10:00:00.000Z"');
    expect(deployQuery?.gcloud).toContain('--project=fg-prod');
    expect(trace.logs.read).toBeUndefined();
    // v1: its deploy; v2: its deploy and the endpoint now.
    expect(trace.timeline.map((t) => [t.version, t.cause, t.evidenceCount])).toEqual([
      ['1', 'deploy 2024-05-06T09:00:00.000Z by carol', 1],
      ['2', 'deploy 2024-06-04T10:00:00.000Z by bob', 2],
    ]);
  });

  it('an earlier week names the version then, with the configured window start when the version has no length', async () => {
    const trace = await traceBook({ isbn: ISBN, week: '2024-05-15' }, ports(), SETTINGS);
    expect(trace.version).toMatchObject({
      version: '1',
      cause: { via: 'deploy', by: 'carol' },
      trainingWindow: { start: '2012-01-01', startFrom: 'FG_PIPELINE_TRAIN_START' },
    });
    expect(trace.validation).toBeUndefined();
  });

  it('traces the run a correlation id names and searches its lines around it', async () => {
    searches.length = 0;
    const trace = await traceBook({ isbn: ISBN, correlationId: 'corr-deploy-v2' }, ports(), SETTINGS);
    expect(trace.version?.version).toBe('2');
    expect(searches).toEqual([
      {
        correlationId: 'corr-deploy-v2',
        limit: 100,
        from: '2024-06-04T09:05:00.000Z',
        to: '2024-06-06T10:05:00.000Z',
      },
    ]);
    expect(trace.logs.read).toMatchObject({ correlationId: 'corr-deploy-v2', lines: [] });
  });

  it('knows nothing before the first record, and says so', async () => {
    const trace = await traceBook({ isbn: ISBN, week: '2024-04-01' }, ports(), SETTINGS);
    expect(trace.forecast).toEqual({ segments: [] });
    expect(trace.version).toBeUndefined();
    expect(trace.notes[0]).toMatch(/no record says which version served in that week/);
  });

  it('refuses --week with --correlation-id, and a bad ISBN', async () => {
    await expect(
      traceBook({ isbn: ISBN, week: '2024-06-05', correlationId: 'c' }, ports(), SETTINGS),
    ).rejects.toThrow(/give --week or --correlation-id, not both/);
    await expect(traceBook({ isbn: '9780722532936' }, ports(), SETTINGS)).rejects.toThrow(/9780722532936/);
  });
});
