/**
 * The build and test steps do not run as the deploying identity (issue 11).
 * All steps of one Cloud Build build run as the build's service account
 * (https://cloud.google.com/build/docs/securing-builds/configure-user-specified-service-accounts),
 * so the triggers run builds as a low-privilege runner and only the deploy
 * steps impersonate fg-deployer, with the variables Terraform
 * (GOOGLE_IMPERSONATE_SERVICE_ACCOUNT, provider and gcs backend) and gcloud
 * (CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT, property
 * auth/impersonate_service_account) read.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadInfra, locals, norm, resources, type InfraModel } from './helpers/hcl';

const PARSE_TIMEOUT_MS = 120_000;
const ROOT = join(__dirname, '..', '..');
// js-yaml is a devDependency without bundled types; only load() is used.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as { load(text: string): unknown };

interface Step {
  id: string;
  name: string;
  args?: string[];
  env?: string[];
  secretEnv?: string[];
}
interface BuildConfig {
  steps: Step[];
  options: { env?: string[] };
  availableSecrets?: unknown;
}
const load = (file: string) => yaml.load(readFileSync(join(ROOT, file), 'utf8')) as BuildConfig;
const configs = { staging: load('cloudbuild.yaml'), production: load('cloudbuild.production.yaml') };

const IMPERSONATION = /IMPERSONATE|_DEPLOYER|fg-deployer|GOOGLE_APPLICATION_CREDENTIALS|CLOUDSDK_AUTH/;
/** Steps that run code from the repository or npm and need no Google identity at all. */
const CODE_STEPS = ['install', 'lint', 'typecheck', 'test', 'build', 'package'];
/** Steps that change Google Cloud with Terraform or gcloud, and how each impersonates the deployer. */
const DEPLOYER_STEPS: Record<string, string> = {
  'upload-bundle': 'CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT=${_DEPLOYER}',
  'promote-bundle': 'CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT=${_DEPLOYER}',
  deploy: 'GOOGLE_IMPERSONATE_SERVICE_ACCOUNT=${_DEPLOYER}',
  'smoke-health-check': 'CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT=${_DEPLOYER}',
  'rollback-on-failure': 'GOOGLE_IMPERSONATE_SERVICE_ACCOUNT=${_DEPLOYER}',
  report: 'CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT=${_DEPLOYER}',
};
/** Roles that deploy or widen access: never the runner's. */
const DEPLOYING_ROLE =
  /roles\/(owner|editor|run\.admin|cloudfunctions\.|iam\.|resourcemanager\.|serviceusage\.|pubsub\.admin|secretmanager\.|storage\.admin|cloudbuild\.|aiplatform\.(user|admin))/;

describe.each(Object.entries(configs))('%s build: who runs each step', (_env, config) => {
  it('gives no step a deployer identity through the build-wide environment or secrets', () => {
    expect((config.options.env ?? []).filter((e) => IMPERSONATION.test(e))).toEqual([]);
    expect(config.availableSecrets).toBeUndefined();
  });

  it('runs install, lint, typecheck, test, build and package with no deployer credentials', () => {
    const steps = config.steps.filter((s) => CODE_STEPS.includes(s.id));
    expect(steps.length).toBeGreaterThan(0);
    for (const s of steps) expect([s.id, s.env ?? [], s.secretEnv ?? []]).toEqual([s.id, [], []]);
  });

  it('impersonates the deployer in exactly the steps that deploy, upload, roll back or report', () => {
    for (const s of config.steps) {
      const want = DEPLOYER_STEPS[s.id];
      expect([s.id, s.env ?? []]).toEqual([s.id, want ? [want] : []]);
    }
  });
});

describe('the triggers run builds as the low-privilege runner', () => {
  let infra: InfraModel;
  beforeAll(async () => {
    infra = await loadInfra();
  }, PARSE_TIMEOUT_MS);

  it('runs both triggers as fg-ci-runner, not fg-deployer, and names the deployer for impersonation', () => {
    const res = resources(infra);
    for (const env of ['staging', 'production'])
      expect([env, norm(res.get(`google_cloudbuild_trigger.${env}`)?.service_account)]).toEqual([
        env,
        '${google_service_account.ci.id}',
      ]);
    expect(res.get('google_service_account.ci')?.account_id).toBe('fg-ci-runner');
    expect(norm((locals(infra).build_substitutions as Record<string, string>)._DEPLOYER)).toBe(
      '${google_service_account.deployer.email}',
    );
  });

  it('grants the runner no role that deploys, and token creation on the deployer alone', () => {
    const res = resources(infra);
    const runner = 'serviceAccount:${google_service_account.ci.email}';
    const grants = [...res].filter(([, body]) => norm(body.member) === runner);
    expect(grants.map(([a]) => a).sort()).toEqual([
      'google_project_iam_member.ci',
      'google_service_account_iam_member.ci_impersonates_deployer',
      'google_storage_bucket_iam_member.ci_sales_reader',
    ]);
    for (const [address, body] of grants) {
      // `toset(["roles/…", …])`: the quoted roles of the expression.
      const roles =
        address === 'google_project_iam_member.ci'
          ? [...String(body.for_each).matchAll(/"([^"]+)"/g)].map((m) => m[1]!)
          : [String(body.role)];
      for (const role of roles.map((r) => norm(r))) {
        if (address === 'google_service_account_iam_member.ci_impersonates_deployer') continue;
        expect([address, role, DEPLOYING_ROLE.test(role)]).toEqual([address, role, false]);
      }
    }
    const token = res.get('google_service_account_iam_member.ci_impersonates_deployer');
    expect(norm(token?.service_account_id)).toBe('${google_service_account.deployer.name}');
    expect(token?.role).toBe('roles/iam.serviceAccountTokenCreator');
    const tokenGrants = grants.filter(([, b]) => norm(b.role) === 'roles/iam.serviceAccountTokenCreator');
    expect(tokenGrants.map(([a]) => a)).toEqual([
      'google_service_account_iam_member.ci_impersonates_deployer',
    ]);
  });

  it('validates as the runner with --report-only: it reads, predicts and reports, acts on nothing', () => {
    const script = readFileSync(join(ROOT, 'scripts', 'ci', 'post-deploy-validate.sh'), 'utf8');
    expect(script).toContain('validate --all --report-only --json');
  });
});
