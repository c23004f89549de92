/**
 * The system's wiring in one place: topics, their subscriptions and
 * dead-letter topics, schedules, and which function consumes which topic.
 * infra/ (Terraform) and the local stack both follow it, and tests hold
 * infra to it.
 */

export const TOPICS = [
  'health-check-requests',
  'daily-summary-requests',
  'pipeline-events',
  'alerts',
  'model-deployments',
  'rollback-requests',
  'model-lifecycle',
  'cloud-builds',
  // Cloud Storage OBJECT_FINALIZE notifications on the sales prefix (infra: google_storage_notification).
  'sales-data-updates',
] as const;
export type TopicName = (typeof TOPICS)[number];

/**
 * One deployable function. Generic in its name so FUNCTIONS can be checked
 * against it while keeping its literals (`as const`): FunctionName and
 * PublishesOf are read from the data, not written twice.
 */
export interface FunctionSpec<N extends string = FunctionName> {
  name: N;
  /** Exported name in dist/functions/index.js, the functions framework `--target`. */
  entryPoint: string;
  /** Topic whose messages trigger it (as CloudEvents), if any. */
  trigger?: TopicName;
  /** Also callable over HTTP (authenticated). */
  http?: { entryPoint: string };
  /** Topics it publishes to: its service account gets publisher on exactly these, and its code may publish nowhere else. */
  publishes: readonly TopicName[];
  /** The use-case module functions/<name>/index.ts calls (a test holds the import to it). */
  service: string;
  memoryMb: number;
  /**
   * V8's old-space cap (`--max-old-space-size`, in NODE_OPTIONS on Google
   * Cloud and on the local stack's child), for a function whose memory grows
   * with the fleet. Uncapped, V8 lets the heap grow to several times what is
   * live before it collects; capped, it collects sooner and the peak follows
   * what the function holds (docs/performance.md).
   */
  heapMb?: number;
  timeoutSeconds: number;
  maxInstances: number;
}

const FUNCTION_TABLE = [
  {
    name: 'health-check',
    service: 'shared/services/health-check',
    entryPoint: 'healthCheck',
    trigger: 'health-check-requests',
    publishes: ['alerts'],
    memoryMb: 1024,
    // A 20,000-book check holds about 110 MB of heap at most (bench/health-check.ts): 256 leaves 2×.
    heapMb: 256,
    timeoutSeconds: 540,
    maxInstances: 1,
  },
  {
    name: 'daily-summary',
    service: 'shared/services/daily-summary',
    entryPoint: 'dailySummary',
    trigger: 'daily-summary-requests',
    publishes: [],
    memoryMb: 512,
    timeoutSeconds: 300,
    maxInstances: 1,
  },
  {
    name: 'pipeline-events',
    service: 'shared/services/pipeline-events',
    entryPoint: 'pipelineEvents',
    trigger: 'pipeline-events',
    publishes: ['alerts'],
    memoryMb: 256,
    timeoutSeconds: 60,
    maxInstances: 10,
  },
  {
    name: 'alert-dispatch',
    service: 'shared/services/alert-dispatch',
    entryPoint: 'alertDispatch',
    trigger: 'alerts',
    publishes: [],
    memoryMb: 512,
    timeoutSeconds: 120,
    maxInstances: 10,
  },
  {
    name: 'post-deploy-validation',
    service: 'shared/services/validation',
    entryPoint: 'postDeployValidation',
    trigger: 'model-deployments',
    publishes: ['alerts', 'rollback-requests', 'model-lifecycle'],
    memoryMb: 1024,
    timeoutSeconds: 540,
    maxInstances: 5,
  },
  {
    name: 'rollback',
    service: 'shared/services/rollback',
    entryPoint: 'rollback',
    trigger: 'rollback-requests',
    http: { entryPoint: 'rollbackHttp' },
    publishes: ['alerts', 'model-lifecycle'],
    memoryMb: 1024,
    timeoutSeconds: 300,
    maxInstances: 5,
  },
  {
    name: 'build-events',
    service: 'shared/services/build-events',
    entryPoint: 'buildEvents',
    trigger: 'cloud-builds',
    publishes: ['alerts', 'model-lifecycle'],
    memoryMb: 256,
    timeoutSeconds: 60,
    maxInstances: 5,
  },
  {
    // A new sales object → a health check of the books in it. Its own function, not a second
    // trigger of health-check: reading which books a drop names needs only the sales bucket,
    // and the health check (one instance) stays the one place that checks and alerts.
    name: 'sales-data-events',
    service: 'shared/services/sales-data-events',
    entryPoint: 'salesDataEvents',
    trigger: 'sales-data-updates',
    publishes: ['health-check-requests'],
    memoryMb: 512,
    timeoutSeconds: 300,
    maxInstances: 5,
  },
] as const satisfies readonly FunctionSpec<string>[];

