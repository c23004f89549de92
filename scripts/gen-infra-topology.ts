/**
 * Writes infra/topology.json from shared/topology.ts, so Terraform iterates
 * (`for_each`) over exactly the topics, subscriptions, dead-letter topics,
 * functions and schedules the code uses: topology stays the single source.
 * Everything Terraform needs is computed here as maps keyed by resource name
 * (no logic in HCL beyond lookups); test/infra holds the committed file to
 * this output.
 *
 *   npx tsx scripts/gen-infra-topology.ts          # write infra/topology.json
 *   npx tsx scripts/gen-infra-topology.ts --check  # exit 1 when the committed file is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ackDeadlineFor,
  DELIVERY,
  FUNCTIONS,
  HTTP_SCHEDULES,
  SCHEDULES,
  SUBSCRIPTIONS,
  TOPICS,
  deadLetterSubscriptionOf,
  deadLetterTopicOf,
  nodeFlagsOf,
  type FunctionSpec,
} from '../shared/topology';

// Where it lives now (the local stack uses it too); kept importable from here for infra's tests.
export { ackDeadlineFor };

export const INFRA_TOPOLOGY_FILE = join(__dirname, '..', 'infra', 'topology.json');

/** Service account ids: 6-30 characters, a letter first, lowercase letters, digits and hyphens. */
const ACCOUNT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

export interface InfraTopology {
  _generated: string;
  delivery: typeof DELIVERY;
  topics: Record<string, { deadLetterTopic: string }>;
  deadLetterTopics: Record<string, { sourceTopic: string; inspectSubscription: string }>;
  subscriptions: Record<
    string,
    { topic: string; consumer: string; deadLetterTopic: string; ackDeadlineSeconds: number }
  >;
  functions: Record<
    string,
    {
      entryPoint: string;
      trigger: string | null;
      publishes: string[];
      memoryMb: number;
      nodeOptions: string;
      timeoutSeconds: number;
      maxInstances: number;
      serviceAccountId: string;
    }
  >;
  /** Second deployments of functions that are also callable over HTTP: `<function>-http`. */
  httpFunctions: Record<string, { function: string; entryPoint: string }>;
  /** One entry per (function, topic) its service account may publish to: `<function>/<topic>`. */
  publisherGrants: Record<string, { function: string; topic: string }>;
  schedules: Record<string, { cron: string; timeZone: string; topic: string; body: Record<string, unknown> }>;
  /** Scheduler jobs calling an HTTP entry point deployed under the job's name, each with its own invoker account. */
  httpSchedules: Record<
    string,
    { function: string; entryPoint: string; cron: string; timeZone: string; invokerServiceAccountId: string }
  >;
}

/** Topics a function's service account publishes to: topology's list, plus its own dead-letter topic. */
export function publishTopicsOf(fn: FunctionSpec): string[] {
  // The runtime republishes bad input to `<trigger>-dead-letter` itself (shared/runtime/pubsub-function.ts).
  const own = fn.trigger ? [deadLetterTopicOf(fn.trigger)] : [];
  return [...new Set([...fn.publishes, ...own])];
}

export function serviceAccountIdOf(fn: FunctionSpec): string {
  const id = `fg-${fn.name}`;
  if (!ACCOUNT_ID.test(id)) {
    throw new Error(
      `function ${fn.name}: service account id ${id} must be 6-30 lowercase letters, digits or hyphens`,
    );
  }
  return id;
}

/** The identity a scheduler job's OIDC token names: may invoke that job's function and nothing else. */
export function invokerServiceAccountIdOf(scheduleName: string): string {
  const id = `fg-sched-${scheduleName}`;
  if (!ACCOUNT_ID.test(id)) {
    throw new Error(
      `HTTP schedule ${scheduleName}: service account id ${id} must be 6-30 lowercase letters, digits or hyphens`,
    );
  }
  return id;
}

