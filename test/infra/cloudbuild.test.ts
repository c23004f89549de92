/**
 * The Cloud Build configs against the repository: every step runs a script
 * that exists (package.json `scripts` or scripts/), scripts/ci-local.sh runs
 * the offline steps with the same commands, the substitutions they read are
 * the ones the Terraform triggers set, and the builds are tagged the way
 * build-events recognises.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudBuild } from '../../shared/contracts/external/cloud-build';
import {
  BUILD_TAG,
  ENVIRONMENT_SUBSTITUTION,
  identifyBuild,
  TRIGGER_PREFIX,
} from '../../shared/domain/build-events';
import { loadInfra, locals, norm, resources, type InfraModel } from './helpers/hcl';

/** The HCL parser runs in a child process; on a loaded two-core machine parsing takes tens of seconds. */
const PARSE_TIMEOUT_MS = 120_000;

// js-yaml is a devDependency without bundled types; only load() is used.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as { load(text: string): unknown };

const ROOT = join(__dirname, '..', '..');
const OFFLINE_STEPS = ['install', 'lint', 'typecheck', 'test', 'build', 'package'];
const DEPLOY_PHASE = ['deploy', 'post-deploy-validation', 'smoke-health-check'];

interface Step {
  id: string;
  name: string;
  entrypoint?: string;
  args?: string[];
  script?: string;
  allowFailure?: boolean;
}
interface BuildConfig {
  steps: Step[];
  tags: string[];
  substitutions: Record<string, string>;
  options: { env: string[]; logging?: string };
}

const load = (file: string) => yaml.load(readFileSync(join(ROOT, file), 'utf8')) as BuildConfig;
const configs = { staging: load('cloudbuild.yaml'), production: load('cloudbuild.production.yaml') };
const npmScripts = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

/** Problems with one command (entrypoint + args): it must run a package.json script or a file in scripts/. */
function commandProblems(words: string[]): string[] {
  const [cmd, ...rest] = words;
  if (cmd === 'npm') {
    if (rest[0] !== 'run' || !rest[1]) return [`npm ${rest.join(' ')} is not \`npm run <script>\``];
    return rest[1] in npmScripts ? [] : [`npm run ${rest[1]}: no such package.json script`];
  }
  if (cmd === 'bash' || cmd === 'sh') {
    const [file, ...more] = rest;
    if (!file || file.startsWith('-')) return [`${words.join(' ')} runs inline shell, not a script`];
    if (!file.startsWith('scripts/') || !existsSync(join(ROOT, file)))
      return [`${file} does not exist in scripts/`];
    // A guarded step wraps another command: hold that one to the same rule.
    return file === 'scripts/ci/guarded.sh' ? commandProblems(more.slice(1)) : [];
  }
  return [`${words.join(' ')} is neither npm run nor a script in scripts/`];
}

const commandOf = (s: Step) => [s.entrypoint ?? '', ...(s.args ?? [])];

describe.each(Object.entries(configs))('%s Cloud Build config', (env, config) => {
  it('runs a script that exists in every step', () => {
    const problems = config.steps.flatMap((s) =>
      s.script ? [`${s.id}: inline script`] : commandProblems(commandOf(s)).map((p) => `${s.id}: ${p}`),
    );
    expect(problems).toEqual([]);
    expect(config.steps.every((s) => s.id)).toBe(true);
  });

  it('runs the deploy phase guarded, then rolls back and reports, last', () => {
    const ids = config.steps.map((s) => s.id);
    expect(ids.slice(-2)).toEqual(['rollback-on-failure', 'report']);
    for (const id of DEPLOY_PHASE) {
      const step = config.steps.find((s) => s.id === id)!;
      expect([id, step.allowFailure, step.args?.slice(0, 2)]).toEqual([
        id,
        true,
        ['scripts/ci/guarded.sh', id],
      ]);
      expect(ids.indexOf(id)).toBeLessThan(ids.indexOf('rollback-on-failure'));
    }
    expect(config.steps.find((s) => s.id === 'report')!.allowFailure).toBeUndefined();
  });

  it('is tagged and substituted so build-events knows it for a release of this environment', () => {
    expect(config.tags).toEqual([BUILD_TAG, `forecast-guard-${env}`]);
    expect(config.substitutions[ENVIRONMENT_SUBSTITUTION]).toBe(env);
    const build = CloudBuild.parse({
      id: 'b1',
      status: 'FAILURE',
      createTime: '2024-05-02T10:00:00Z',
      tags: config.tags,
      substitutions: { ...config.substitutions, TRIGGER_NAME: `${TRIGGER_PREFIX}${env}` },
    });
    expect(identifyBuild(build)).toMatchObject({ kind: 'release', target: env });
  });

  it('logs to Cloud Logging only, as a trigger with its own service account requires', () => {
    expect(config.options.logging).toBe('CLOUD_LOGGING_ONLY');
  });
});

describe('staging and production', () => {
  let infra: InfraModel;
  beforeAll(async () => {
    infra = await loadInfra();
  }, PARSE_TIMEOUT_MS);

  it('staging tests and packages before it deploys; production promotes the staging bundle, never rebuilds', () => {
    const staging = configs.staging.steps.map((s) => s.id);
    for (const id of OFFLINE_STEPS) expect(staging.indexOf(id)).toBeLessThan(staging.indexOf('deploy'));
    const production = configs.production.steps.map((s) => s.id);
    expect(production[0]).toBe('promote-bundle');
    expect(production).not.toContain('package');
    expect(production).not.toContain('upload-bundle');
  });

  it('reads only substitutions the Terraform triggers set', () => {
    const set = new Set(Object.keys(locals(infra).build_substitutions as Record<string, unknown>));
    const production = resources(infra).get('google_cloudbuild_trigger.production');
    for (const key of ['_PROMOTE_FROM_BUCKET']) {
      expect(norm(production?.substitutions)).toContain(key);
      set.add(key);
    }
    for (const [env, config] of Object.entries(configs)) {
      const used = [...JSON.stringify(config).matchAll(/\$\{(_[A-Z_]+)\}/g)].map((m) => m[1]!);
      expect([env, used.filter((u) => !set.has(u))]).toEqual([env, []]);
    }
  });

  it('names the triggers forecast-guard-<environment>, as build-events expects', () => {
    const res = resources(infra);
    for (const env of ['staging', 'production']) {
      expect(res.get(`google_cloudbuild_trigger.${env}`)?.name).toBe(`${TRIGGER_PREFIX}${env}`);
    }
  });
});

describe('scripts/ci-local.sh', () => {
  const local = readFileSync(join(ROOT, 'scripts', 'ci-local.sh'), 'utf8');
  const localSteps = [...local.matchAll(/^run_step (\S+) (.+)$/gm)].map((m) => [m[1]!, m[2]!.trim()]);

  it("runs cloudbuild.yaml's offline steps, in order, with the same commands", () => {
    const cloud = configs.staging.steps
      .filter((s) => OFFLINE_STEPS.includes(s.id))
      .map((s) => [s.id, commandOf(s).join(' ')]);
    expect(cloud.map(([id]) => id)).toEqual(OFFLINE_STEPS);
    expect(localSteps).toEqual(cloud);
  });
});
