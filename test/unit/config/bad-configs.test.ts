/**
 * Every named bad configuration in test/fixtures/config/*.env, with the exact
 * one-line message an operator sees. A fixture without a row here fails, so
 * a new fixture cannot go unasserted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../../shared/config';
import { ConfigError } from '../../../shared/errors';

const FIXTURES = join(__dirname, '../../fixtures/config');

/** KEY=VALUE lines; `#` comments and blank lines skipped; the value is everything after the first `=`. */
function readEnvFile(name: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(join(FIXTURES, name), 'utf8').split('\n')) {
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const eq = line.indexOf('=');
    env[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return env;
}

/** fixture → [ConfigError.variable, exact message]. */
const EXPECTED: Record<string, [string, string]> = {
  'bad-environment': [
    'FG_ENVIRONMENT',
    'FG_ENVIRONMENT must be one of development|staging|production (got "prod")',
  ],
  'bad-backend': ['FG_BACKEND', 'FG_BACKEND must be one of local|gcp (got "aws")'],
  'bad-registry': ['FG_REGISTRY', 'FG_REGISTRY must be one of local|vertex|mlflow (got "sagemaker")'],
  'bad-log-level': ['FG_LOG_LEVEL', 'FG_LOG_LEVEL must be one of debug|info|warning|error (got "warn")'],
  'gcp-without-project': ['GOOGLE_CLOUD_PROJECT', 'GOOGLE_CLOUD_PROJECT is required when FG_BACKEND=gcp'],
  'vertex-without-project': [
    'GOOGLE_CLOUD_PROJECT',
    'GOOGLE_CLOUD_PROJECT is required when FG_REGISTRY=vertex',
  ],
  'gcp-and-vertex-without-project': [
    'GOOGLE_CLOUD_PROJECT',
    'GOOGLE_CLOUD_PROJECT is required when FG_BACKEND=gcp or FG_REGISTRY=vertex',
  ],
  'bad-project-id': [
    'GOOGLE_CLOUD_PROJECT',
    'GOOGLE_CLOUD_PROJECT must be a project id: 6-30 lowercase letters, digits or hyphens, starting with a letter (got "My Forecasts")',
  ],
  'bad-region': ['FG_REGION', 'FG_REGION must be a Google Cloud region like europe-west2 (got "London")'],
  'bad-google-cloud-region': [
    'GOOGLE_CLOUD_REGION',
    'GOOGLE_CLOUD_REGION must be a Google Cloud region like europe-west2 (got "eu")',
  ],
  'bad-emulator-host': [
    'PUBSUB_EMULATOR_HOST',
    'PUBSUB_EMULATOR_HOST must be host:port (got "http://localhost:8085")',
  ],
  'mlflow-without-uri': ['MLFLOW_TRACKING_URI', 'MLFLOW_TRACKING_URI is required when FG_REGISTRY=mlflow'],
  'bad-mlflow-uri': [
    'MLFLOW_TRACKING_URI',
    'MLFLOW_TRACKING_URI must be an http or https URL (got "ftp://mlflow@models.example.com/")',
  ],
  'bad-slack-webhook': ['SLACK_WEBHOOK_URL', 'SLACK_WEBHOOK_URL must be an https URL (value hidden)'],
  'loopback-slack-in-production': [
    'SLACK_WEBHOOK_URL',
    'SLACK_WEBHOOK_URL must be an https URL when FG_ENVIRONMENT=production (value hidden)',
  ],
  'bad-escalation-webhook': [
    'SLACK_ESCALATION_WEBHOOK_URL',
    'SLACK_ESCALATION_WEBHOOK_URL must be an https URL (value hidden)',
  ],
  'bad-smtp-url': ['SMTP_URL', 'SMTP_URL must be an smtp:// or smtps:// URL with a host (value hidden)'],
  'smtp-without-recipients': [
    'ALERT_EMAIL_TO,ALERT_EMAIL_FROM',
    'ALERT_EMAIL_TO is required when SMTP_URL is set; ALERT_EMAIL_FROM is required when SMTP_URL is set',
  ],
  'recipients-without-smtp': ['SMTP_URL', 'SMTP_URL is required when ALERT_EMAIL_TO is set'],
  'bad-email-to': [
    'ALERT_EMAIL_TO',
    'ALERT_EMAIL_TO must be a comma-separated list of email addresses ("data-team@" is not one)',
  ],
  'bad-email-from': [
    'ALERT_EMAIL_FROM',
    'ALERT_EMAIL_FROM must be an email address, bare or as "Name <address>" (got "forecast guard")',
  ],
  'short-rollback-token': [
    'FG_ROLLBACK_TOKEN',
    'FG_ROLLBACK_TOKEN must be at least 16 characters without spaces (value hidden)',
  ],
  'bad-rollback-audience': [
    'FG_ROLLBACK_AUDIENCE',
    'FG_ROLLBACK_AUDIENCE must be a comma-separated list of https URLs (the rollback-http function\'s own URLs) or OAuth client ids (….apps.googleusercontent.com) (got "http://rollback-http.internal")',
  ],
  'bad-deployer-principals': [
    'FG_DEPLOYER_PRINCIPALS',
    'FG_DEPLOYER_PRINCIPALS must be a comma-separated list of email addresses (forecast-guard\'s service accounts) (got "fg-rollback")',
  ],
  'bad-duration': [
    'FG_REPEAT_INTERVAL_CRITICAL',
    'FG_REPEAT_INTERVAL_CRITICAL must be a duration like 90s, 30m, 4h or 8d, greater than 0 (got "4 hours")',
  ],
  'zero-escalation': [
    'FG_ESCALATE_AFTER',
    'FG_ESCALATE_AFTER must be a duration like 90s, 30m, 4h or 8d, greater than 0 (got "0")',
  ],
  'bad-concurrency': [
    'FG_HEALTH_CONCURRENCY',
    'FG_HEALTH_CONCURRENCY must be a whole number from 1 to 64 (got "0")',
  ],
  'bad-freshness': [
    'FG_DATA_FRESHNESS_WEEKS',
    'FG_DATA_FRESHNESS_WEEKS must be a whole number from 1 to 52 (got "two")',
  ],
  'several-problems': [
    'FG_ENVIRONMENT,GOOGLE_CLOUD_PROJECT,SLACK_WEBHOOK_URL,FG_ESCALATE_AFTER',
    'FG_ENVIRONMENT must be one of development|staging|production (got "prod"); ' +
      'GOOGLE_CLOUD_PROJECT is required when FG_BACKEND=gcp; ' +
      'SLACK_WEBHOOK_URL must be an https URL (value hidden); ' +
      'FG_ESCALATE_AFTER must be a duration like 90s, 30m, 4h or 8d, greater than 0 (got "soon")',
  ],
  'thresholds-bad-isbn': [
    'FG_THRESHOLDS_FILE',
    'FG_THRESHOLDS_FILE "thresholds.bad-isbn.json": key "9780722532936" is not a valid ISBN-13: has check digit 6, expected 5',
  ],
  'thresholds-bad-values': [
    'FG_THRESHOLDS_FILE',
    'FG_THRESHOLDS_FILE "thresholds.bad-values.json": "9780722532935".rmseMax must be greater than 0 (got -5); ' +
      '"9780722532935".breachSeverity must be "critical" or "warning" (got "page"); ' +
      '"9780722532935".mapeMaximum is not a known threshold (known: rmseMax, mapeMax, degradationMaxPct, rmseSpikePct, mapeIncreasePct, breachSeverity)',
  ],
  'thresholds-not-an-object': [
    'FG_THRESHOLDS_FILE',
    'FG_THRESHOLDS_FILE "thresholds.not-an-object.json": must be a JSON object keyed by ISBN-13',
  ],
  'thresholds-missing-file': [
    'FG_THRESHOLDS_FILE',
    'FG_THRESHOLDS_FILE "no-such-thresholds.json" cannot be read (no such file)',
  ],
};

/** Values in the fixtures that are secrets: none may appear in any message. */
const SECRETS = [
  'XXXXSECRETXXXX',
  'hook-secret-path',
  'not-a-url-but-secret',
  'pa55word',
  's3cr3t-pass',
  'letmein',
  'SECRET123456',
];

const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.env'))
  .map((f) => f.slice(0, -'.env'.length))
  .sort();

describe('bad configurations (test/fixtures/config/*.env)', () => {
  it('every fixture has an expected message, and every expected message a fixture', () => {
    expect(fixtures).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(fixtures)('%s', (name) => {
    const [variable, message] = EXPECTED[name]!;
    let thrown: unknown;
    try {
      loadConfig(readEnvFile(`${name}.env`), { cwd: FIXTURES });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const err = thrown as ConfigError;
    expect(err.message).toBe(message);
    expect(err.variable).toBe(variable);
    expect(err.retryable).toBe(false);
    expect(err.message).not.toContain('\n');
    for (const secret of SECRETS) expect(err.message).not.toContain(secret);
  });
});
