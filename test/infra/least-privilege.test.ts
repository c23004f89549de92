/**
 * Least privilege in infra/ (issue 11): the Pub/Sub-pushed functions take
 * internal traffic only, the HTTP rollback stays reachable but IAM-only;
 * the health check and the validation get custom Vertex AI roles that
 * predict and read, never deploy to a book's endpoint; the validation
 * deploys on the validation endpoint alone, through that endpoint's own IAM
 * policy (issue 12); Firestore keeps point-in-time recovery.
 * Each check also runs on a copy of infra/ with the fix undone, to show it
 * fails there.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkAccess } from './helpers/check-access';
import {
  at,
  locals,
  norm,
  parseInfraVariants,
  readInfraTexts,
  resources,
  type InfraModel,
  type InfraTexts,
  type Json,
} from './helpers/hcl';

/** The HCL parser runs in a child process; on a loaded two-core machine parsing takes tens of seconds. */
const PARSE_TIMEOUT_MS = 120_000;
const ROOT = join(__dirname, '..', '..');

/**
 * Each Vertex AI RPC the adapters call, and the permission it needs
 * (https://cloud.google.com/vertex-ai/docs/general/iam-permissions).
 */
const RPC_PERMISSION: Record<string, string> = {
  listModels: 'aiplatform.models.list',
  listModelVersions: 'aiplatform.models.list',
  listModelEvaluations: 'aiplatform.modelEvaluations.list',
  getModel: 'aiplatform.models.get',
  updateModel: 'aiplatform.models.update',
  mergeVersionAliases: 'aiplatform.models.update',
  uploadModel: 'aiplatform.models.upload',
  getEndpoint: 'aiplatform.endpoints.get',
  listEndpoints: 'aiplatform.endpoints.list',
  createEndpoint: 'aiplatform.endpoints.create',
  updateEndpoint: 'aiplatform.endpoints.update',
  deployModel: 'aiplatform.endpoints.deploy',
  undeployModel: 'aiplatform.endpoints.undeploy',
  predict: 'aiplatform.endpoints.predict',
  explain: 'aiplatform.endpoints.explain',
  getPipelineJob: 'aiplatform.pipelineJobs.get',
  listPipelineJobsAsync: 'aiplatform.pipelineJobs.list',
};

/**
 * The RPCs behind the port methods each function calls (read from
 * shared/services/health-check and shared/services/validation):
 * ping/listModels → ListModels; listVersions → ListModelVersions;
 * getVersion → GetModel + ListModelEvaluations (its metrics); getServing →
 * GetEndpoint (the pipeline's endpoints: ListEndpoints by display name and
 * labels); listServing → ListEndpoints; predict → Predict, attributed by
 * deployedModelId (no Explain since issue 12); listRuns → ListPipelineJobs;
 * setQuarantine → UpdateModel. A pinned predict of a version without all of
 * its book's traffic goes to the validation endpoint: VALIDATION_ENDPOINT_CALLS.
 */
const CALLS: Record<'health-check' | 'post-deploy-validation', string[]> = {
  'health-check': [
    'listModels',
    'listModelVersions',
    'getModel',
    'listModelEvaluations',
    'getEndpoint',
    'listEndpoints',
    'predict',
    'listPipelineJobsAsync',
  ],
  'post-deploy-validation': [
    'listModels',
    'listModelVersions',
    'getModel',
    'listModelEvaluations',
    'getEndpoint',
    'listEndpoints',
    'predict',
    'updateModel',
  ],
};
/**
 * What predictOnValidation (vertex-serving-target.ts) does on the validation
 * endpoint beyond GetEndpoint and Predict: deploy the version, give it the
 * endpoint's traffic, undeploy the one asked before.
 */
