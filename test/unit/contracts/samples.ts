/**
 * One valid sample of every message and document, for the contract tests to
 * start from and break one field at a time.
 */
export const ISBN = '9780722532935';
export const ISBN_2 = '9780241003008';
export const AT = '2024-05-01T10:00:00.000Z';

export const healthCheckRequest = () => ({ trigger: 'manual', isbns: [ISBN], correlationId: 'corr-1' });

export const dailySummaryRequest = () => ({ trigger: 'schedule', date: '2024-05-01' });

export const alert = () => ({
  kind: 'rmse_spike',
  severity: 'critical',
  status: 'firing',
  isbn: ISBN,
  modelVersion: '22',
  summary: 'RMSE 112.4 is 41 % above the baseline 79.7',
  details: { rmse: 112.4, baselineRmse: 79.7 },
  source: 'health-check',
  observedAt: AT,
  correlationId: 'corr-1',
  runId: 'run-2024-05-01T10',
  environment: 'production',
});

export const modelDeployed = () => ({
  isbn: ISBN,
  version: '23',
  environment: 'production',
  deployedBy: 'deploy_model.sh (alice@example.com)',
  pipelineJobId: 'train-20240501',
  correlationId: 'corr-2',
  previousVersion: '22',
});

export const rollbackRequest = () => ({
  requestId: 'req-1',
  scope: { isbns: [ISBN] },
  target: { kind: 'version', version: '22' },
  reason: 'RMSE spike after v23',
  requestedBy: 'alice@example.com',
  dryRun: false,
  correlationId: 'corr-3',
});

export const lifecycleEvent = () => ({
  type: 'rollback.succeeded',
  isbn: ISBN,
  fromVersion: '23',
  toVersion: '22',
  rollbackId: 'rb-1',
  at: AT,
  correlationId: 'corr-3',
});

export const servingState = () => ({
  isbn: ISBN,
  deployments: [{ version: '23', trafficPercent: 100 }],
  updatedAt: AT,
});

export const alertState = () => ({
  fingerprint: 'fp-3f9c2b7d',
  kind: 'rmse_spike',
  severity: 'critical',
  status: 'firing',
  isbn: ISBN,
  environment: 'production',
  firstSeenAt: AT,
  lastSeenAt: AT,
  lastNotifiedAt: AT,
  notifyCount: 1,
  lastAlert: alert(),
  version: 3,
});

export const pendingNotification = () => ({
  id: 'n-1',
  fingerprints: ['fp-3f9c2b7d'],
  channel: 'slack',
  payload: { text: 'RMSE spike' },
  attempts: 2,
  nextAttemptAt: AT,
  lastError: 'HTTP 503 from Slack',
  createdAt: AT,
});

export const lastKnownGood = () => ({
  isbn: ISBN,
  version: '22',
  validatedAt: AT,
  reportId: 'vr-1',
  setBy: 'post-deploy-validation',
});

export const rollbackLease = () => ({
  isbn: ISBN,
  holder: 'rollback/rb-1',
  requestId: 'req-1',
  expiresAt: AT,
});

export const rollbackBackup = () => ({
  backupId: 'bk-1',
  rollbackId: 'rb-1',
  createdAt: AT,
  entries: [
    { isbn: ISBN, productionAlias: '23', serving: servingState() },
    { isbn: ISBN_2, serving: null },
  ],
});

export const rollbackRecord = () => ({
  rollbackId: 'rb-1',
  requestId: 'req-1',
  isbn: ISBN,
  from: '23',
  to: '22',
  status: 'succeeded',
  verified: true,
  durationMs: 1840,
  requestedBy: 'alice@example.com',
  reason: 'RMSE spike after v23',
  at: AT,
});

export const processedMessage = () => ({
  id: '2070443601311540',
  topic: 'alerts',
  consumer: 'alert-dispatch',
  processedAt: AT,
  expireAt: '2024-05-15T10:00:00.000Z',
});

export const healthReport = () => ({
  runId: 'run-1',
  trigger: 'schedule',
  startedAt: AT,
  finishedAt: '2024-05-01T10:00:04.200Z',
  durationMs: 4200,
  status: 'degraded',
  registry: { ok: true, latencyMs: 35 },
  models: [
    {
      isbn: ISBN,
      version: '23',
      rmse: 112.4,
      mape: 21.5,
      baselineRmse: 79.7,
      baselineMape: 18.2,
      status: 'degraded',
    },
    {
      isbn: ISBN_2,
      version: '7',
      rmse: 40.1,
      mape: 9.8,
      smape: 9.5,
      mase: 0.8,
      baselineRmse: 41,
      baselineMape: 10,
      status: 'healthy',
      canaryLatencyMs: 12,
    },
  ],
  alerts: [{ kind: 'rmse_spike', severity: 'critical', isbn: ISBN }],
  correlationId: 'corr-1',
});

export const validationReport = () => ({
  reportId: 'vr-1',
  isbn: ISBN,
  version: '23',
  passed: false,
  predictions: 1040,
  checks: [
    { name: 'format', passed: true, detail: '1040 predictions well formed' },
    { name: 'accuracy', passed: false, detail: 'RMSE 112.4 >= 80', figure: 112.4 },
  ],
  latency: { p50: 4, p95: 11 },
  startedAt: AT,
  durationMs: 5300,
  correlationId: 'corr-2',
});

export const approval = () => ({
  id: 'ap-1',
  isbns: [ISBN],
  version: '23',
  approvedBy: 'bob@example.com',
  approvedAt: AT,
  reason: 'reviewed holdout metrics',
});

export const metricPoint = () => ({
  isbn: '9780722532935',
  at: '2031-03-03T09:00:04.000Z',
  runId: 'hc-2031-03-03T09',
  version: '3',
  status: 'degraded',
  rmse: 41.5,
  mape: 18.25,
  smape: 17.9,
  mase: 1.12,
  bias: -6.5,
  psi: 0.31,
  expireAt: '2031-06-01T09:00:04.000Z',
});

export const metricRollup = () => ({
  isbn: '9780722532935',
  week: '2031-03-03',
  points: 24,
  versions: ['2', '3'],
  statuses: { healthy: 20, degraded: 4 },
  rmse: { mean: 30.1, min: 22.4, max: 41.5 },
  mape: { mean: 12.5, min: 9.75, max: 18.25 },
  bias: { mean: -2.5, min: -6.5, max: 1.25 },
  expireAt: '2033-03-03T09:00:04.000Z',
});

export const metricObservations = () => ({
  isbn: '9780722532935',
  updatedAt: '2031-03-10T09:00:04.000Z',
  seededFromPoints: 336,
  observations: [
    { at: '2031-03-03T09:00:04.000Z', runId: 'hc-2031-03-03T09', version: '3', mape: 18.25, rmse: 41.5 },
    {
      at: '2031-03-10T09:00:04.000Z',
      runId: 'hc-2031-03-10T09',
      version: '3',
      mape: 21.5,
      rmse: 44,
      smape: 19.75,
      mase: 1.2,
    },
  ],
});
