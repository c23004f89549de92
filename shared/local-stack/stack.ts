/**
 * The whole system on one machine (`forecast-guard up`): seed on first run,
 * every function of topology in its own functions-framework process on a
 * loopback port, fed by push delivery (the embedded queue's dispatchers, or
 * the Pub/Sub emulator's push subscriptions), the schedules of topology
 * (the HTTP ones, like the alert-dispatch flush, called with the stack's
 * flush token), and the dashboard. `stop()` undoes all of it, children first.
 *
 * The schedules are also served over the Cloud Scheduler API
 * (scheduler-api/), and every function gets FG_SCHEDULER_API_ENDPOINT: the
 * health check reads this scheduler with the same client and rules as Cloud
 * Scheduler on Google Cloud (`scheduler_unhealthy`), and `gcloud`-style
 * pause/resume/run work against it.
 */
import { loadConfig, type Config } from '../config';
import { SqliteEventBus } from '../adapters/local/sqlite-event-bus';
import { freePort } from '../adapters/gcp/emulators';
import { startPushDelivery, type PushResult } from '../adapters/local/push-dispatcher';
import { startDashboard, type DashboardServer } from '../dashboard/server';
import { ConfigError, describeError } from '../errors';
import { logFilePath } from '../logging/rotating-file';
import { systemClock } from '../ports/clock';
import { functionSpec, HTTP_SCHEDULES, nodeFlagsOf, SCHEDULES, type HttpScheduleSpec } from '../topology';
import { openBackend, type Backend } from '../wiring/backend';
import { schedulerLocation } from '../wiring/schedule-monitor';
import { billingExportFor, cachedBillingExport, costSettings } from '../wiring/cost';
import { clearSeededState, isSeeded, seedEmbeddedFleet } from '../wiring/seed';
import { ensureTopology } from '../wiring/topology-setup';
import { FunctionProcess } from './function-process';
import { defaultLaunch, repositoryRoot, type FunctionLaunch } from './launch';
import { LocalScheduler, type ScheduleFire, type ScheduleStatus } from './scheduler';
import { startSchedulerApi, type JobSource } from './scheduler-api/server';
import {
  childEnv,
  emulatorStateDir,
  LOCAL_PROJECT_ID,
  plannedFunctions,
  pushSecret as newPushSecret,
  selectFunctions,
  sessionToken,
} from './stack-plan';
import { PUSH_TOKEN_PARAM } from './push-guard';
import { SalesFolderWatcher } from './sales-watcher';

export interface LocalStackOptions {
  /** The operator's environment (FG_* settings, Slack/SMTP); the stack adds FG_STATE_DIR and the token. */
  env: Record<string, string | undefined>;
  /** Google's emulators, already running; state then lives in Firestore and messages in Pub/Sub. */
  emulators?: { pubsub: string; firestore: string; projectId?: string };
  /** Fire every schedule every S seconds instead of by cron. */
  tickSeconds?: number;
  /** Dashboard port; 0 = any free port. Default: 8080, or the next free one above it. */
  port?: number;
  /** Run only these components (`health-check`, `rollback-http`…); default all. */
  only?: readonly string[];
  /** Run the schedules of topology (default true; a drill fires its own requests). */
  schedules?: boolean;
  /** Watch the local sales folder (the state directory) and publish sales-data-updates for a new CSV (default true). */
  watchSales?: boolean;
  /** Serve the dashboard (default true). */
  dashboard?: boolean;
  /** Books to seed on first run (default 12). */
  seedBooks?: number;
  launch?: FunctionLaunch;
  /** Stack events for the console: what started, schedules fired, a function died. */
  onEvent?(text: string): void;
  /** Every line a function writes (JSON log lines), after it reached the function's log file. */
  onFunctionLine?(name: string, line: string): void;
  /** Every push delivery the embedded queue made (not called with emulators: they push themselves). */
  onPush?(result: PushResult): void;
}