const VALIDATION_ENDPOINT_CALLS = ['deployModel', 'undeployModel', 'updateEndpoint'];
/** The functions that predict pinned versions and may deploy nowhere else (rollback holds roles/aiplatform.user). */
const VALIDATION_ENDPOINT_USERS = ['post-deploy-validation'];
const DEPLOYING = /\.(deploy|undeploy|create|delete)$|^aiplatform\.endpoints\.update$|^aiplatform\.\*$/;

const texts = readInfraTexts();
const withTf = (file: string, change: (text: string) => string): InfraTexts => ({
  ...texts,
  tf: { ...texts.tf, [file]: change(texts.tf[file]!) },
});

/** infra/ as it was on b31ad6a in the three places this suite checks. */
const VARIANTS = {
  real: texts,
  ingressAll: withTf('functions.tf', (t) =>
    t.replace('ingress_settings               = "ALLOW_INTERNAL_ONLY"', 'ingress_settings = "ALLOW_ALL"'),
  ),
  aiplatformUser: withTf('locals.tf', (t) =>
    t.replace(
      /"health-check"\s+= \[[^\]]*\]\n\s+"post-deploy-validation" = \[[^\]]*\]/,
      '"health-check" = ["roles/aiplatform.user"]\n    "post-deploy-validation" = ["roles/aiplatform.user"]',
    ),
  ),
  // The validation endpoint's role granted on the project: deploy rights on every book's endpoint.
  validationRoleOnProject: withTf('locals.tf', (t) =>
    t.replace(
      '"post-deploy-validation" = ["projects/${var.project_id}/roles/${local.vertex_roles.validator.role_id}"]',
      '"post-deploy-validation" = ["projects/${var.project_id}/roles/${local.vertex_roles.validator.role_id}", "projects/${var.project_id}/roles/${local.vertex_roles.validation_endpoint.role_id}"]',
    ),
  ),
  validationGrantOnProject: withTf('vertex.tf', (t) =>
    t.replace(
      'resource "google_vertex_ai_endpoint_iam_member" "validation_deployer"',
      'resource "google_project_iam_member" "validation_deployer"',
    ),
  ),
  // The role grown to what rollback has.
  validationRoleBroad: withTf('vertex.tf', (t) =>
    t.replace(
      'role     = google_project_iam_custom_role.vertex["validation_endpoint"].id',
      'role     = "roles/aiplatform.user"',
    ),
  ),
  // The provider's default label app=forecast-guard left on: listServing would take it for a book.
  validationLabelledApp: withTf('vertex.tf', (t) =>
    t.replace('    app     = "forecast-guard-validation"\n', ''),
  ),
  noPitr: withTf('firestore.tf', (t) =>
    t.replace('point_in_time_recovery_enablement = "POINT_IN_TIME_RECOVERY_ENABLED"', ''),
  ),
};

/** Problems with ingress: internal for the pushed functions, all (IAM-only) for the HTTP face. */
function ingressProblems(model: InfraModel): string[] {
  const problems: string[] = [];
  const res = resources(model);
  const pushed = res.get('google_cloudfunctions2_function.function');
  const ingress = norm(at(pushed, 'service_config.0.ingress_settings'));
  if (ingress !== 'ALLOW_INTERNAL_ONLY')
    problems.push(`Pub/Sub-pushed functions take ingress ${ingress}, not ALLOW_INTERNAL_ONLY`);
  // Internal only counts for pushes to the default run.app URL, from subscriptions in the same project.
  const sub = res.get('google_pubsub_subscription.consumer');
  const endpoint = norm(at(sub, 'push_config.0.push_endpoint'));
  if (
    !endpoint.startsWith(
      '${google_cloudfunctions2_function.function[each.value.consumer].service_config[0].uri}',
    )
  )
    problems.push(`push endpoint ${endpoint} is not the function's own run.app URL`);
  for (const [address, body] of res) {
    if (/^google_(pubsub_subscription|cloud_scheduler_job)\./.test(address) && body.project !== undefined)
      problems.push(`${address} names a project: it would not be internal traffic`);
  }
  const http = res.get('google_cloudfunctions2_function.http');
  if (norm(at(http, 'service_config.0.ingress_settings')) !== 'ALLOW_ALL')
    problems.push('rollback-http is not reachable by operators (ingress)');
  return problems;
}

