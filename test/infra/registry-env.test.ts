/**
 * The settings issue 12's code reads (the publisher's MLflow registry, its
 * Vertex AI endpoints, the validation endpoint, the training start, the
 * Vertex AI quotas) as infra/ sets them: each has a validated Terraform
 * variable, flows into every function's environment (locals.tf registry_env,
 * merged into base_function_env) under the name shared/config reads, and
 * each environment's values are accepted by the functions' own config schema.
 * The variables' validation regexes are run against the schema on the same
 * samples, so the two cannot drift apart unnoticed.
 */
import { EnvSchema } from '../../shared/config/env-schema';
import { VARIABLES } from '../../shared/config/variables';
import { VERTEX_QUOTA_CLASSES } from '../../shared/adapters/gcp/vertex-quota';
import { at, loadInfra, locals, norm, variables, type InfraModel, type Json } from './helpers/hcl';

/** Config variable → the Terraform variable that sets it. */
const SETTINGS: Record<string, string> = {
  FG_REGISTRY: 'registry',
  MLFLOW_TRACKING_URI: 'mlflow_tracking_uri',
  FG_PIPELINE_TRAIN_START: 'pipeline_train_start',
  FG_VERTEX_ENDPOINT_PATTERN: 'vertex_endpoint_pattern',
  FG_VERTEX_ENDPOINT_LABELS: 'vertex_endpoint_labels',
  FG_VERTEX_VALIDATION_ENDPOINT: 'validation_endpoint_id',
  FG_VERTEX_QUOTAS: 'vertex_quotas',
  FG_VERTEX_QUOTA_SHARE: 'vertex_quota_share',
};

let model: InfraModel;
beforeAll(async () => {
  model = await loadInfra();
}, 120_000);