/** Every function, for code that iterates (infra, the local stack); the literal types stay on FUNCTION_TABLE. */
export const FUNCTIONS: readonly FunctionSpec[] = FUNCTION_TABLE;

type FunctionEntry = (typeof FUNCTION_TABLE)[number];

export type FunctionName = FunctionEntry['name'];

/** The topics function F may publish to, as a union of literals (never, when none). */
export type PublishesOf<F extends FunctionName> = Extract<FunctionEntry, { name: F }>['publishes'][number];

/** The topic that triggers function F. */
export type TriggerOf<F extends FunctionName> = Extract<FunctionEntry, { name: F }>['trigger'];

/** Delivery settings shared by every subscription (Pub/Sub's limits: 10–600 s backoff, 5–100 attempts). */
export const DELIVERY = {
  ackDeadlineSeconds: 60,
  maxDeliveryAttempts: 5,
  minBackoffSeconds: 10,
  maxBackoffSeconds: 600,
} as const;

/**
 * Pub/Sub's longest ack deadline; for push delivery it is also the request timeout
 * (https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.subscriptions, ackDeadlineSeconds).
 */
export const MAX_ACK_DEADLINE_SECONDS = 600;

/**
 * A push subscription's ack deadline is the request timeout: shorter than the
 * function's own timeout, Pub/Sub would redeliver a message while the first
 * delivery still runs (and dead-letter a slow success). So it is DELIVERY's
 * value raised to the consumer's timeout, within Pub/Sub's 600 s. infra and
 * the local stack (embedded queue and emulator) both use it.
 */
export function ackDeadlineFor(consumer: Pick<FunctionSpec, 'timeoutSeconds'>): number {
  return Math.min(MAX_ACK_DEADLINE_SECONDS, Math.max(DELIVERY.ackDeadlineSeconds, consumer.timeoutSeconds));
}

export interface SubscriptionTopology {
  name: string;
  topic: TopicName;
  consumer: FunctionName;
  deadLetterTopic: string;
}

export type DeadLetterTopicOf<T extends string> = `${T}-dead-letter`;

export function deadLetterTopicOf<T extends string>(topic: T): DeadLetterTopicOf<T> {
  return `${topic}-dead-letter`;
}

/** Subscription that keeps a dead-letter topic's messages for `forecast-guard dead-letters`. */
export function deadLetterSubscriptionOf(topic: string): string {
  return `${deadLetterTopicOf(topic)}-inspect`;
}

/** One subscription per consuming function: `<topic>--<function>`. */
export const SUBSCRIPTIONS: readonly SubscriptionTopology[] = FUNCTIONS.filter((f) => f.trigger).map((f) => ({
  name: `${f.trigger}--${f.name}`,
  topic: f.trigger as TopicName,
  consumer: f.name,
  deadLetterTopic: deadLetterTopicOf(f.trigger as string),
}));

export interface ScheduleSpec {
  name: string;
  /** unix-cron, evaluated in `timeZone`. */
  cron: string;
  timeZone: string;
  topic: TopicName;
  /** The message body Cloud Scheduler publishes. */
  body: Record<string, unknown>;
}

export const SCHEDULES: readonly ScheduleSpec[] = [
  {
    name: 'hourly-health-check',
    cron: '0 * * * *',
    timeZone: 'Etc/UTC',
    topic: 'health-check-requests',
    body: { trigger: 'schedule' },
  },
  {
    name: 'daily-summary',
    cron: '0 8 * * *',
    timeZone: 'Europe/London',
    topic: 'daily-summary-requests',
    body: { trigger: 'schedule' },
  },
];

/**
 * Who else publishes to our topics: Google services (wired in infra/) and
 * the tools people run. With FUNCTIONS' `publishes`, it answers "who sends
 * this?" for every topic (the README's topic table is printed from both).
 * `forecast-guard publish` can send to any topic, as these would; it is not
 * listed per topic.
 */
export interface OutsidePublisher {
  /** As the README names it. */
  name: string;
  publishes: readonly TopicName[];
}