export interface StackFunctionStatus {
  name: string;
  entryPoint: string;
  signatureType: 'cloudevent' | 'http';
  trigger?: string;
  url: string;
  pid?: number;
  state: string;
  failure?: string;
  logFile: string;
}

export interface StackStatus {
  backend: 'embedded' | 'emulators';
  /** Where the functions' code comes from: `dist` or `sources (tsx)`. */
  functionsFrom: string;
  stateDir: string;
  startedAt: string;
  functions: StackFunctionStatus[];
  schedules: ScheduleStatus[];
}

export interface LocalStack {
  config: Config;
  /** The stack's own ports (the dashboard reads them). */
  backend: Backend;
  dashboardUrl: string;
  functions: FunctionProcess[];
  /** Bearer token of the HTTP rollback function; `tokenGenerated` when the stack made it up. */
  rollbackToken: string;
  tokenGenerated: boolean;
  /** This run's push secret: every push to a Pub/Sub-triggered function carries it (never printed). */
  pushSecret: string;
  /** Bearer token the flush entry requires (FG_FLUSH_TOKEN, or one made up for this run); the scheduler sends it. */
  flushToken: string;
  seed: { cached: boolean; books: number; durationMs: number };
  /** From `startLocalStack` being called to everything answering. */
  readyMs: number;
  status(): StackStatus;
  /** Publishes a HealthCheckRequest as the CLI or a person would (`trigger: manual`). */
  requestHealthCheck(isbns?: string[]): Promise<string>;
  stop(): Promise<void>;
}

async function seedIfNeeded(
  config: Config,
  books: number,
  fresh: boolean,
): Promise<{ cached: boolean; books: number; durationMs: number }> {
  if (fresh) clearSeededState(config.stateDir);
  const started = Date.now();
  if (isSeeded(config.stateDir) && !fresh) {
    return { cached: true, books: 0, durationMs: Date.now() - started };
  }
  // No topology here: a Pub/Sub subscription keeps the settings it was created with, and the
  // stack creates them later with their push endpoints.
  const backend = openBackend(config, { clock: systemClock });
  try {
    const result = await seedEmbeddedFleet({ stateDir: config.stateDir, books, seed: 42 }, backend);
    return { cached: result.cached, books: result.books, durationMs: Date.now() - started };
  } finally {
    await backend.close();
  }
}