/** The permissions of the custom role a `projects/…/roles/${local.vertex_roles.<key>.role_id}` names. */
function customRolePermissions(model: InfraModel, role: string): string[] | undefined {
  const key = /\/roles\/\$\{local\.vertex_roles\.([A-Za-z_]+)\.role_id\}$/.exec(role)?.[1];
  const roles = (locals(model).vertex_roles ?? {}) as Record<string, { permissions?: Json[] }>;
  if (!key || !roles[key]) return undefined;
  const custom = resources(model).get('google_project_iam_custom_role.vertex');
  if (
    norm(custom?.for_each) !== '${local.vertex_roles}' ||
    norm(custom?.permissions) !== '${each.value.permissions}'
  )
    return undefined;
  return (roles[key].permissions ?? []).map(String).sort();
}

function vertexProblems(model: InfraModel): string[] {
  const problems: string[] = [];
  const extra = (locals(model).function_extra_roles ?? {}) as Record<string, Json[]>;
  for (const [fn, calls] of Object.entries(CALLS)) {
    const roles = (extra[fn] ?? []).map(String);
    const predefined = roles.filter((r) => r.startsWith('roles/aiplatform.'));
    if (predefined.length > 0) problems.push(`${fn} has ${predefined.join(', ')}`);
    const custom = roles.map((r) => customRolePermissions(model, r)).filter((p) => p !== undefined);
    if (custom.length === 0) {
      problems.push(`${fn} has no custom Vertex AI role`);
      continue;
    }
    const want = [...new Set(calls.map((c) => RPC_PERMISSION[c]!))].sort();
    const got = [...new Set(custom.flat())].sort();
    if (JSON.stringify(got) !== JSON.stringify(want))
      problems.push(`${fn} role permissions ${got.join(' ')}; its calls need ${want.join(' ')}`);
    const deploying = got.filter((p) => DEPLOYING.test(p));
    if (deploying.length > 0) problems.push(`${fn} may deploy: ${deploying.join(', ')}`);
  }
  if (!(extra.rollback ?? []).includes('roles/aiplatform.user'))
    problems.push('rollback lost the Vertex AI role it needs to move traffic and aliases');
  return problems;
}

/**
 * The validation endpoint: one endpoint (not labelled as forecast-guard's book
 * endpoints), its name in every function's FG_VERTEX_VALIDATION_ENDPOINT, and
 * a role with exactly the deploy calls predictOnValidation makes, granted on
 * that endpoint alone (an endpoint IAM policy, google-beta provider) to
 * exactly the functions that need it.
 */
