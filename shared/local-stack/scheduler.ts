/**
 * Cloud Scheduler on one machine: every schedule of topology publishes its
 * message body to its topic, as a Pub/Sub-target job does (the body as the
 * data, no attributes of its own), and every HTTP schedule POSTs to its
 * entry point, as an http_target job does (the caller supplies the request,
 * with its credentials). By cron in the schedule's time zone, or, with
 * `tickSeconds`, every schedule every S seconds so a demo does not wait an
 * hour for the next health check.
 *
 * Like a Cloud Scheduler job, each schedule can be paused (it stops firing
 * until resumed), resumed, and run now; `jobs()` reports what a Job
 * message does (state, last attempt and its outcome, next time). The local
 * stack serves them over the Cloud Scheduler API (scheduler-api/), so the
 * health check reads this scheduler exactly as it reads Google's.
 */
import { describeError, NotFoundError, ValidationError } from '../errors';
import type { Clock } from '../ports/clock';
import type { HttpScheduleSpec, ScheduleSpec } from '../topology';
import { nextCronTime, parseCron, type CronSchedule } from './cron';

/** One fire: which schedule, when, and the message id or HTTP status (or why it failed). */
export interface ScheduleFire {
  schedule: string;
  /** The topic, or for an HTTP schedule `POST <entry point>`. */
  topic: string;
  at: Date;
  messageId?: string;
  /** HTTP schedules: the status the entry point answered. */
  status?: number;
  error?: string;
}

export interface LocalSchedulerOptions {
  schedules: readonly ScheduleSpec[];
  /** Publishes one message; resolves to its id. */
  publish(topic: string, body: Record<string, unknown>): Promise<string>;
  /** HTTP schedules to run (only those whose entry point runs). */
  httpSchedules?: readonly HttpScheduleSpec[];
  /** Calls one HTTP schedule's entry point; resolves to the HTTP status (2xx is success). */
  invoke?(schedule: HttpScheduleSpec): Promise<number>;
  /** Wall time for cron (real time, not the fleet clock: schedules tick in the operator's day). */
  clock: Pick<Clock, 'now'>;
  /** Fire every schedule every this many seconds instead of by cron. */
  tickSeconds?: number;
  onFire?(fire: ScheduleFire): void;
}

/** What the banner and the dashboard show about one schedule. */
export interface ScheduleStatus {
  name: string;
  topic: string;
  /** `every 5 s` or the cron expression with its time zone. */
  when: string;
  nextAt?: string;
  lastFire?: ScheduleFire;
}

// setTimeout's limit is ~24.8 days; re-arming at least hourly also survives a laptop's sleep.
const MAX_WAIT_MS = 3_600_000;

/** One schedule as a Cloud Scheduler Job describes it (see scheduler-api/). */
export interface LocalJob {
  name: string;
  cron: string;
  timeZone: string;
  target: Target;
  paused: boolean;
  /** When the scheduler was built (or the job last paused or resumed): Job.user_update_time. */
  updatedAt: Date;
  nextAt?: Date;
  lastFire?: ScheduleFire;
}

/** What fires: a message on a topic, or a POST to an entry point. */
export type Target = { kind: 'topic'; spec: ScheduleSpec } | { kind: 'http'; spec: HttpScheduleSpec };

interface Entry {
  target: Target;
  spec: { name: string; cron: string; timeZone: string };
  /** The topic, or `POST <entry point>`. */
  to: string;
  cron: CronSchedule;
  nextAt?: Date;
  timer?: NodeJS.Timeout;
  lastFire?: ScheduleFire;
  paused: boolean;
  updatedAt: Date;
}