/** The whole file's content, as data. Pure: the same topology always gives the same object. */
export function buildInfraTopology(): InfraTopology {
  const byName = new Map(FUNCTIONS.map((f) => [f.name, f]));
  const sorted = <T>(entries: Array<[string, T]>) =>
    Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));

  const publisherGrants: InfraTopology['publisherGrants'] = {};
  for (const fn of FUNCTIONS) {
    for (const topic of publishTopicsOf(fn))
      publisherGrants[`${fn.name}/${topic}`] = { function: fn.name, topic };
  }

  return {
    _generated: 'by scripts/gen-infra-topology.ts from shared/topology.ts; do not edit',
    delivery: { ...DELIVERY },
    topics: sorted(TOPICS.map((t) => [t, { deadLetterTopic: deadLetterTopicOf(t) }])),
    deadLetterTopics: sorted(
      TOPICS.map((t) => [
        deadLetterTopicOf(t),
        { sourceTopic: t, inspectSubscription: deadLetterSubscriptionOf(t) },
      ]),
    ),
    subscriptions: sorted(
      SUBSCRIPTIONS.map((s) => [
        s.name,
        {
          topic: s.topic,
          consumer: s.consumer,
          deadLetterTopic: s.deadLetterTopic,
          ackDeadlineSeconds: ackDeadlineFor(byName.get(s.consumer)!),
        },
      ]),
    ),
    functions: sorted(
      FUNCTIONS.map((f) => [
        f.name,
        {
          entryPoint: f.entryPoint,
          trigger: f.trigger ?? null,
          publishes: [...f.publishes],
          memoryMb: f.memoryMb,
          // NODE_OPTIONS, or "" for none (Terraform sets the variable only when it is not empty).
          nodeOptions: nodeFlagsOf(f).join(' '),
          timeoutSeconds: f.timeoutSeconds,
          maxInstances: f.maxInstances,
          serviceAccountId: serviceAccountIdOf(f),
        },
      ]),
    ),
    httpFunctions: sorted(
      FUNCTIONS.filter((f) => f.http).map((f) => [
        `${f.name}-http`,
        { function: f.name, entryPoint: f.http!.entryPoint },
      ]),
    ),
    publisherGrants: sorted(Object.entries(publisherGrants)),
    schedules: sorted(
      SCHEDULES.map((s) => [
        s.name,
        { cron: s.cron, timeZone: s.timeZone, topic: s.topic, body: { ...s.body } },
      ]),
    ),
    httpSchedules: sorted(
      HTTP_SCHEDULES.map((s) => [
        s.name,
        {
          function: s.function,
          entryPoint: s.entryPoint,
          cron: s.cron,
          timeZone: s.timeZone,
          invokerServiceAccountId: invokerServiceAccountIdOf(s.name),
        },
      ]),
    ),
  };
}

/** The file's text, formatted as the repository's prettier config formats JSON. */
export async function renderInfraTopology(): Promise<string> {
  // Loaded on use: prettier 3 imports its core dynamically, which jest's CommonJS runtime cannot do.
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(INFRA_TOPOLOGY_FILE)) ?? {};
  return prettier.format(JSON.stringify(buildInfraTopology()), { ...options, filepath: INFRA_TOPOLOGY_FILE });
}

async function main(argv: string[]): Promise<number> {
  const text = await renderInfraTopology();
  if (argv.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(INFRA_TOPOLOGY_FILE, 'utf8');
    } catch {
      /* missing counts as stale */
    }
    if (committed !== text) {
      process.stderr.write(`${INFRA_TOPOLOGY_FILE} is stale: run npx tsx scripts/gen-infra-topology.ts\n`);
      return 1;
    }
    process.stdout.write(`${INFRA_TOPOLOGY_FILE} is up to date\n`);
    return 0;
  }
  writeFileSync(INFRA_TOPOLOGY_FILE, text);
  process.stdout.write(`wrote ${INFRA_TOPOLOGY_FILE}\n`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