export const OUTSIDE_PUBLISHERS: readonly OutsidePublisher[] = [
  // Its jobs are SCHEDULES (infra/scheduler.tf; locally the stack's scheduler).
  { name: 'Cloud Scheduler', publishes: [...new Set(SCHEDULES.map((s) => s.topic))] },
  // OBJECT_FINALIZE on the sales prefix (infra/storage-notification.tf; locally the stack's folder watcher).
  { name: 'Cloud Storage', publishes: ['sales-data-updates'] },
  // Vertex AI PipelineJob state changes (infra/logging.tf).
  { name: 'Cloud Logging sink (Vertex AI pipeline jobs)', publishes: ['pipeline-events'] },
  // Vertex AI DeployModel / MutateDeployedModel audit entries: deployments made outside forecast-guard.
  { name: 'Cloud Logging sink (Vertex AI endpoint audit)', publishes: ['model-deployments'] },
  // Every build's state changes, on the topic name Cloud Build always uses.
  { name: 'Cloud Build', publishes: ['cloud-builds'] },
  // `forecast-guard deploy` (ModelDeployed, its lifecycle event, a failed canary's alert) and `alerts test`.
  { name: 'the CLI', publishes: ['model-deployments', 'model-lifecycle', 'alerts'] },
  // "Run a health check now".
  { name: 'the dashboard', publishes: ['health-check-requests'] },
  // `gcloud pubsub topics publish rollback-requests …` (README: emergency model rollback with gcloud).
  { name: 'operators (gcloud)', publishes: ['rollback-requests'] },
];

/**
 * An HTTP entry point a scheduler calls (Cloud Scheduler with an OIDC token on
 * Google Cloud; the local stack with its bearer token). Deployed as a function
 * of its own, named like the schedule, with the code, service account and
 * secrets of `function`; only the schedule's own identity may invoke it.
 */
export interface HttpScheduleSpec {
  /** The scheduler job's name, and the name the entry point is deployed (and run locally) under. */
  name: string;
  function: FunctionName;
  /** Exported name in dist/functions/index.js; answers POST. */
  entryPoint: string;
  /** unix-cron, evaluated in `timeZone`. */
  cron: string;
  timeZone: string;
}

export const HTTP_SCHEDULES: readonly HttpScheduleSpec[] = [
  {
    // Retries and escalations between alerts: without it a failed page waits for the next alert.
    name: 'alert-dispatch-flush',
    function: 'alert-dispatch',
    entryPoint: 'alertDispatchFlush',
    cron: '*/5 * * * *',
    timeZone: 'Etc/UTC',
  },
];

/**
 * A Cloud Scheduler job the health check watches (issue 14, "watch the
 * watcher"): every job infra/ creates, i.e. every SCHEDULES and
 * HTTP_SCHEDULES entry (infra/scheduler.tf, infra/scheduled-http.tf name the
 * jobs by these keys; test/infra/scheduler-watch.test.ts holds them equal).
 * `severity` of `scheduler_unhealthy` when this job is missing, not enabled,
 * failing or late: critical for the job that starts the health check itself
 * (nobody is watching the fleet), warning for the others (the daily summary
 * or the alert flush is late; the hourly checks still run).
 */
export interface WatchedSchedule {
  name: string;
  cron: string;
  timeZone: string;
  severity: 'critical' | 'warning';
}

export const WATCHED_SCHEDULES: readonly WatchedSchedule[] = [
  ...SCHEDULES.map((s) => ({
    name: s.name,
    cron: s.cron,
    timeZone: s.timeZone,
    severity: s.topic === 'health-check-requests' ? ('critical' as const) : ('warning' as const),
  })),
  ...HTTP_SCHEDULES.map((s) => ({
    name: s.name,
    cron: s.cron,
    timeZone: s.timeZone,
    severity: 'warning' as const,
  })),
];

export function functionSpec(name: FunctionName): FunctionSpec {
  const spec = FUNCTIONS.find((f) => f.name === name);
  if (!spec) throw new Error(`unknown function ${name}`);
  return spec;
}

/** The node flags a function runs with, on Google Cloud (NODE_OPTIONS) and on the local stack. */
export function nodeFlagsOf(spec: Pick<FunctionSpec, 'heapMb'>): string[] {
  return spec.heapMb === undefined ? [] : [`--max-old-space-size=${spec.heapMb}`];
}