/** Runs the schedules until `stop()`; see the file comment. */
export class LocalScheduler {
  private readonly entries: Entry[];
  private running = false;
  private tickTimer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: LocalSchedulerOptions) {
    const tick = options.tickSeconds;
    if (tick !== undefined && (!Number.isFinite(tick) || tick <= 0)) {
      throw new ValidationError(`tickSeconds must be a positive number of seconds (got ${tick})`, [
        'tickSeconds',
      ]);
    }
    const targets: Target[] = [
      ...options.schedules.map((spec) => ({ kind: 'topic' as const, spec })),
      ...(options.httpSchedules ?? []).map((spec) => ({ kind: 'http' as const, spec })),
    ];
    this.entries = targets.map((target) => ({
      target,
      spec: target.spec,
      to: target.kind === 'topic' ? target.spec.topic : `POST ${target.spec.entryPoint}`,
      cron: parseCron(target.spec.cron),
      paused: false,
      updatedAt: options.clock.now(),
    }));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const tick = this.options.tickSeconds;
    if (tick !== undefined) {
      const every = tick * 1000;
      for (const e of this.entries) e.nextAt = new Date(this.options.clock.now().getTime() + every);
      this.tickTimer = setInterval(() => {
        for (const e of this.entries) {
          if (!e.paused) this.fire(e);
          e.nextAt = new Date(this.options.clock.now().getTime() + every);
        }
      }, every);
      return;
    }
    for (const e of this.entries) this.arm(e);
  }

  /** Stops every timer and waits for publishes in flight. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.tickTimer) clearInterval(this.tickTimer);
    for (const e of this.entries) if (e.timer) clearTimeout(e.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  status(): ScheduleStatus[] {
    const tick = this.options.tickSeconds;
    return this.entries.map((e) => ({
      name: e.spec.name,
      topic: e.to,
      when: tick !== undefined ? `every ${tick} s (--tick)` : `${e.spec.cron} (${e.spec.timeZone})`,
      ...(e.nextAt ? { nextAt: e.nextAt.toISOString() } : {}),
      ...(e.lastFire ? { lastFire: e.lastFire } : {}),
    }));
  }

  /** Every schedule as a job: what Cloud Scheduler's GetJob/ListJobs would say of it. */
  jobs(): LocalJob[] {
    return this.entries.map((e) => this.view(e));
  }

  private view(e: Entry): LocalJob {
    return {
      name: e.spec.name,
      cron: e.spec.cron,
      timeZone: e.spec.timeZone,
      target: e.target,
      paused: e.paused,
      updatedAt: e.updatedAt,
      ...(e.nextAt && !e.paused ? { nextAt: e.nextAt } : {}),
      ...(e.lastFire ? { lastFire: e.lastFire } : {}),
    };
  }

  /** Pauses or resumes one schedule (a paused one keeps its timer but does not fire); NotFoundError for an unknown name. */
  setPaused(name: string, paused: boolean): LocalJob {
    const e = this.entry(name);
    if (e.paused !== paused) {
      e.paused = paused;
      e.updatedAt = this.options.clock.now();
    }
    return this.view(e);
  }

  /** Fires one schedule now, paused or not (Cloud Scheduler's RunJob), and waits for its outcome. */
  async runNow(name: string): Promise<ScheduleFire> {
    const e = this.entry(name);
    await this.fire(e);
    if (!e.lastFire) throw new Error(`schedule ${name} fired but recorded no outcome`);
    return e.lastFire;
  }

  private entry(name: string): Entry {
    const e = this.entries.find((x) => x.spec.name === name);
    if (!e) throw new NotFoundError(`no schedule named ${name}`);
    return e;
  }

  private arm(e: Entry): void {
    if (!this.running) return;
    const now = this.options.clock.now();
    e.nextAt ??= nextCronTime(e.cron, e.spec.timeZone, now);
    if (!e.nextAt) return; // never fires within a year: nothing to arm
    const wait = e.nextAt.getTime() - now.getTime();
    e.timer = setTimeout(
      () => {
        if (this.options.clock.now().getTime() >= e.nextAt!.getTime()) {
          if (!e.paused) this.fire(e);
          e.nextAt = undefined;
        }
        this.arm(e);
      },
      Math.max(0, Math.min(wait, MAX_WAIT_MS)),
    );
  }

  private fire(e: Entry): Promise<void> {
    const at = this.options.clock.now();
    const base = { schedule: e.spec.name, topic: e.to, at };
    const done: Promise<void> = this.send(e.target)
      .then(
        (sent) => {
          e.lastFire =
            'status' in sent && (sent.status < 200 || sent.status > 299)
              ? { ...base, ...sent, error: `answered HTTP ${sent.status}` }
              : { ...base, ...sent };
        },
        (err: unknown) => {
          e.lastFire = { ...base, error: describeError(err) };
        },
      )
      .then(() => this.options.onFire?.(e.lastFire!))
      .finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
    return done;
  }

  private async send(target: Target): Promise<{ messageId: string } | { status: number }> {
    if (target.kind === 'topic')
      return { messageId: await this.options.publish(target.spec.topic, { ...target.spec.body }) };
    if (!this.options.invoke) throw new ValidationError('no invoke given for HTTP schedules', ['invoke']);
    return { status: await this.options.invoke(target.spec) };
  }
}
