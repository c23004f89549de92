import { describeConfig, loadConfig, redactConfig } from '../../../shared/config';

const SECRETS = {
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/slack-secret-1',
  SLACK_ESCALATION_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B1/slack-secret-2',
  SMTP_URL: 'smtps://alerts:smtp-secret-3@smtp.example.com:465',
  FG_ROLLBACK_TOKEN: 'rollback-secret-4-long-enough',
  MLFLOW_TRACKING_URI: 'https://ml:mlflow-secret-5@mlflow.example.com',
  MLFLOW_TRACKING_TOKEN: 'mlflow-secret-6',
};
const config = loadConfig(
  {
    ...SECRETS,
    FG_ENVIRONMENT: 'staging',
    FG_REGISTRY: 'mlflow',
    ALERT_EMAIL_TO: 'oncall@example.com',
    ALERT_EMAIL_FROM: 'fg@example.com',
  },
  { cwd: '/srv/fg' },
);
const leaks = (text: string) =>
  ['secret-1', 'secret-2', 'secret-3', 'secret-4', 'secret-5', 'secret-6'].filter((s) => text.includes(s));

describe('redactConfig', () => {
  it('hides every secret and keeps the rest', () => {
    const safe = redactConfig(config);
    expect(leaks(JSON.stringify(safe))).toEqual([]);
    expect(safe.notify).toEqual({
      slackWebhookUrl: '***',
      slackEscalationWebhookUrl: '***',
      smtpUrl: 'smtps://alerts@smtp.example.com:465',
      emailTo: ['oncall@example.com'],
      emailFrom: 'fg@example.com',
    });
    expect(safe.rollbackToken).toBe('***');
    expect(safe.mlflow).toEqual({ trackingUri: 'https://ml@mlflow.example.com/', token: '***' });
    expect(safe.environment).toBe('staging');
    expect(safe.alerting).toEqual(config.alerting);
  });

  it('leaves the original untouched and unset secrets unset', () => {
    redactConfig(config);
    expect(config.notify.slackWebhookUrl).toBe(SECRETS.SLACK_WEBHOOK_URL);
    const bare = redactConfig(loadConfig({}));
    expect(bare.notify.slackWebhookUrl).toBeUndefined();
    expect(bare.rollbackToken).toBeUndefined();
  });
});

describe('describeConfig', () => {
  const rows = describeConfig(config);
  const row = (name: string) => rows.find((r) => r.variable === name);

  it('shows set secrets as *** and never their values', () => {
    expect(leaks(JSON.stringify(rows))).toEqual([]);
    for (const name of ['SLACK_WEBHOOK_URL', 'SMTP_URL', 'FG_ROLLBACK_TOKEN', 'MLFLOW_TRACKING_TOKEN']) {
      expect(row(name)).toMatchObject({ value: '***', secret: true, isDefault: false });
    }
    expect(row('MLFLOW_TRACKING_URI')?.value).toBe('https://ml@mlflow.example.com/');
  });

  it('marks defaults and shows durations as written', () => {
    expect(row('FG_ENVIRONMENT')).toMatchObject({
      value: 'staging',
      isDefault: false,
      defaultValue: 'development',
    });
    expect(row('FG_REPEAT_INTERVAL_CRITICAL')).toMatchObject({
      value: '4h',
      isDefault: true,
      defaultValue: '4h',
    });
    expect(row('FG_PIPELINE_STALE_AFTER')).toMatchObject({ value: '8d', isDefault: true });
    expect(row('FG_STATE_DIR')).toMatchObject({ value: '/srv/fg/.forecast-guard', isDefault: true });
    expect(row('FG_THRESHOLDS_FILE')).toMatchObject({ value: '', isDefault: false, secret: false });
    expect(row('GOOGLE_CLOUD_PROJECT')?.defaultValue).toBeUndefined();
  });

  it('has one row per documented variable, each with a description', () => {
    expect(rows.length).toBeGreaterThan(20);
    for (const r of rows) expect(r.description.length).toBeGreaterThan(5);
  });
});