function validationEndpointProblems(model: InfraModel): string[] {
  const problems: string[] = [];
  const res = resources(model);
  const loc = locals(model);
  const endpoint = res.get('google_vertex_ai_endpoint.validation');
  if (!endpoint) return ['google_vertex_ai_endpoint.validation is missing'];
  if (norm(endpoint.display_name) !== 'fg-validation')
    problems.push('the validation endpoint is not fg-validation');
  // Resource labels override the provider's default_labels (app = forecast-guard) key by key.
  const app = at(endpoint, 'labels.app');
  if (app === undefined || app === 'forecast-guard')
    problems.push('fg-validation carries app=forecast-guard: listServing would take it for a book endpoint');
  if (
    !norm(at(loc, 'registry_env')).includes(
      'FG_VERTEX_VALIDATION_ENDPOINT=var.validation_endpoint_id!=""?google_vertex_ai_endpoint.validation[0].id',
    )
  )
    problems.push('FG_VERTEX_VALIDATION_ENDPOINT is not the validation endpoint');

  const roleKey = 'validation_endpoint';
  const want = VALIDATION_ENDPOINT_CALLS.map((c) => RPC_PERMISSION[c]!).sort();
  const got = customRolePermissions(model, `projects/x/roles/\${local.vertex_roles.${roleKey}.role_id}`);
  if (JSON.stringify(got) !== JSON.stringify(want))
    problems.push(
      `the validation endpoint role has ${got?.join(' ') ?? 'no permissions'}; predictOnValidation needs ${want.join(' ')}`,
    );

  const grant = res.get('google_vertex_ai_endpoint_iam_member.validation_deployer');
  if (!grant) problems.push('the validation endpoint role is not granted on the validation endpoint');
  else {
    if (norm(grant.endpoint) !== '${google_vertex_ai_endpoint.validation[0].name}')
      problems.push(`validation_deployer is granted on ${norm(grant.endpoint)}, not the validation endpoint`);
    if (norm(grant.role) !== `\${google_project_iam_custom_role.vertex["${roleKey}"].id}`)
      problems.push(`validation_deployer grants ${norm(grant.role)}`);
    if (norm(grant.provider) !== '${google-beta}')
      problems.push(
        'validation_deployer is not on the google-beta provider (the only one with endpoint IAM)',
      );
    if (norm(grant.member) !== 'serviceAccount:${google_service_account.function[each.key].email}')
      problems.push("validation_deployer is not granted to each function's own service account");
    if (!norm(grant.for_each).includes('local.validation_endpoint_users'))
      problems.push('validation_deployer is not granted to local.validation_endpoint_users');
  }
  const users = ((loc.validation_endpoint_users ?? []) as Json[]).map(String).sort();
  if (JSON.stringify(users) !== JSON.stringify(VALIDATION_ENDPOINT_USERS))
    problems.push(
      `validation endpoint users are ${users.join(', ') || 'none'}, not ${VALIDATION_ENDPOINT_USERS.join(', ')}`,
    );

  // Nowhere else: no project grant, no function's or the CI runner's project roles.
  for (const [address, body] of res) {
    if (address === 'google_vertex_ai_endpoint_iam_member.validation_deployer') continue;
    if (/_iam_(member|binding)$/.test(address.split('.')[0]!) && norm(body.role).includes(`"${roleKey}"`))
      problems.push(`${address} grants the validation endpoint role beyond the validation endpoint`);
  }
  const projectRoles = [
    ...Object.values((loc.function_extra_roles ?? {}) as Record<string, Json[]>).flat(),
    ...((at(res.get('google_project_iam_member.ci'), 'for_each') ?? '') as string).split(','),
  ];
  for (const role of projectRoles)
    if (String(role).includes(`vertex_roles.${roleKey}.`))
      problems.push(`the validation endpoint role is granted on the project (${String(role).trim()})`);
  return problems;
}

function firestoreProblems(model: InfraModel): string[] {
  const db = resources(model).get('google_firestore_database.default');
  const problems: string[] = [];
  if (db?.point_in_time_recovery_enablement !== 'POINT_IN_TIME_RECOVERY_ENABLED')
    problems.push('Firestore has no point-in-time recovery');
  if (db?.delete_protection_state !== 'DELETE_PROTECTION_ENABLED')
    problems.push('Firestore has no delete protection');
  return problems;
}

