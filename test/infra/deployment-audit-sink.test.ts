/**
 * The Vertex AI deployment sink in infra/logging.tf: its filter, read from
 * the parsed Terraform and evaluated on the audit-log fixtures, keeps the
 * DeployModel / MutateDeployedModel request entries under all three
 * methodName prefixes and drops completion entries, UndeployModel and
 * UpdateEndpoint; it writes to model-deployments with its own writer
 * identity, which alone may publish there besides the functions; the
 * functions are told forecast-guard's own principals.
 */
import { loadFixture } from '../helpers/gcp-fixtures';
import { loadInfra, locals, norm, resources, type InfraModel } from './helpers/hcl';

/** The HCL parser runs in a child process; on a loaded two-core machine parsing takes tens of seconds. */
const PARSE_TIMEOUT_MS = 120_000;

type Json = Record<string, unknown>;

const PREFIXES = ['v1', 'v1beta1', 'ui'];

/**
 * Evaluates the filter's form — clauses joined by AND, each `path="text"`,
 * `path=true`, or a parenthesised OR of such — on a LogEntry. Anything else
 * throws, so a filter this cannot read fails the test rather than passing it.
 */
function keeps(filter: string, entry: Json): boolean {
  return splitTop(filter, ' AND ').every((clause) => {
    const inner = clause.startsWith('(') && clause.endsWith(')') ? clause.slice(1, -1) : clause;
    return splitTop(inner, ' OR ').some((term) => {
      const m = /^([A-Za-z_.]+)=(?:"((?:[^"\\]|\\.)*)"|(true|false))$/.exec(term.trim());
      if (!m) throw new Error(`filter term not understood: ${term}`);
      const value = m[1]!.split('.').reduce<unknown>((v, k) => (v as Json | undefined)?.[k], entry);
      return m[3] !== undefined ? value === (m[3] === 'true') : value === m[2];
    });
  });
}

function splitTop(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' && text[i - 1] !== '\\') quoted = !quoted;
    if (quoted) continue;
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (depth === 0 && text.startsWith(sep, i)) {
      parts.push(text.slice(start, i));
      start = i + sep.length;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

const fixture = (name: string) => loadFixture<Json>(`8-audit-logs/${name}`);
function withMethod(entry: Json, method: string): Json {
  const copy = structuredClone(entry) as { protoPayload: Json };
  copy.protoPayload.methodName = method;
  return copy as Json;
}

describe('the Vertex AI deployment audit sink', () => {
  let infra: InfraModel;
  let filter: string;
  beforeAll(async () => {
    infra = await loadInfra();
    const raw = resources(infra).get('google_logging_project_sink.deployment_audit')?.filter;
    // The fixtures' project; the HCL keeps the interpolation as written.
    filter = String(raw).replace('${var.project_id}', 'my-project');
  }, PARSE_TIMEOUT_MS);

  it.each(PREFIXES.flatMap((p) => ['DeployModel', 'MutateDeployedModel'].map((m) => [p, m] as const)))(
    'keeps the %s %s request entry',
    (prefix, method) => {
      const base = fixture(
        method === 'DeployModel'
          ? 'deploymodel.first.logentry.json'
          : 'mutatedeployedmodel.first.logentry.json',
      );
      expect(
        keeps(filter, withMethod(base, `google.cloud.aiplatform.${prefix}.EndpointService.${method}`)),
      ).toBe(true);
    },
  );

  it.each([
    'deploymodel.last.logentry.json',
    'deploymodel.last.failed.logentry.json',
    'undeploymodel.first.logentry.json',
    'updateendpoint.logentry.json',
  ])('drops %s', (name) => {
    expect(keeps(filter, fixture(name))).toBe(false);
  });

  it('drops other services and other projects', () => {
    const entry = fixture('deploymodel.first.logentry.json') as { protoPayload: Json; logName: string };
    expect(keeps(filter, { ...entry, logName: entry.logName.replace('my-project', 'other') })).toBe(false);
    expect(
      keeps(filter, { ...entry, protoPayload: { ...entry.protoPayload, serviceName: 'ml.googleapis.com' } }),
    ).toBe(false);
  });

  it('writes to model-deployments with a writer identity of its own, which may publish there', () => {
    const res = resources(infra);
    const sink = res.get('google_logging_project_sink.deployment_audit');
    expect(norm(sink?.destination)).toBe(
      'pubsub.googleapis.com/${google_pubsub_topic.topic["model-deployments"].id}',
    );
    expect(sink?.unique_writer_identity).toBe(true);
    const grant = res.get('google_pubsub_topic_iam_member.deployment_audit_publisher');
    expect(norm(grant?.topic)).toBe('${google_pubsub_topic.topic["model-deployments"].name}');
    expect(norm(grant?.role)).toBe('roles/pubsub.publisher');
    expect(norm(grant?.member)).toBe('${google_logging_project_sink.deployment_audit.writer_identity}');
  });

  it("tells every function forecast-guard's own principals: the functions' and the deployer's accounts", () => {
    const env = norm(locals(infra).base_function_env);
    expect(env).toContain('FG_DEPLOYER_PRINCIPALS');
    expect(env).toContain('[forsaingoogle_service_account.function:sa.email]');
    expect(env).toContain('[google_service_account.deployer.email]');
  });
});