/** The regex literals of a variable's validation condition, as JavaScript RegExps. */
function conditionRegexes(name: string): RegExp[] {
  const condition = String(at(variables(model)[name], 'validation.0.condition') ?? '');
  // HCL string escapes: `\\` is one backslash, `\"` a quote.
  return [...condition.matchAll(/regex\("((?:[^"\\]|\\.)*)"/g)].map(
    (m) => new RegExp(m[1]!.replace(/\\(["\\])/g, '$1')),
  );
}

/** What the functions' schema makes of one variable's value. */
function schemaAccepts(name: string, value: string): boolean {
  const shape = EnvSchema.shape as unknown as Record<string, { safeParse(v: unknown): { success: boolean } }>;
  return shape[name]!.safeParse(value).success;
}

/** The environment Terraform gives the functions from one tfvars file (as registry_env builds it). */
function envFrom(vars: Record<string, Json>): Record<string, string> {
  const labels = (vars.vertex_endpoint_labels ?? {}) as Record<string, string>;
  const quotas = (vars.vertex_quotas ?? {}) as Record<string, number>;
  const env: Record<string, string | undefined> = {
    FG_REGISTRY: String(vars.registry ?? 'vertex'),
    MLFLOW_TRACKING_URI: vars.mlflow_tracking_uri as string | undefined,
    FG_PIPELINE_TRAIN_START: vars.pipeline_train_start as string | undefined,
    FG_VERTEX_ENDPOINT_PATTERN: vars.vertex_endpoint_pattern as string | undefined,
    FG_VERTEX_ENDPOINT_LABELS: Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
    // google_vertex_ai_endpoint's id: projects/{{project}}/locations/{{location}}/endpoints/{{name}}.
    FG_VERTEX_VALIDATION_ENDPOINT: vars.validation_endpoint_id
      ? `projects/${String(vars.project_id)}/locations/${String(vars.region)}/endpoints/${String(vars.validation_endpoint_id)}`
      : undefined,
    FG_VERTEX_QUOTAS: Object.entries(quotas)
      .map(([k, n]) => `${k}=${n}`)
      .join(','),
    FG_VERTEX_QUOTA_SHARE:
      vars.vertex_quota_share === undefined ? undefined : String(vars.vertex_quota_share),
  };
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  );
}

describe('infra: the registry, endpoint and quota settings of issue 12', () => {
  it('has a validated variable for each, and sets each in every function environment under its config name', () => {
    const names = VARIABLES.map((v) => v.name);
    const env = norm(at(locals(model), 'registry_env'));
    for (const [setting, variable] of Object.entries(SETTINGS)) {
      expect([setting, names.includes(setting)]).toEqual([setting, true]);
      expect([variable, at(variables(model)[variable], 'validation.0.condition') !== undefined]).toEqual([
        variable,
        true,
      ]);
      expect([setting, env.includes(`${setting}=`) && env.includes(`var.${variable}`)]).toEqual([
        setting,
        true,
      ]);
    }
    expect(norm(at(locals(model), 'base_function_env'))).toContain('local.registry_env');
  });

  it('refuses those settings (and the MLflow token) in function_env, where base_function_env would silently win', () => {
    const conditions = norm(JSON.stringify(at(variables(model).function_env, 'validation')));
    for (const setting of [...Object.keys(SETTINGS), 'MLFLOW_TRACKING_TOKEN'])
      expect([setting, conditions.includes(`\\"${setting}\\"`)]).toEqual([setting, true]);
  });

  it("sets the publisher's values in both environments, and the functions' schema accepts them", () => {
    for (const [name, vars] of Object.entries(model.tfvars)) {
      expect([name, vars.registry, vars.vertex_endpoint_pattern, vars.vertex_endpoint_labels]).toEqual([
        name,
        'mlflow',
        'book-sales-{isbn}',
        { purpose: 'book_sales_forecasting' },
      ]);
      expect(vars.enabled_secrets).toContain('MLFLOW_TRACKING_TOKEN');
      const env = envFrom(vars);
      expect(Object.keys(env)).toEqual(
        expect.arrayContaining([
          'FG_REGISTRY',
          'MLFLOW_TRACKING_URI',
          'FG_VERTEX_ENDPOINT_PATTERN',
          'FG_VERTEX_ENDPOINT_LABELS',
          'FG_VERTEX_VALIDATION_ENDPOINT',
        ]),
      );
      const parsed = EnvSchema.safeParse(env);
      expect([name, parsed.success ? [] : parsed.error.issues.map((i) => i.message)]).toEqual([name, []]);
    }
  });

  it("validates labels, the MLflow URL and the endpoint id as the functions' schema does", () => {
    const [labelKey, labelValue] = conditionRegexes('vertex_endpoint_labels');
    const labelSamples: Array<[string, string]> = [
      ['purpose', 'book_sales_forecasting'],
      ['Purpose', 'x'],
      ['purpose', 'Book'],
      ['9lives', 'x'],
      ['team-a', ''],
      ['k', 'a'.repeat(64)],
    ];
    for (const [k, v] of labelSamples) {
      expect([k, v, labelKey!.test(k) && labelValue!.test(v)]).toEqual([
        k,
        v,
        schemaAccepts('FG_VERTEX_ENDPOINT_LABELS', `${k}=${v}`),
      ]);
    }
    const [uri] = conditionRegexes('mlflow_tracking_uri');
    for (const sample of [
      'https://mlflow.example.com',
      'http://10.0.0.5:5000',
      'ftp://x',
      'mlflow.example.com',
    ])
      expect([sample, uri!.test(sample)]).toEqual([sample, schemaAccepts('MLFLOW_TRACKING_URI', sample)]);
    // Every id the variable lets through names an endpoint the schema accepts (by id and by resource name).
    const [id] = conditionRegexes('validation_endpoint_id');
    for (const sample of ['1000000001', '7', '0123', '12345678901', 'fg-validation']) {
      if (id!.test(sample)) {
        expect([sample, schemaAccepts('FG_VERTEX_VALIDATION_ENDPOINT', sample)]).toEqual([sample, true]);
        const name = `projects/forecast-guard-staging/locations/europe-west2/endpoints/${sample}`;
        expect([name, schemaAccepts('FG_VERTEX_VALIDATION_ENDPOINT', name)]).toEqual([name, true]);
      }
    }
    expect(['1000000001', '0123', 'fg-validation'].map((s) => id!.test(s))).toEqual([true, false, false]);
  });

  it('names exactly the Vertex AI quota classes the rate limiter knows', () => {
    const condition = String(at(variables(model).vertex_quotas, 'validation.0.condition'));
    const listed = [...(/contains\(\[([^\]]*)\]/.exec(condition)?.[1] ?? '').matchAll(/"([a-z_]+)"/g)].map(
      (m) => m[1],
    );
    expect(listed.sort()).toEqual([...VERTEX_QUOTA_CLASSES].sort());
  });
});