describe('infra/ least privilege', () => {
  let models: Record<keyof typeof VARIANTS, InfraModel>;

  beforeAll(async () => {
    models = await parseInfraVariants(VARIANTS);
  }, PARSE_TIMEOUT_MS);

  it('changes the real file in every undone copy', () => {
    for (const [name, variant] of Object.entries(VARIANTS))
      if (name !== 'real')
        expect([name, JSON.stringify(variant) === JSON.stringify(texts)]).toEqual([name, false]);
  });

  it('serves Pub/Sub-pushed functions on internal ingress, rollback-http reachable but IAM-only', () => {
    expect(ingressProblems(models.real)).toEqual([]);
    expect(checkAccess(models.real).filter((p) => /public|operators/.test(p))).toEqual([]);
    expect(ingressProblems(models.ingressAll)).toEqual([
      'Pub/Sub-pushed functions take ingress ALLOW_ALL, not ALLOW_INTERNAL_ONLY',
    ]);
  });

  it('gives the health check and the validation exactly the Vertex AI permissions their calls need, none that deploys', () => {
    expect(vertexProblems(models.real)).toEqual([]);
    expect(vertexProblems(models.aiplatformUser)).toEqual([
      'health-check has roles/aiplatform.user',
      'health-check has no custom Vertex AI role',
      'post-deploy-validation has roles/aiplatform.user',
      'post-deploy-validation has no custom Vertex AI role',
    ]);
  });

  it('lets the validation deploy on the validation endpoint alone, with only the calls that need', () => {
    expect(validationEndpointProblems(models.real)).toEqual([]);
    expect(validationEndpointProblems(models.validationRoleOnProject)).toEqual([
      'the validation endpoint role is granted on the project (projects/${var.project_id}/roles/${local.vertex_roles.validation_endpoint.role_id})',
    ]);
    expect(vertexProblems(models.validationRoleOnProject)).toEqual([
      expect.stringMatching(/^post-deploy-validation role permissions .*aiplatform\.endpoints\.deploy/),
      'post-deploy-validation may deploy: aiplatform.endpoints.deploy, aiplatform.endpoints.undeploy, aiplatform.endpoints.update',
    ]);
    expect(validationEndpointProblems(models.validationGrantOnProject)).toEqual([
      'the validation endpoint role is not granted on the validation endpoint',
      'google_project_iam_member.validation_deployer grants the validation endpoint role beyond the validation endpoint',
    ]);
    expect(validationEndpointProblems(models.validationRoleBroad)).toEqual([
      'validation_deployer grants roles/aiplatform.user',
    ]);
    expect(validationEndpointProblems(models.validationLabelledApp)).toEqual([
      'fg-validation carries app=forecast-guard: listServing would take it for a book endpoint',
    ]);
  });

  it('pins what the validation endpoint grant gives: deploy, undeploy and traffic on that endpoint, to the validation only', () => {
    const role = (locals(models.real).vertex_roles as Record<string, { permissions: Json[] }>)
      .validation_endpoint!;
    expect(role.permissions).toEqual([
      'aiplatform.endpoints.deploy',
      'aiplatform.endpoints.undeploy',
      'aiplatform.endpoints.update',
    ]);
    expect(locals(models.real).validation_endpoint_users).toEqual(['post-deploy-validation']);
    // Setting that endpoint's IAM policy is the deployer's alone (Terraform), never a function's.
    const iamAdmin = [...resources(models.real)]
      .filter(([, body]) => norm(body.role).includes('"endpoint_iam_admin"'))
      .map(([address, body]) => [address, norm(body.member)]);
    expect(iamAdmin).toEqual([
      [
        'google_project_iam_member.deployer_endpoint_iam',
        'serviceAccount:${google_service_account.deployer.email}',
      ],
    ]);
  });

  it('knows the permission of every Vertex AI call the adapters make', () => {
    const dir = join(ROOT, 'shared', 'adapters', 'gcp');
    const calls = new Set<string>();
    for (const file of readdirSync(dir).filter((f) => f.startsWith('vertex-'))) {
      const text = readFileSync(join(dir, file), 'utf8');
      for (const m of text.matchAll(/clients\.(?:model|endpoint|prediction|pipeline)\.(\w+)\(/g))
        calls.add(m[1]!);
    }
    expect([...calls].filter((c) => !(c in RPC_PERMISSION))).toEqual([]);
  });

  it('keeps Firestore recoverable: point-in-time recovery and delete protection', () => {
    expect(firestoreProblems(models.real)).toEqual([]);
    expect(firestoreProblems(models.noPitr)).toEqual(['Firestore has no point-in-time recovery']);
  });
});
