/**
 * Holds infra/ to topology's HTTP_SCHEDULES (the alert-dispatch flush every 5
 * minutes): each is a Cloud Scheduler job with an `http_target` POSTing to a
 * function deployed under the schedule's name, with an OIDC token minted as a
 * service account of its own; that account is `run.invoker` on that function
 * and holds nothing else, and nobody else may invoke it. The function runs as
 * its topology function's account, takes only internal traffic, and is told
 * (FG_FLUSH_AUTH=iam) that IAM checked its caller. Returns problems.
 */
import { HTTP_SCHEDULES, FUNCTIONS } from '../../../shared/topology';
import { invokerServiceAccountIdOf } from '../../../scripts/gen-infra-topology';
import { at, evalEach, instancesOf, norm, resources, type Block, type InfraModel, type Json } from './hcl';

const JOB = 'google_cloud_scheduler_job.http_schedule';
const FN = 'google_cloudfunctions2_function.scheduled_http';
const SA = 'google_service_account.scheduler_invoker';
const INVOKER = 'google_cloud_run_v2_service_iam_member.scheduler_invoker';

export function checkHttpSchedules(model: InfraModel): string[] {
  const problems: string[] = [];
  const res = resources(model);
  const expected = HTTP_SCHEDULES.map((s) => s.name);

  const expr = (address: string, body: Block | undefined, path: string, want: string) => {
    const got = at(body, path);
    if (norm(got) !== norm(want)) problems.push(`${address}.${path} is ${norm(got)}, expected ${want}`);
  };
  /** The resource iterates over exactly topology's HTTP schedules. */
  const each = (address: string, nameAttr?: string): Block | undefined => {
    const body = res.get(address);
    const instances = instancesOf(model, body);
    if (!body || !instances || norm(body.for_each) !== '${local.topology.httpSchedules}') {
      problems.push(`${address} is missing or does not iterate over local.topology.httpSchedules`);
      return undefined;
    }
    const names = instances.map(([k, v]) => String(nameAttr ? evalEach(body[nameAttr], k, v) : k));
    for (const e of expected)
      if (!names.includes(e)) problems.push(`HTTP schedule ${e} (topology) is missing from ${address}`);
    for (const n of names)
      if (!expected.includes(n)) problems.push(`HTTP schedule ${n} in ${address} is not in topology`);
    return body;
  };

  for (const s of HTTP_SCHEDULES) {
    const v = (model.topology.httpSchedules as Record<string, Record<string, Json>> | undefined)?.[s.name];
    if (!FUNCTIONS.some((f) => f.name === s.function))
      problems.push(`HTTP schedule ${s.name} belongs to unknown function ${s.function}`);
    if (
      !v ||
      v.entryPoint !== s.entryPoint ||
      v.cron !== s.cron ||
      v.function !== s.function ||
      v.invokerServiceAccountId !== invokerServiceAccountIdOf(s.name)
    ) {
      problems.push(`HTTP schedule ${s.name} in topology.json differs from topology`);
    }
  }

  const job = each(JOB, 'name');
  if (job) {
    expr(JOB, job, 'schedule', '${each.value.cron}');
    expr(JOB, job, 'time_zone', '${each.value.timeZone}');
    expr(JOB, job, 'http_target.0.http_method', 'POST');
    expr(JOB, job, 'http_target.0.uri', `\${${FN}[each.key].service_config[0].uri}`);
    expr(JOB, job, 'http_target.0.oidc_token.0.service_account_email', `\${${SA}[each.key].email}`);
    if (at(job, 'http_target.0.oidc_token.0.audience') === undefined)
      problems.push(`${JOB} sends an OIDC token without an audience`);
    if (job.pubsub_target !== undefined) problems.push(`${JOB} publishes instead of calling its function`);
  }

  const fn = each(FN, 'name');
  if (fn) {
    expr(FN, fn, 'build_config.0.entry_point', '${each.value.entryPoint}');
    expr(FN, fn, 'build_config.0.source.0.storage_source.0.object', '${var.function_bundle_object}');
    expr(
      FN,
      fn,
      'service_config.0.service_account_email',
      '${google_service_account.function[each.value.function].email}',
    );
    expr(FN, fn, 'service_config.0.ingress_settings', 'ALLOW_INTERNAL_ONLY');
    const env = norm(at(fn, 'service_config.0.environment_variables'));
    if (!/FG_FLUSH_AUTH"?=?:?"iam"/.test(env))
      problems.push(`${FN} is not deployed with FG_FLUSH_AUTH=iam (it would refuse its scheduler)`);
    const secret = at(fn, 'service_config.0.dynamic.secret_environment_variables.0.content.0.secret');
    if (!norm(secret).startsWith('${google_secret_manager_secret.secret['))
      problems.push(`${FN} does not take its secrets from Secret Manager`);
  }

  const sa = each(SA);
  if (sa) expr(SA, sa, 'account_id', '${each.value.invokerServiceAccountId}');

  const invoker = each(INVOKER);
  if (invoker) {
    expr(INVOKER, invoker, 'role', 'roles/run.invoker');
    expr(INVOKER, invoker, 'name', `\${${FN}[each.key].name}`);
    expr(INVOKER, invoker, 'member', `serviceAccount:\${${SA}[each.key].email}`);
  }

  // The invoker account holds that one grant; the scheduled functions have no other invoker.
  for (const [address, body] of res) {
    if (!/_iam_(member|binding|policy)$/.test(address.split('.')[0]!) || address === INVOKER) continue;
    const text = norm(body as Json);
    if (text.includes('google_service_account.scheduler_invoker'))
      problems.push(`${address} grants something more to a scheduler's invoker account`);
    if (text.includes(`${FN}[`)) problems.push(`${address} lets someone else invoke a scheduled function`);
  }
  return problems;
}
