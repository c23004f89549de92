/**
 * Holds infra/ to shared/topology.ts: every topic, dead-letter topic,
 * inspect subscription, consumer subscription, schedule and function exists
 * in Terraform under the same name, with the same wiring, and nothing else
 * does. Instances are read from each resource's `for_each` (resolved against
 * topology.json), so both a stale topology.json and a resource that stops
 * iterating over it are caught. Returns problems; empty means consistent.
 */
import {
  DELIVERY,
  FUNCTIONS,
  SCHEDULES,
  SUBSCRIPTIONS,
  TOPICS,
  deadLetterSubscriptionOf,
  deadLetterTopicOf,
} from '../../../shared/topology';
import { buildInfraTopology } from '../../../scripts/gen-infra-topology';
import { at, evalEach, instancesOf, norm, resources, type Block, type InfraModel, type Json } from './hcl';

export function checkTopology(model: InfraModel): string[] {
  const problems: string[] = [];
  const res = resources(model);

  if (JSON.stringify(model.topology) !== JSON.stringify(buildInfraTopology())) {
    problems.push(
      'infra/topology.json differs from shared/topology.ts: run npx tsx scripts/gen-infra-topology.ts',
    );
  }

  /** Names one resource makes, compared both ways with what topology expects. */
  const sameNames = (address: string, nameAttr: string, expected: readonly string[], what: string) => {
    const body = res.get(address);
    const instances = instancesOf(model, body);
    if (!body || !instances) {
      problems.push(
        `${address} ${body ? 'has a for_each these checks cannot follow' : 'is missing'} (${what})`,
      );
      return undefined;
    }
    const names = instances.map(([k, v]) => evalEach(body[nameAttr], k, v));
    for (const e of expected)
      if (!names.includes(e)) problems.push(`${what} ${e} (topology) is missing from ${address}`);
    for (const n of names)
      if (!expected.includes(String(n)))
        problems.push(`${what} ${String(n)} in ${address} is not in topology`);
    return { body, instances };
  };

  /** An attribute must be exactly this expression (whitespace aside). */
  const expr = (address: string, body: Block, path: string, expected: string) => {
    const got = at(body, path);
    if (norm(got) !== norm(expected))
      problems.push(`${address}.${path} is ${norm(got)}, expected ${expected}`);
  };

  const topics = sameNames('google_pubsub_topic.topic', 'name', TOPICS, 'topic');
  sameNames('google_pubsub_topic.dead_letter', 'name', TOPICS.map(deadLetterTopicOf), 'dead-letter topic');
  const inspect = sameNames(
    'google_pubsub_subscription.dead_letter_inspect',
    'name',
    TOPICS.map(deadLetterSubscriptionOf),
    'dead-letter inspect subscription',
  );
  if (inspect)
    expr('dead_letter_inspect', inspect.body, 'topic', '${google_pubsub_topic.dead_letter[each.key].id}');
  if (topics) expr('google_pubsub_topic.topic', topics.body, 'name', '${each.key}');

  const subs = sameNames(
    'google_pubsub_subscription.consumer',
    'name',
    SUBSCRIPTIONS.map((s) => s.name),
    'subscription',
  );
  if (subs) {
    const a = 'google_pubsub_subscription.consumer';
    const b = subs.body;
    expr(a, b, 'topic', '${google_pubsub_topic.topic[each.value.topic].id}');
    expr(
      a,
      b,
      'dead_letter_policy.0.dead_letter_topic',
      '${google_pubsub_topic.dead_letter[each.value.deadLetterTopic].id}',
    );
    expr(
      a,
      b,
      'dead_letter_policy.0.max_delivery_attempts',
      '${local.topology.delivery.maxDeliveryAttempts}',
    );
    expr(a, b, 'retry_policy.0.minimum_backoff', '${local.topology.delivery.minBackoffSeconds}s');
    expr(a, b, 'retry_policy.0.maximum_backoff', '${local.topology.delivery.maxBackoffSeconds}s');
    expr(a, b, 'ack_deadline_seconds', '${each.value.ackDeadlineSeconds}');
    if (
      !norm(at(b, 'push_config.0.push_endpoint')).startsWith(
        '${google_cloudfunctions2_function.function[each.value.consumer].service_config[0].uri}',
      )
    ) {
      problems.push(`${a} does not push to its consumer function's URL`);
    }
    expr(
      a,
      b,
      'push_config.0.oidc_token.0.service_account_email',
      '${google_service_account.function[each.value.consumer].email}',
    );
    for (const [name, value] of subs.instances) {
      const spec = SUBSCRIPTIONS.find((s) => s.name === name);
      const v = value as Record<string, Json>;
      if (
        spec &&
        (v.topic !== spec.topic || v.consumer !== spec.consumer || v.deadLetterTopic !== spec.deadLetterTopic)
      ) {
        problems.push(
          `subscription ${name} is wired to ${v.topic} → ${v.consumer}, topology says ${spec.topic} → ${spec.consumer}`,
        );
      }
    }
  }
  if (model.topology.delivery && JSON.stringify(model.topology.delivery) !== JSON.stringify(DELIVERY)) {
    problems.push('delivery settings in topology.json differ from DELIVERY');
  }

  const schedules = sameNames(
    'google_cloud_scheduler_job.schedule',
    'name',
    SCHEDULES.map((s) => s.name),
    'schedule',
  );
  if (schedules) {
    const a = 'google_cloud_scheduler_job.schedule';
    expr(
      a,
      schedules.body,
      'pubsub_target.0.topic_name',
      '${google_pubsub_topic.topic[each.value.topic].id}',
    );
    expr(a, schedules.body, 'pubsub_target.0.data', '${base64encode(jsonencode(each.value.body))}');
    expr(a, schedules.body, 'schedule', '${each.value.cron}');
    expr(a, schedules.body, 'time_zone', '${each.value.timeZone}');
    for (const [name, value] of schedules.instances) {
      const spec = SCHEDULES.find((s) => s.name === name);
      const v = value as Record<string, Json>;
      if (
        spec &&
        (v.topic !== spec.topic ||
          v.cron !== spec.cron ||
          JSON.stringify(v.body) !== JSON.stringify(spec.body))
      ) {
        problems.push(
          `schedule ${name} publishes ${JSON.stringify(v.body)} on ${v.topic} at ${v.cron}, topology says otherwise`,
        );
      }
    }
  }

  const fns = sameNames(
    'google_cloudfunctions2_function.function',
    'name',
    FUNCTIONS.map((f) => f.name),
    'function',
  );
  if (fns) {
    const a = 'google_cloudfunctions2_function.function';
    const b = fns.body;
    expr(a, b, 'build_config.0.runtime', 'nodejs22');
    expr(a, b, 'build_config.0.entry_point', '${each.value.entryPoint}');
    expr(a, b, 'build_config.0.source.0.storage_source.0.object', '${var.function_bundle_object}');
    expr(a, b, 'service_config.0.available_memory', '${each.value.memoryMb}M');
    expr(a, b, 'service_config.0.timeout_seconds', '${each.value.timeoutSeconds}');
    expr(a, b, 'service_config.0.max_instance_count', '${each.value.maxInstances}');
    // Pub/Sub reaches functions through topology's push subscriptions; an Eventarc trigger would deliver twice.
    if (b.event_trigger !== undefined)
      problems.push(`${a} has an event_trigger: its topic would be delivered twice`);
    for (const [name, value] of fns.instances) {
      const spec = FUNCTIONS.find((f) => f.name === name);
      const v = value as Record<string, Json>;
      if (!spec) continue;
      for (const [field, want] of [
        ['entryPoint', spec.entryPoint],
        ['trigger', spec.trigger ?? null],
        ['memoryMb', spec.memoryMb],
        ['timeoutSeconds', spec.timeoutSeconds],
        ['maxInstances', spec.maxInstances],
      ] as const) {
        if (v[field] !== want)
          problems.push(`function ${name} ${field} is ${String(v[field])}, topology says ${String(want)}`);
      }
      if (spec.trigger && !SUBSCRIPTIONS.some((s) => s.consumer === name && s.topic === spec.trigger)) {
        problems.push(`function ${name} has no subscription on its trigger ${spec.trigger}`);
      }
    }
  }

  const http = sameNames(
    'google_cloudfunctions2_function.http',
    'name',
    FUNCTIONS.filter((f) => f.http).map((f) => `${f.name}-http`),
    'HTTP function',
  );
  if (http) {
    expr(
      'google_cloudfunctions2_function.http',
      http.body,
      'build_config.0.entry_point',
      '${each.value.entryPoint}',
    );
    for (const [name, value] of http.instances) {
      const spec = FUNCTIONS.find((f) => `${f.name}-http` === name);
      if (spec && (value as Record<string, Json>).entryPoint !== spec.http?.entryPoint) {
        problems.push(`HTTP function ${name} does not use entry point ${spec.http?.entryPoint}`);
      }
    }
  }
  return problems;
}
