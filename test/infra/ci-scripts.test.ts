/**
 * The deploy-phase CI scripts, run for real with FG_CI_DRY_RUN=1 (commands
 * that would change Google Cloud are printed, not run): a failure is
 * recorded and skips what follows, rollback goes to the bundle that ran
 * before, and the alert published on failure is a valid Alert.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Alert } from '../../shared/contracts/messages/alert';
import { HealthCheckRequest } from '../../shared/contracts/messages/health-check-request';

const ROOT = join(__dirname, '..', '..');
const BUILD_ID = '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';
const COMMIT = '3f9c2b7d1e0a4c6b8d5e2f1a0b9c8d7e6f5a4b3c';

describe('CI step scripts (dry run)', () => {
  let state: string;

  beforeEach(() => {
    state = mkdtempSync(join(tmpdir(), 'fg-ci-state-'));
  });
  afterEach(() => rmSync(state, { recursive: true, force: true }));

  function run(shell: 'sh' | 'bash', script: string, args: string[] = [], env: Record<string, string> = {}) {
    const result = spawnSync(shell, [join('scripts', 'ci', script), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        FG_CI_DRY_RUN: '1',
        FG_CI_STATE: state,
        FG_ENVIRONMENT: 'staging',
        PROJECT_ID: 'demo-forecast-guard',
        BUILD_ID,
        COMMIT_SHA: COMMIT,
        SHORT_SHA: COMMIT.slice(0, 7),
        FUNCTIONS_BUCKET: 'demo-fg-functions',
        TF_STATE_BUCKET: 'demo-tfstate',
        ...env,
      },
    });
    return { code: result.status, out: result.stdout, err: result.stderr };
  }

  it('guarded.sh records a failure, passes its exit code on, and makes later steps skip', () => {
    const failed = run('sh', 'guarded.sh', ['deploy', 'sh', '-c', 'exit 7']);
    expect(failed.code).toBe(7);
    expect(readFileSync(join(state, 'failed'), 'utf8')).toBe('deploy 7\n');
    const skipped = run('sh', 'guarded.sh', ['smoke-health-check', 'sh', '-c', 'echo RAN; exit 0']);
    expect(skipped.code).toBe(0);
    expect(skipped.out).toContain('smoke-health-check skipped: deploy failed earlier');
    expect(skipped.out).not.toContain('RAN');
  });

  it("deploy.sh applies this commit's bundle, pinned to its generation, with the environment's variables", () => {
    writeFileSync(join(state, 'bundle-generation'), '1700000000000001');
    const { code, out } = run('sh', 'deploy.sh');
    expect(code).toBe(0);
    expect(out).toContain(
      '+ terraform init -input=false -reconfigure -backend-config=bucket=demo-tfstate -backend-config=prefix=forecast-guard/staging',
    );
    expect(out).toContain(
      `+ terraform apply -input=false -auto-approve -var-file=environments/staging.tfvars -var=function_bundle_object=functions/forecast-guard-${COMMIT}.zip -var=function_bundle_generation=1700000000000001`,
    );
    expect(existsSync(join(state, 'previous-bundle'))).toBe(true);
  });

  it('rollback-functions.sh does nothing without a failure, and goes back to the previous bundle after one', () => {
    expect(run('sh', 'rollback-functions.sh').out).toContain('nothing failed: no rollback');
    writeFileSync(join(state, 'failed'), 'post-deploy-validation 1\n');
    writeFileSync(join(state, 'previous-bundle'), 'functions/forecast-guard-0000000.zip');
    const { code, out } = run('sh', 'rollback-functions.sh');
    expect(code).toBe(0);
    expect(out).toContain('-var=function_bundle_object=functions/forecast-guard-0000000.zip');
    expect(readFileSync(join(state, 'rollback'), 'utf8')).toBe(
      'rolled back to functions/forecast-guard-0000000.zip',
    );
  });

  it('rollback-functions.sh says so when there is nothing to go back to', () => {
    writeFileSync(join(state, 'failed'), 'deploy 1\n');
    writeFileSync(join(state, 'previous-bundle'), '');
    expect(run('sh', 'rollback-functions.sh').code).toBe(0);
    expect(readFileSync(join(state, 'rollback'), 'utf8')).toMatch(/^none: no earlier bundle recorded/);
  });

  it('report-outcome.sh publishes a valid critical Alert and fails the build after a failure', () => {
    writeFileSync(join(state, 'failed'), 'post-deploy-validation 1\n');
    writeFileSync(join(state, 'rollback'), 'rolled back to functions/forecast-guard-0000000.zip');
    const { code, out, err } = run('bash', 'report-outcome.sh');
    expect(code).toBe(1);
    const alert = Alert.parse(JSON.parse(readFileSync(join(state, 'alert.json'), 'utf8')));
    expect(alert).toMatchObject({
      kind: 'deployment_failed',
      severity: 'critical',
      status: 'firing',
      source: 'cloud-build',
      environment: 'staging',
      correlationId: `build-${BUILD_ID}`,
      details: { failedStep: 'post-deploy-validation', exitCode: '1', commit: COMMIT.slice(0, 7) },
    });
    expect(alert.summary).toContain('rolled back to functions/forecast-guard-0000000.zip');
    expect(out).toContain('+ gcloud pubsub topics publish alerts --project=demo-forecast-guard');
    expect(out).toContain(
      `--attribute=correlationId=build-${BUILD_ID},kind=deployment_failed,severity=critical`,
    );
    expect(out).toContain('fg-staging-failed=');
    expect(err).toContain('forecast-guard deploy to staging failed at post-deploy-validation');
  });

  it('report-outcome.sh marks the staging generation validated, with its sha256, when nothing failed', () => {
    writeFileSync(join(state, 'bundle-generation'), '1700000000000001');
    writeFileSync(join(state, 'bundle-sha256'), 'ab'.repeat(32));
    const { code, out } = run('bash', 'report-outcome.sh');
    expect(code).toBe(0);
    expect(out).toContain(
      `+ gcloud storage objects update gs://demo-fg-functions/functions/forecast-guard-${COMMIT}.zip#1700000000000001 --update-custom-metadata=fg-staging-validated=${BUILD_ID},fg-validated-generation=1700000000000001,fg-validated-sha256=${'ab'.repeat(32)}`,
    );
  });

  it('smoke-health-check.sh publishes a valid HealthCheckRequest carrying its correlation id', () => {
    const { code, out } = run('bash', 'smoke-health-check.sh');
    expect(code).toBe(0);
    const message = /--message=(\{.*\})/.exec(out)?.[1];
    expect(HealthCheckRequest.parse(JSON.parse(message!))).toEqual({
      trigger: 'manual',
      correlationId: `smoke-${BUILD_ID}`,
    });
    expect(out).toContain(`--attribute=correlationId=smoke-${BUILD_ID}`);
  });

  it('refuses to run without a known environment, naming the variable', () => {
    const { code, err } = run('sh', 'deploy.sh', [], { FG_ENVIRONMENT: 'prod' });
    expect(code).toBe(1);
    expect(err).toContain('FG_ENVIRONMENT must be staging or production (got "prod")');
  });
});