/** Starts everything and resolves once every function answers; see the file comment. */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const started = Date.now();
  const say = (text: string) => options.onEvent?.(text);
  const baseConfig = loadConfig(options.env);
  if (baseConfig.backend === 'gcp' && !options.emulators) {
    throw new ConfigError(
      'forecast-guard up runs on this machine: FG_BACKEND=gcp needs --emulators (Google Cloud runs the deployed functions)',
      'FG_BACKEND',
    );
  }
  const planned = selectFunctions(plannedFunctions(), options.only);
  const projectId = options.emulators?.projectId ?? baseConfig.gcp.projectId ?? LOCAL_PROJECT_ID;
  const stateDir = options.emulators ? emulatorStateDir(baseConfig.stateDir) : baseConfig.stateDir;
  const tokenGenerated = !baseConfig.rollbackToken;
  const rollbackToken = baseConfig.rollbackToken ?? sessionToken();
  const pushSecret = newPushSecret();
  const flushToken = baseConfig.flush.token ?? sessionToken();
  const env = childEnv({
    base: options.env,
    stateDir,
    rollbackToken,
    pushSecret,
    flushToken,
    emulators: options.emulators && { ...options.emulators, projectId },
  });
  let scheduler: LocalScheduler | undefined;
  const running = new Map<string, string>();
  const schedulerApi =
    options.schedules !== false
      ? await startSchedulerApi({
          ...schedulerLocation(loadConfig(env)),
          source: lateJobSource(() => scheduler),
          uriOf: (job) => (job.target.kind === 'http' ? running.get(job.name) : undefined),
        })
      : undefined;
  if (schedulerApi) env.FG_SCHEDULER_API_ENDPOINT = schedulerApi.apiEndpoint;
  const config = loadConfig(env);

  let seed = { cached: true, books: 0, durationMs: 0 };
  if (config.registry === 'local') {
    // The emulators keep nothing between runs, so their registry and sales are rebuilt to match.
    seed = await seedIfNeeded(config, options.seedBooks ?? 12, Boolean(options.emulators)).catch(
      async (err: unknown) => {
        await schedulerApi?.close();
        throw err;
      },
    );
    say(
      seed.cached
        ? `fleet already seeded in ${stateDir}`
        : `seeded ${seed.books} books in ${seed.durationMs} ms`,
    );
  } else {
    // An attached fleet (FG_REGISTRY=mlflow or vertex): its models, endpoints and sales are the
    // publisher's own; nothing is seeded, the functions watch what is there.
    say(`watching the attached fleet (FG_REGISTRY=${config.registry}); nothing seeded`);
  }

  const launch = options.launch ?? defaultLaunch();
  const root = repositoryRoot();
  const processes: FunctionProcess[] = [];
  for (const f of planned) {
    processes.push(
      new FunctionProcess({
        name: f.name,
        entryPoint: f.entryPoint,
        signatureType: f.signatureType,
        port: await freePort(),
        env,
        logFile: logFilePath(stateDir, f.name),
        launch,
        nodeFlags: nodeFlagsOf(functionSpec(f.function)),
        cwd: root,
        onLine: options.onFunctionLine,
        onExit: (name, code, signal) => say(`${name} stopped unexpectedly (${signal ?? `code ${code}`})`),
      }),
    );
  }

  const backend = openBackend(config);
  let stopDelivery: (() => Promise<void>) | undefined;
  let dashboard: DashboardServer | undefined;
  let salesWatcher: SalesFolderWatcher | undefined;
  const stopAll = async () => {
    await salesWatcher?.stop();
    await scheduler?.stop();
    await schedulerApi?.close();
    await dashboard?.close();
    await stopDelivery?.();
    await Promise.all(processes.map((p) => p.stop()));
    await backend.close();
  };

  try {
    // Functions first: push endpoints go only to the ones that answer.
    await Promise.all(
      processes.map((p) =>
        p.start().catch((err: unknown) => say(`${p.spec.name} is not running: ${describeError(err)}`)),
      ),
    );
    planned.forEach((f, i) => {
      if (processes[i]!.state === 'ready') running.set(f.name, processes[i]!.url);
    });
    await ensureTopology(backend.bus, {
      pushEndpointFor: (consumer, topic) => {
        const url = running.get(consumer);
        if (!url) return undefined;
        const endpoint = `${url}/projects/${projectId}/topics/${topic}`;
        // The emulator sends no OIDC token, so its pushes carry the secret in the URL (see push-guard.ts);
        // the embedded queue's dispatchers send it as a bearer token and keep it out of the queue's file.
        return options.emulators
          ? `${endpoint}?${PUSH_TOKEN_PARAM}=${encodeURIComponent(pushSecret)}`
          : endpoint;
      },
    });
    if (backend.bus instanceof SqliteEventBus) {
      const delivery = startPushDelivery(backend.bus, {
        projectId,
        bearerToken: pushSecret,
        onResult: (r) => options.onPush?.(r),
        onError: (err) => say(`push delivery: ${describeError(err)}`),
      });
      stopDelivery = delivery.stop;
    }

    const onFire = (fire: ScheduleFire) =>
      say(
        fire.error
          ? `schedule ${fire.schedule} could not ${fire.status === undefined ? 'publish to' : 'call'} ${fire.topic}: ${fire.error}`
          : fire.status !== undefined
            ? `schedule ${fire.schedule} → ${fire.topic} (HTTP ${fire.status})`
            : `schedule ${fire.schedule} → ${fire.topic} (message ${fire.messageId})`,
      );
    // As Cloud Scheduler's http_target job does: a POST with the caller's credentials (here the stack's token).
    const invoke = async (schedule: HttpScheduleSpec): Promise<number> => {
      const res = await fetch(`${running.get(schedule.name)}/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${flushToken}` },
        signal: AbortSignal.timeout(functionSpec(schedule.function).timeoutSeconds * 1000),
      });
      await res.arrayBuffer();
      return res.status;
    };
    scheduler = new LocalScheduler({
      schedules: SCHEDULES,
      httpSchedules: HTTP_SCHEDULES.filter((s) => running.has(s.name)),
      clock: systemClock,
      tickSeconds: options.tickSeconds,
      publish: (topic, body) => backend.bus.publish(topic, { data: body }),
      invoke,
      onFire,
    });
    if (options.schedules !== false) scheduler.start();

    // Only when its consumer runs: a notification nobody reads would wait in the queue for nothing.
    if (options.watchSales !== false && running.has('sales-data-events')) {
      // A CSV dropped into the state directory is announced as Cloud Storage would announce it.
      salesWatcher = new SalesFolderWatcher({
        dir: stateDir,
        bus: backend.bus,
        onPublish: (name, generation, id) =>
          say(`sales drop ${name} (generation ${generation}) → sales-data-updates (message ${id})`),
        onError: (err) => say(`sales folder watch: ${describeError(err)}`),
      });
      await salesWatcher.start();
    }

    const stackStartedAt = new Date().toISOString();
    const status = (): StackStatus => ({
      backend: options.emulators ? 'emulators' : 'embedded',
      functionsFrom: launch.describe,
      stateDir,
      startedAt: stackStartedAt,
      functions: processes.map((p, i) => ({
        name: p.spec.name,
        entryPoint: p.spec.entryPoint,
        signatureType: p.spec.signatureType,
        ...(planned[i]!.trigger ? { trigger: planned[i]!.trigger } : {}),
        url: p.url,
        ...(p.pid !== undefined ? { pid: p.pid } : {}),
        state: p.state,
        ...(p.failure ? { failure: p.failure } : {}),
        logFile: p.spec.logFile,
      })),
      schedules: options.schedules !== false ? (scheduler?.status() ?? []) : [],
    });
    const requestHealthCheck = (isbns?: string[]) =>
      backend.bus.publish('health-check-requests', {
        data: { trigger: 'manual', ...(isbns && isbns.length > 0 ? { isbns } : {}) },
      });
    if (options.dashboard !== false) {
      dashboard = await startDashboard({
        port: options.port,
        source: {
          backend: { ...backend, costSettings: () => costSettings(config), ...billingForDashboard(config) },
          status,
          requestHealthCheck,
          runbookBaseUrl: config.alerting.runbookBaseUrl,
        },
      });
    }

    return {
      config,
      backend,
      dashboardUrl: dashboard?.url ?? '',
      functions: processes,
      rollbackToken,
      tokenGenerated,
      pushSecret,
      flushToken,
      seed,
      readyMs: Date.now() - started,
      status,
      requestHealthCheck,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The scheduler API's view of a scheduler made later (its HTTP schedules need the functions' URLs first). */
function lateJobSource(get: () => LocalScheduler | undefined): JobSource {
  const need = (): LocalScheduler => {
    const scheduler = get();
    if (!scheduler) throw new Error('the local scheduler is not running yet');
    return scheduler;
  };
  return {
    jobs: () => get()?.jobs() ?? [],
    setPaused: (name, paused) => need().setPaused(name, paused),
    runNow: (name) => need().runNow(name),
  };
}

/** The billing export for the cost panel, read at most hourly; none when FG_BILLING_EXPORT_TABLE is unset. */
function billingForDashboard(config: Config): { costBilling?: ReturnType<typeof cachedBillingExport> } {
  const billing = billingExportFor(config);
  return billing ? { costBilling: cachedBillingExport(billing) } : {};
}
