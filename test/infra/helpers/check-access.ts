/**
 * Who may do what in infra/: one service account per function, publisher on
 * exactly the topics topology lists (plus the function's own dead-letter
 * topic), nothing public anywhere, secrets only from Secret Manager, the
 * production trigger behind approval, the rollback function callable only by
 * operators, the PipelineJob sink allowed to publish. Returns problems.
 */
import { VARIABLES } from '../../../shared/config/variables';
import { FUNCTIONS, TOPICS, deadLetterTopicOf } from '../../../shared/topology';
import {
  at,
  evalEach,
  instancesOf,
  locals,
  norm,
  resources,
  strings,
  variables,
  type InfraModel,
  type Json,
} from './hcl';

const PUBLIC_MEMBERS = /\ballUsers\b|\ballAuthenticatedUsers\b/;
/** Literal values that are secrets in disguise: Slack webhooks and tokens, SMTP URLs with credentials. */
const SECRET_LITERALS = [/hooks\.slack\.com/i, /\bxox[abpr]-/, /^smtps?:\/\//i];
export const SECRET_VARIABLES = VARIABLES.filter((v) => v.secret).map((v) => v.name);
const ROLE_BLOCKLIST =
  /roles\/(owner|editor|pubsub\.(publisher|editor|admin)|secretmanager\.(secretAccessor|admin))/;

/** (function, topic) pairs topology allows: `publishes` plus the trigger's dead-letter topic. */
export function expectedPublisherGrants(): string[] {
  return FUNCTIONS.flatMap((f) => [
    ...f.publishes.map((t) => `${f.name}/${t}`),
    ...(f.trigger ? [`${f.name}/${deadLetterTopicOf(f.trigger)}`] : []),
  ]).sort();
}

export function checkAccess(model: InfraModel): string[] {
  const problems: string[] = [];
  const res = resources(model);
  const loc = locals(model);

  // Nothing public, anywhere: resources, locals, variables, outputs, tfvars.
  for (const [file, doc] of [...Object.entries(model.files), ...Object.entries(model.tfvars)]) {
    for (const [path, text] of strings(doc)) {
      if (PUBLIC_MEMBERS.test(text)) problems.push(`${file} ${path}: public member ${text}`);
      if (SECRET_LITERALS.some((re) => re.test(text)))
        problems.push(`${file} ${path}: a secret value in Terraform`);
    }
  }

  // One service account per function, used by that function (and only its own HTTP face).
  const sa = res.get('google_service_account.function');
  const saInstances = instancesOf(model, sa);
  const saNames = saInstances?.map(([k]) => k) ?? [];
  for (const f of FUNCTIONS)
    if (!saNames.includes(f.name)) problems.push(`function ${f.name} has no service account of its own`);
  const ids = saInstances?.map(([k, v]) => evalEach(sa?.account_id, k, v)) ?? [];
  if (new Set(ids).size !== ids.length) problems.push('two functions share a service account id');
  const fn = res.get('google_cloudfunctions2_function.function');
  if (
    norm(at(fn, 'service_config.0.service_account_email')) !==
    '${google_service_account.function[each.key].email}'
  ) {
    problems.push('functions do not each run as their own service account');
  }
  const http = res.get('google_cloudfunctions2_function.http');
  if (
    http &&
    norm(at(http, 'service_config.0.service_account_email')) !==
      '${google_service_account.function[each.value.function].email}'
  ) {
    problems.push("an HTTP function does not run as its function's service account");
  }

  // Publisher: exactly topology's topics per function.
  const pub = res.get('google_pubsub_topic_iam_member.function_publisher');
  const grants = instancesOf(model, pub);
  if (!pub || !grants) problems.push('google_pubsub_topic_iam_member.function_publisher is missing');
  else {
    if (norm(pub.role) !== 'roles/pubsub.publisher')
      problems.push('function_publisher does not grant roles/pubsub.publisher');
    if (norm(pub.member) !== 'serviceAccount:${google_service_account.function[each.value.function].email}') {
      problems.push("function_publisher is not granted to the function's own service account");
    }
    if (norm(pub.topic) !== '${each.value.topic}')
      problems.push('function_publisher does not grant on each.value.topic');
    const got = grants
      .map(([k, v]) => `${evalEach('${each.value.function}', k, v)}/${evalEach('${each.value.topic}', k, v)}`)
      .sort();
    const want = expectedPublisherGrants();
    for (const g of want) if (!got.includes(g)) problems.push(`publisher grant ${g} (topology) is missing`);
    for (const g of got) if (!want.includes(g)) problems.push(`publisher grant ${g} is not in topology`);
  }
  // No other grant to a function's account may touch Pub/Sub, secrets, or be broad.
  for (const [address, body] of res) {
    if (!/_iam_(member|binding)$/.test(address.split('.')[0]!) || address.endsWith('.function_publisher'))
      continue;
    const who = norm(body.member ?? body.members);
    const role = norm(body.role);
    if (
      who.includes('google_service_account.function[') &&
      ROLE_BLOCKLIST.test(role) &&
      !address.endsWith('.accessor')
    ) {
      problems.push(`${address} grants ${role} to a function's service account`);
    }
  }
  const roleLists = [
    loc.common_function_roles,
    ...Object.values((loc.function_extra_roles ?? {}) as Record<string, Json>),
  ];
  for (const role of roleLists.flat()) {
    if (typeof role === 'string' && ROLE_BLOCKLIST.test(role))
      problems.push(`functions get project role ${role}`);
  }

  // Dead-lettering: Pub/Sub's agent publishes to every dead-letter topic and acks on every consumer subscription.
  const dlp = res.get('google_pubsub_topic_iam_member.dead_letter_publisher');
  if (
    norm(dlp?.for_each) !== '${local.topology.deadLetterTopics}' ||
    norm(dlp?.member) !== '${local.pubsub_service_agent}'
  ) {
    problems.push('Pub/Sub service agent is not publisher on every dead-letter topic');
  }
  const dls = res.get('google_pubsub_subscription_iam_member.dead_letter_subscriber');
  if (
    norm(dls?.for_each) !== '${local.topology.subscriptions}' ||
    norm(dls?.member) !== '${local.pubsub_service_agent}'
  ) {
    problems.push('Pub/Sub service agent is not subscriber on every consumer subscription');
  }

  // Secrets: Secret Manager only, never a value in Terraform, never a plain environment variable.
  for (const address of res.keys()) {
    if (address.startsWith('google_secret_manager_secret_version.'))
      problems.push(`${address} would put a secret value in Terraform state`);
  }
  for (const [address, body] of [
    ['function', fn],
    ['http', http],
  ] as const) {
    const content = at(body, 'service_config.0.dynamic.secret_environment_variables.0.content.0');
    if (!norm(at(content, 'secret')).startsWith('${google_secret_manager_secret.secret[')) {
      problems.push(
        `google_cloudfunctions2_function.${address} does not take its secrets from Secret Manager (secret_environment_variables)`,
      );
    }
  }
  for (const [env, vars] of Object.entries(model.tfvars)) {
    const plain = Object.keys((vars.function_env ?? {}) as Record<string, Json>);
    for (const name of plain.filter((n) => SECRET_VARIABLES.includes(n)))
      problems.push(`${env}.tfvars sets secret ${name} as a plain variable`);
  }
  for (const name of Object.keys((loc.secret_ids ?? {}) as Record<string, Json>)) {
    if (!SECRET_VARIABLES.includes(name))
      problems.push(`secret_ids names ${name}, which the config does not treat as secret`);
  }
  for (const [fnName, names] of Object.entries((loc.function_secrets ?? {}) as Record<string, Json>)) {
    if (!FUNCTIONS.some((f) => f.name === fnName))
      problems.push(`function_secrets names unknown function ${fnName}`);
    for (const n of names as Json[])
      if (!(String(n) in ((loc.secret_ids ?? {}) as object)))
        problems.push(`function_secrets: ${n} has no secret`);
  }
  if (
    norm(res.get('google_secret_manager_secret_iam_member.accessor')?.for_each) !== '${local.secret_grants}'
  ) {
    problems.push('secret access is not limited to the functions that use each secret');
  }

  // The production trigger needs approval; staging deploys on push.
  const prod = res.get('google_cloudbuild_trigger.production');
  if (at(prod, 'approval_config.0.approval_required') !== true)
    problems.push('the production Cloud Build trigger does not require approval');
  if (norm(prod?.filename) !== 'cloudbuild.production.yaml')
    problems.push('the production trigger does not run cloudbuild.production.yaml');
  const staging = res.get('google_cloudbuild_trigger.staging');
  if (norm(staging?.filename) !== 'cloudbuild.yaml')
    problems.push('the staging trigger does not run cloudbuild.yaml');
  if (norm(at(staging, 'github.0.push.0.branch')) !== '${var.deploy_branch}')
    problems.push('the staging trigger does not run on pushes');

  // The rollback function's HTTP face: operators only, and the variable refuses anything public.
  const ops = res.get('google_cloud_run_v2_service_iam_member.operator_invoker');
  if (!ops || !norm(ops.for_each).includes('var.operators') || norm(ops.member) !== '${each.value.member}') {
    problems.push('the HTTP rollback function is not limited to var.operators');
  }
  if (!at(variables(model).operators, 'validation.0.condition'))
    problems.push('variable operators has no validation');
  const push = res.get('google_cloud_run_v2_service_iam_member.push_invoker');
  if (norm(push?.member) !== 'serviceAccount:${google_service_account.function[each.value.consumer].email}') {
    problems.push("push invoker is not the consumer's own service account");
  }

  // Vertex AI PipelineJob state changes reach pipeline-events; the sink's writer may publish there.
  const sink = res.get('google_logging_project_sink.pipeline_events');
  const filter = norm(sink?.filter);
  if (!TOPICS.includes('pipeline-events'))
    problems.push('topology has no pipeline-events topic for the sink');
  if (
    !filter.includes('resource.type="aiplatform.googleapis.com/PipelineJob"') ||
    !filter.includes('pipeline_job_events')
  ) {
    problems.push('the PipelineJob sink filter does not select pipeline_job_events of PipelineJob');
  }
  if (!norm(sink?.destination).includes('google_pubsub_topic.topic["pipeline-events"]'))
    problems.push('the PipelineJob sink does not write to pipeline-events');
  if (sink?.unique_writer_identity !== true)
    problems.push('the PipelineJob sink has no unique writer identity');
  const sinkPub = res.get('google_pubsub_topic_iam_member.sink_publisher');
  if (
    norm(sinkPub?.member) !== '${google_logging_project_sink.pipeline_events.writer_identity}' ||
    norm(sinkPub?.role) !== 'roles/pubsub.publisher'
  ) {
    problems.push("the sink's writer identity may not publish to pipeline-events");
  }
  if (res.get('google_logging_project_bucket_config.forecast_guard')?.retention_days === undefined) {
    problems.push('the log bucket has no retention');
  }
  return problems;
}
