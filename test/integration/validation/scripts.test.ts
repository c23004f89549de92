/**
 * The operator scripts keep their flags and hand them to the CLI: run with
 * FORECAST_GUARD_CLI=echo, each prints the CLI command line it would run.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');

function run(script: string, ...args: string[]) {
  const res = spawnSync('bash', [join(root, 'scripts', script), ...args], {
    env: { ...process.env, FORECAST_GUARD_CLI: 'echo' },
    encoding: 'utf8',
  });
  return { code: res.status, stdout: res.stdout.trim(), stderr: res.stderr };
}

describe('scripts/deploy_model.sh', () => {
  it("turns the operators' flags into forecast-guard deploy", () => {
    expect(
      run(
        'deploy_model.sh',
        '--environment',
        'production',
        '--model-version',
        'latest',
        '--isbn',
        '9780722532935',
      ).stdout,
    ).toBe('deploy --isbn 9780722532935 --model-version latest --environment production');
    expect(
      run(
        'deploy_model.sh',
        '--isbn',
        '9780722532935',
        '--isbn',
        '9780241003008',
        '--model-version',
        '23',
        '--approve',
        '--by',
        'alice',
        '--canary',
        '--bake',
        '60',
        '--json',
      ).stdout,
    ).toBe(
      'deploy --isbn 9780722532935 --isbn 9780241003008 --model-version 23 --approve --canary --bake 60 --by alice --json',
    );
  });

  it('refuses an unknown flag or a missing ISBN with exit 2 and the reason', () => {
    const unknown = run('deploy_model.sh', '--isbn', '9780722532935', '--model', '3');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown flag --model');
    const none = run('deploy_model.sh', '--model-version', 'latest');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--isbn is required');
  });
});

describe('scripts/validate_deployment.sh', () => {
  it("turns the operators' flags into forecast-guard validate", () => {
    expect(
      run(
        'validate_deployment.sh',
        '--isbn',
        '9780722532935',
        '--model-version',
        '23',
        '--environment',
        'production',
      ).stdout,
    ).toBe('validate --isbn 9780722532935 --version 23 --environment production');
    expect(run('validate_deployment.sh', '--isbn', '9780722532935', '--model-version', 'latest').stdout).toBe(
      'validate --isbn 9780722532935',
    );
    expect(run('validate_deployment.sh', '--all-models', '--report-only', '--json').stdout).toBe(
      'validate --all --report-only --json',
    );
  });

  it('refuses an unknown flag with exit 2', () => {
    const res = run('validate_deployment.sh', '--isbn');
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--isbn needs a value');
  });
});
