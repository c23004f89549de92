/**
 * CI acts on code, not models: the post-deploy step of both Cloud Build
 * configs runs scripts/ci/post-deploy-validate.sh under guarded.sh as the
 * build's runner, and the script asks the CLI for `validate --all
 * --report-only --json` — judged here by running it for real with a stand-in
 * `node` on PATH that records what it was asked. A failing report (the CLI's
 * exit 1) fails the step, is recorded, and report-outcome.sh fails the build;
 * a passing one passes. A copy of the script without `--report-only` is
 * caught, so the check cannot pass whatever the script says.
 * (That `--report-only` itself never quarantines or requests a rollback is
 * test/integration/validation/cli.test.ts, "--report-only judges without quarantining".)
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// js-yaml is a devDependency without bundled types; only load() is used.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as { load(text: string): unknown };

const ROOT = join(__dirname, '..', '..');
const BUILD_ID = '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';
const COMMIT = '3f9c2b7d1e0a4c6b8d5e2f1a0b9c8d7e6f5a4b3c';

interface Step {
  id?: string;
  args?: string[];
  env?: string[];
}

/** What a post-deploy validation invocation would do to models: empty when it only reports. */
function actsOnModels(nodeArgs: string[]): string[] {
  const problems: string[] = [];
  const validate = nodeArgs.indexOf('validate');
  if (validate < 0) return [`the CLI was not asked to validate (got: ${nodeArgs.join(' ')})`];
  if (!nodeArgs.includes('--report-only')) {
    problems.push(
      `validate runs without --report-only: it would quarantine and roll back models (got: ${nodeArgs.join(' ')})`,
    );
  }
  if (!nodeArgs.includes('--all')) problems.push('validate does not cover every deployed model (--all)');
  return problems;
}

describe('CI post-deploy validation reports, never acts on models', () => {
  let state: string;
  let fakeBin: string;

  beforeEach(() => {
    state = mkdtempSync(join(tmpdir(), 'fg-ci-report-only-'));
    fakeBin = join(state, 'bin');
    mkdirSync(fakeBin);
  });
  afterEach(() => rmSync(state, { recursive: true, force: true }));

  /** A `node` that records its arguments, prints a validation report and exits with `code`. */
  function fakeNode(code: number) {
    const report = JSON.stringify({ passed: code === 0, predictions: 1040, validations: [] });
    const script = `#!/bin/sh\nprintf '%s\\n' "$@" > "${join(state, 'node-args')}"\necho '${report}'\nexit ${code}\n`;
    writeFileSync(join(fakeBin, 'node'), script);
    chmodSync(join(fakeBin, 'node'), 0o755);
  }

  function run(shell: 'sh' | 'bash', script: string, args: string[] = [], cwd = ROOT, dryRun = false) {
    const result = spawnSync(shell, [script, ...args], {
      cwd,
      encoding: 'utf8',
      env: {
        PATH: `${fakeBin}:${process.env.PATH}`,
        HOME: process.env.HOME,
        FG_CI_STATE: state,
        FG_ENVIRONMENT: 'staging',
        PROJECT_ID: 'demo-forecast-guard',
        BUILD_ID,
        COMMIT_SHA: COMMIT,
        FUNCTIONS_BUCKET: 'demo-fg-functions',
        ...(dryRun ? { FG_CI_DRY_RUN: '1' } : {}),
      },
    });
    return { code: result.status, out: result.stdout, err: result.stderr };
  }

  const nodeArgs = () => readFileSync(join(state, 'node-args'), 'utf8').trim().split('\n');

  it.each(['cloudbuild.yaml', 'cloudbuild.production.yaml'])(
    '%s: the post-deploy step runs the report-only script, guarded, as the runner; the build then reports',
    (file) => {
      const steps = (yaml.load(readFileSync(join(ROOT, file), 'utf8')) as { steps: Step[] }).steps;
      const at = steps.findIndex((s) => s.id === 'post-deploy-validation');
      expect(at).toBeGreaterThanOrEqual(0);
      const step = steps[at]!;
      expect(step.args).toEqual([
        'scripts/ci/guarded.sh',
        'post-deploy-validation',
        'bash',
        'scripts/ci/post-deploy-validate.sh',
      ]);
      // No impersonation: the runner may read and predict, not label or move models.
      expect((step.env ?? []).filter((e) => /IMPERSONATE/.test(e))).toEqual([]);
      expect(steps.slice(at + 1).some((s) => (s.args ?? []).includes('scripts/ci/report-outcome.sh'))).toBe(
        true,
      );
    },
  );

  it('a failing report fails the step, is recorded, and fails the build', () => {
    fakeNode(1);
    const step = run('sh', 'scripts/ci/guarded.sh', [
      'post-deploy-validation',
      'bash',
      'scripts/ci/post-deploy-validate.sh',
    ]);
    expect(step.code).toBe(1);
    expect(nodeArgs()).toEqual(['bin/forecast-guard.js', 'validate', '--all', '--report-only', '--json']);
    expect(actsOnModels(nodeArgs())).toEqual([]);
    expect(readFileSync(join(state, 'failed'), 'utf8')).toBe('post-deploy-validation 1\n');
    expect(JSON.parse(readFileSync(join(state, 'validation.json'), 'utf8'))).toMatchObject({ passed: false });
    const outcome = run('bash', 'scripts/ci/report-outcome.sh', [], ROOT, true);
    expect(outcome.code).toBe(1);
    expect(outcome.err).toContain('failed at post-deploy-validation');
  });

  it('a passing report passes, and nothing is recorded as failed', () => {
    fakeNode(0);
    const step = run('sh', 'scripts/ci/guarded.sh', [
      'post-deploy-validation',
      'bash',
      'scripts/ci/post-deploy-validate.sh',
    ]);
    expect(step.code).toBe(0);
    expect(actsOnModels(nodeArgs())).toEqual([]);
    expect(() => readFileSync(join(state, 'failed'), 'utf8')).toThrow();
  });

  it('catches a script that drops --report-only', () => {
    fakeNode(0);
    const copy = join(state, 'repo');
    mkdirSync(join(copy, 'scripts', 'ci'), { recursive: true });
    copyFileSync(join(ROOT, 'scripts', 'ci', 'lib.sh'), join(copy, 'scripts', 'ci', 'lib.sh'));
    const original = readFileSync(join(ROOT, 'scripts', 'ci', 'post-deploy-validate.sh'), 'utf8');
    expect(original).toContain(' --report-only');
    writeFileSync(
      join(copy, 'scripts', 'ci', 'post-deploy-validate.sh'),
      original.replaceAll(' --report-only', ''),
    );
    expect(run('bash', 'scripts/ci/post-deploy-validate.sh', [], copy).code).toBe(0);
    expect(actsOnModels(nodeArgs())).toEqual([
      'validate runs without --report-only: it would quarantine and roll back models (got: bin/forecast-guard.js validate --all --json)',
    ]);
  });
});
