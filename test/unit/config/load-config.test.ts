import { join } from 'node:path';
import { ALIASES, loadConfig, VARIABLE_NAMES, VARIABLES } from '../../../shared/config';
import { ConfigError } from '../../../shared/errors';

const FIXTURES = join(__dirname, '../../fixtures/config');
const CWD = '/srv/forecast-guard';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({}, { cwd: CWD });
    expect(config).toEqual({
      environment: 'development',
      deployerPrincipals: [],
      backend: 'local',
      cost: {},
      stateDir: '/srv/forecast-guard/.forecast-guard',
      registry: 'local',
      logLevel: 'info',
      sales: {},
      gcp: {
        region: 'europe-west2',
        vertexEndpointPrefix: 'forecast-',
        vertexDeadlineMs: 60_000,
        vertexLroDeadlineMs: 30 * 60_000,
        vertexQuotaShare: 0.9,
        vertexQuotas: {},
        emulators: {},
      },
      notify: { emailTo: [] },
      pipeline: { trainStart: '2012-01-01' },
      thresholds: { overrides: {} },
      salesUpdates: { prefix: '' },
      anomaly: { metrics: ['mape'], k: 2, baseline: 26, history: 60, seedPoints: 7000 },
      history: { pointRetentionMs: 35 * 86_400_000, rollupRetentionMs: 730 * 86_400_000 },
      flush: { auth: 'token' },
      alerting: {
        repeatIntervalMs: { critical: 4 * 3_600_000, warning: 24 * 3_600_000 },
        escalateAfterMs: 30 * 60_000,
        groupWaitMs: 2000,
        pendingPeriodMs: 0,
        pipelineStaleAfterMs: 8 * 86_400_000,
        dataFreshnessWeeks: 2,
        healthConcurrency: 4,
        healthSlice: 500,
        runbookBaseUrl: 'docs/runbooks/',
      },
      defaulted: VARIABLES.filter((v) => v.default !== undefined).map((v) => v.name),
      warnings: [],
    });
  });

  it('reads every setting of a full production deployment', () => {
    const config = loadConfig(
      {
        FG_ENVIRONMENT: 'production',
        FG_BACKEND: 'gcp',
        FG_STATE_DIR: '/var/lib/fg',
        FG_REGISTRY: 'vertex',
        FG_LOG_LEVEL: 'warning',
        GOOGLE_CLOUD_PROJECT: 'acme-forecasts',
        FG_REGION: 'us-central1',
        FG_VERTEX_ENDPOINT_PREFIX: 'book-',
        FG_SALES_URI: 'gs://acme-book-sales/raw_data/UK_weekly_data.csv',
        FG_SALES_COLUMNS: 'isbn=ISBN, week=End Date ,volume=Volume',
        FG_VERTEX_DEADLINE: '20s',
        FG_VERTEX_LRO_DEADLINE: '1h',
        FG_VERTEX_QUOTA_SHARE: '0.5',
        FG_VERTEX_QUOTAS: 'resource_management=1200, online_prediction=60000',
        SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/abc',
        SLACK_ESCALATION_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B1/def',
        SMTP_URL: 'smtps://alerts:pw@smtp.example.com:465',
        ALERT_EMAIL_TO: ' oncall@example.com ,ml-team@example.com',
        ALERT_EMAIL_FROM: 'Forecast Guard <fg@example.com>',
        FG_ROLLBACK_TOKEN: 'a-long-enough-rollback-token',
        FG_FLUSH_AUTH: 'iam',
        FG_ROLLBACK_AUDIENCE:
          'https://us-central1-acme-forecasts.cloudfunctions.net/rollback-http, 32555940559.apps.googleusercontent.com',
        FG_DEPLOYER_PRINCIPALS:
          'fg-rollback@acme.iam.gserviceaccount.com, fg-deployer@acme.iam.gserviceaccount.com',
        FG_REPEAT_INTERVAL_CRITICAL: '2h',
        FG_REPEAT_INTERVAL_WARNING: '12h',
        FG_ESCALATE_AFTER: '15m',
        FG_PENDING_PERIOD: '90s',
        FG_GROUP_WAIT: '10s',
        FG_PIPELINE_STALE_AFTER: '1w1d',
        FG_DATA_FRESHNESS_WEEKS: '3',
        FG_HEALTH_CONCURRENCY: '16',
        FG_HEALTH_SLICE: '250',
        FG_RUNBOOK_BASE_URL: 'https://github.com/acme/forecast-guard/blob/main/docs/runbooks/',
        FG_PIPELINE_TRAIN_START: '2013-01-05',
        FG_PRICE_TABLE: 'prices/acme.json',
        FG_ANOMALY_METRICS: 'mape, rmse,mape',
        FG_ANOMALY_K: '2.5',
        FG_ANOMALY_BASELINE: '52',
        FG_METRIC_RETENTION: '14d',
        FG_METRIC_ROLLUP_RETENTION: '365d',
        FG_ANOMALY_HISTORY: '120',
        FG_ANOMALY_SEED_POINTS: '9000',
      },
      { cwd: CWD },
    );
    expect(config.environment).toBe('production');
    expect(config.anomaly).toEqual({
      metrics: ['mape', 'rmse'],
      k: 2.5,
      baseline: 52,
      history: 120,
      seedPoints: 9000,
    });
    expect(config.deployerPrincipals).toEqual([
      'fg-rollback@acme.iam.gserviceaccount.com',
      'fg-deployer@acme.iam.gserviceaccount.com',
    ]);
    expect(config.backend).toBe('gcp');
    expect(config.history).toEqual({
      pointRetentionMs: 14 * 86_400_000,
      rollupRetentionMs: 365 * 86_400_000,
    });
    expect(config.stateDir).toBe('/var/lib/fg');
    expect(config.registry).toBe('vertex');
    expect(config.logLevel).toBe('warning');
    expect(config.gcp).toEqual({
      projectId: 'acme-forecasts',
      region: 'us-central1',
      vertexEndpointPrefix: 'book-',
      vertexDeadlineMs: 20_000,
      vertexLroDeadlineMs: 3_600_000,
      vertexQuotaShare: 0.5,
      vertexQuotas: { resource_management: 1200, online_prediction: 60_000 },
      emulators: {},
    });
    expect(config.notify).toEqual({
      slackWebhookUrl: 'https://hooks.slack.com/services/T0/B0/abc',
      slackEscalationWebhookUrl: 'https://hooks.slack.com/services/T0/B1/def',
      smtpUrl: 'smtps://alerts:pw@smtp.example.com:465',
      emailTo: ['oncall@example.com', 'ml-team@example.com'],
      emailFrom: 'Forecast Guard <fg@example.com>',
    });
    expect(config.sales).toEqual({
      uri: 'gs://acme-book-sales/raw_data/UK_weekly_data.csv',
      columns: { isbn: 'ISBN', week: 'End Date', volume: 'Volume' },
    });
    expect(config.pipeline).toEqual({ trainStart: '2013-01-05' });
    expect(config.cost).toEqual({ priceTableFile: join(CWD, 'prices/acme.json') });
    expect(config.rollbackToken).toBe('a-long-enough-rollback-token');
    expect(config.flush).toEqual({ auth: 'iam' });
    expect(config.rollbackAudiences).toEqual([
      'https://us-central1-acme-forecasts.cloudfunctions.net/rollback-http',
      '32555940559.apps.googleusercontent.com',
    ]);
    expect(config.alerting).toEqual({
      repeatIntervalMs: { critical: 7_200_000, warning: 43_200_000 },
      escalateAfterMs: 900_000,
      groupWaitMs: 10_000,
      pendingPeriodMs: 90_000,
      pipelineStaleAfterMs: 8 * 86_400_000,
      dataFreshnessWeeks: 3,
      healthConcurrency: 16,
      healthSlice: 250,
      runbookBaseUrl: 'https://github.com/acme/forecast-guard/blob/main/docs/runbooks/',
    });
    expect(config.defaulted).toEqual([]);
    expect(config.warnings).toEqual([]);
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig({
      ALERT_EMAIL_TO: 'a@example.com',
      SMTP_URL: 'smtp://mail',
      ALERT_EMAIL_FROM: 'f@x.io',
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.alerting.repeatIntervalMs)).toBe(true);
    expect(Object.isFrozen(config.notify.emailTo)).toBe(true);
    expect(() => {
      (config as { environment: string }).environment = 'production';
    }).toThrow(TypeError);
  });

  it('names a bad Vertex deadline, quota share or quota override', () => {
    expect(() => loadConfig({ FG_VERTEX_DEADLINE: '0s' })).toThrow(/FG_VERTEX_DEADLINE must be a duration/);
    expect(() => loadConfig({ FG_VERTEX_QUOTA_SHARE: '1.5' })).toThrow(
      /FG_VERTEX_QUOTA_SHARE must be a number greater than 0 and at most 1 \(got "1.5"\)/,
    );
    expect(() => loadConfig({ FG_VERTEX_QUOTA_SHARE: '0' })).toThrow(/FG_VERTEX_QUOTA_SHARE/);
    expect(() => loadConfig({ FG_VERTEX_QUOTAS: 'crud=5' })).toThrow(
      /FG_VERTEX_QUOTAS must be class=requestsPerMinute pairs, classes online_prediction\|online_explain\|resource_management\|lro_submission \(got "crud=5"\)/,
    );
    expect(() => loadConfig({ FG_VERTEX_QUOTAS: 'lro_submission=0' })).toThrow(/FG_VERTEX_QUOTAS/);
  });

  it('treats empty and blank values as unset', () => {
    const config = loadConfig({ FG_ENVIRONMENT: '', FG_BACKEND: '   ', SLACK_WEBHOOK_URL: '' }, { cwd: CWD });
    expect(config.environment).toBe('development');
    expect(config.backend).toBe('local');
    expect(config.notify.slackWebhookUrl).toBeUndefined();
    expect(config.defaulted).toContain('FG_ENVIRONMENT');
  });

  it('resolves a relative FG_STATE_DIR against cwd', () => {
    expect(loadConfig({ FG_STATE_DIR: 'state/fg' }, { cwd: CWD }).stateDir).toBe(
      '/srv/forecast-guard/state/fg',
    );
  });

  it('falls back to GOOGLE_CLOUD_REGION, and FG_REGION wins with a warning when both disagree', () => {
    const fallback = loadConfig({ GOOGLE_CLOUD_REGION: 'europe-west1' });
    expect(fallback.gcp.region).toBe('europe-west1');
    expect(fallback.defaulted).not.toContain('FG_REGION');
    const both = loadConfig({ FG_REGION: 'us-east1', GOOGLE_CLOUD_REGION: 'europe-west1' });
    expect(both.gcp.region).toBe('us-east1');
    expect(both.warnings).toEqual([
      'FG_REGION (us-east1) is used; GOOGLE_CLOUD_REGION (europe-west1) is ignored',
    ]);
  });

  it('accepts any project id when emulators are in use, and domain-scoped ids without them', () => {
    const emulated = loadConfig({
      FG_BACKEND: 'gcp',
      GOOGLE_CLOUD_PROJECT: 'Demo_FG_1',
      PUBSUB_EMULATOR_HOST: '127.0.0.1:8085',
      FIRESTORE_EMULATOR_HOST: 'localhost:8080',
    });
    expect(emulated.gcp.projectId).toBe('Demo_FG_1');
    expect(emulated.gcp.emulators).toEqual({ pubsub: '127.0.0.1:8085', firestore: 'localhost:8080' });
    expect(
      loadConfig({ FG_BACKEND: 'gcp', GOOGLE_CLOUD_PROJECT: 'example.com:forecasts' }).gcp.projectId,
    ).toBe('example.com:forecasts');
  });

  it('takes the Cloud Storage endpoint for gs:// sales from STORAGE_EMULATOR_HOST, as an http(s) URL only', () => {
    const config = loadConfig({ STORAGE_EMULATOR_HOST: 'http://127.0.0.1:9023' });
    expect(config.gcp.emulators.storage).toBe('http://127.0.0.1:9023');
    // A storage server alone is not Google's emulators: the gcp backend still needs a real project id.
    expect(config.gcp.emulators.pubsub).toBeUndefined();
    expect(() => loadConfig({ STORAGE_EMULATOR_HOST: '127.0.0.1:9023' })).toThrow(
      'STORAGE_EMULATOR_HOST must be an http(s) URL such as http://localhost:9023 (got "127.0.0.1:9023")',
    );
  });

  it('configures MLflow with its token', () => {
    const config = loadConfig({
      FG_REGISTRY: 'mlflow',
      MLFLOW_TRACKING_URI: 'http://127.0.0.1:5000',
      MLFLOW_TRACKING_TOKEN: 'tok',
    });
    expect(config.mlflow).toEqual({ trackingUri: 'http://127.0.0.1:5000', token: 'tok' });
  });

  it('allows a Slack webhook on this machine outside production (local tests run a fake Slack)', () => {
    expect(loadConfig({ SLACK_WEBHOOK_URL: 'http://127.0.0.1:9911/hook' }).notify.slackWebhookUrl).toBe(
      'http://127.0.0.1:9911/hook',
    );
    expect(loadConfig({ SLACK_WEBHOOK_URL: 'http://localhost/hook' }).notify.slackWebhookUrl).toBe(
      'http://localhost/hook',
    );
  });

  it('warns about a likely typo in an FG_ variable, and ignores unrelated ones', () => {
    const config = loadConfig({ FG_ENVIRONEMNT: 'production', FG_TEST_NO_EMULATORS: '1', PATH: '/usr/bin' });
    expect(config.warnings).toEqual([
      'FG_ENVIRONEMNT is not a setting forecast-guard reads; did you mean FG_ENVIRONMENT?',
    ]);
  });

  it('warns when production has no alert channel, without refusing to start (an emergency rollback must work)', () => {
    const config = loadConfig({ FG_ENVIRONMENT: 'production' });
    expect(config.warnings).toEqual([
      'FG_ENVIRONMENT=production has no alert channel (SLACK_WEBHOOK_URL or SMTP_URL): alerts are only logged',
    ]);
  });

  describe('FG_THRESHOLDS_FILE', () => {
    it('loads per-ISBN overrides, ISBN keys normalised, path resolved against cwd', () => {
      const config = loadConfig({ FG_THRESHOLDS_FILE: 'thresholds.valid.json' }, { cwd: FIXTURES });
      expect(config.thresholds.file).toBe(join(FIXTURES, 'thresholds.valid.json'));
      expect(config.thresholds.overrides).toEqual({
        '9780722532935': { rmseMax: 120, mapeMax: 40 },
        '9780241003008': { degradationMaxPct: null, breachSeverity: 'warning' },
      });
    });

    it('reads through the injected readFile', () => {
      const read: string[] = [];
      const config = loadConfig(
        { FG_THRESHOLDS_FILE: 'conf/t.json' },
        {
          cwd: CWD,
          readFile: (path) => {
            read.push(path);
            return '{"9780722532935": {"mapeMax": 45}}';
          },
        },
      );
      expect(read).toEqual(['/srv/forecast-guard/conf/t.json']);
      expect(config.thresholds.overrides['9780722532935']).toEqual({ mapeMax: 45 });
    });

    it('names the file when it is not JSON', () => {
      expect(() =>
        loadConfig({ FG_THRESHOLDS_FILE: 't.json' }, { cwd: CWD, readFile: () => '{"9780722532935": {' }),
      ).toThrow(new ConfigError('FG_THRESHOLDS_FILE "t.json" is not valid JSON', 'FG_THRESHOLDS_FILE'));
    });

    it('reports a read failure other than a missing file by its code', () => {
      const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      expect(() =>
        loadConfig(
          { FG_THRESHOLDS_FILE: 't.json' },
          {
            readFile: () => {
              throw denied;
            },
          },
        ),
      ).toThrow('FG_THRESHOLDS_FILE "t.json" cannot be read (EACCES)');
    });
  });

  it('the schema and the documented variable table name the same variables', () => {
    const documented = VARIABLES.map((v) => v.name);
    expect([...documented, ...Object.keys(ALIASES)].sort()).toEqual([...VARIABLE_NAMES].sort());
    expect(new Set(documented).size).toBe(documented.length);
  });

  describe('FG_RUNBOOK_BASE_URL', () => {
    it('takes an http(s) URL or a repository-relative path', () => {
      for (const value of ['https://wiki.example.com/fg/runbooks', 'ops/runbooks/']) {
        expect(loadConfig({ FG_RUNBOOK_BASE_URL: value }, { cwd: CWD }).alerting.runbookBaseUrl).toBe(value);
      }
    });

    it('refuses another scheme or a value with spaces, naming the variable', () => {
      for (const value of ['javascript:alert(1)', 'docs/run books/', 'ftp://example.com/runbooks/']) {
        expect(() => loadConfig({ FG_RUNBOOK_BASE_URL: value }, { cwd: CWD })).toThrow(
          /FG_RUNBOOK_BASE_URL must be an http\(s\) URL or a repository-relative path/,
        );
      }
    });
  });

  describe('FG_ANOMALY_*', () => {
    it('turns the detector off with none', () => {
      expect(loadConfig({ FG_ANOMALY_METRICS: 'none' }, { cwd: CWD }).anomaly.metrics).toEqual([]);
    });

    it('refuses an unknown metric or a band width out of range, naming the variable and value', () => {
      expect(() => loadConfig({ FG_ANOMALY_METRICS: 'mape,bias' }, { cwd: CWD })).toThrow(
        /FG_ANOMALY_METRICS must be none or a comma-separated list of mape\|rmse\|smape\|mase \(got "bias"\)/,
      );
      expect(() => loadConfig({ FG_ANOMALY_K: '0.1' }, { cwd: CWD })).toThrow(
        /FG_ANOMALY_K must be a number from 0.5 to 10 \(got "0.1"\)/,
      );
      expect(() => loadConfig({ FG_ANOMALY_BASELINE: '4' }, { cwd: CWD })).toThrow(
        /FG_ANOMALY_BASELINE must be a whole number from 8 to 104 \(got "4"\)/,
      );
      expect(() => loadConfig({ FG_ANOMALY_HISTORY: '521' }, { cwd: CWD })).toThrow(
        /FG_ANOMALY_HISTORY must be a whole number from 11 to 520 \(got "521"\)/,
      );
    });

    it('refuses a kept history too short for the baseline and its 3-observation window', () => {
      expect(() => loadConfig({ FG_ANOMALY_BASELINE: '52', FG_ANOMALY_HISTORY: '54' }, { cwd: CWD })).toThrow(
        /FG_ANOMALY_HISTORY must be at least FG_ANOMALY_BASELINE \+ 3 = 55 \(got "54"\)/,
      );
      // The default history (60) is too short for the longest baseline: the message says so.
      expect(() => loadConfig({ FG_ANOMALY_BASELINE: '104' }, { cwd: CWD })).toThrow(
        /FG_ANOMALY_HISTORY must be at least FG_ANOMALY_BASELINE \+ 3 = 107 \(got "60"\)/,
      );
      expect(
        loadConfig({ FG_ANOMALY_BASELINE: '52', FG_ANOMALY_HISTORY: '55' }, { cwd: CWD }).anomaly.history,
      ).toBe(55);
    });
  });

  describe('FG_SALES_UPDATES_PREFIX', () => {
    it('takes an object-name prefix', () => {
      expect(loadConfig({ FG_SALES_UPDATES_PREFIX: 'raw_data/' }, { cwd: CWD }).salesUpdates).toEqual({
        prefix: 'raw_data/',
      });
    });

    it('refuses a gs:// URI or a leading slash, naming the variable', () => {
      for (const value of ['gs://bucket/raw_data/', '/raw_data/']) {
        expect(() => loadConfig({ FG_SALES_UPDATES_PREFIX: value }, { cwd: CWD })).toThrow(
          /FG_SALES_UPDATES_PREFIX must be an object-name prefix such as raw_data\//,
        );
      }
    });
  });

  it('names a pipeline train start that is not a calendar date', () => {
    for (const bad of ['2012-02-30', '01/01/2012']) {
      expect(() => loadConfig({ FG_PIPELINE_TRAIN_START: bad }, { cwd: CWD })).toThrow(
        new ConfigError(
          `FG_PIPELINE_TRAIN_START must be a date like 2012-01-01 (got "${bad}")`,
          'FG_PIPELINE_TRAIN_START',
        ),
      );
    }
  });
});
