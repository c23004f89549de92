/**
 * The life of one alert (one fingerprint), as a pure function of what is
 * stored and what was just observed:
 *
 *   (none) ──firing──▶ pending ──held for the pending period──▶ firing ──▶ resolved
 *                         ▲ (flapping guard)                     │ notify once,
 *                         └──────────── a new episode ◀──────────┘ repeat after the interval
 *
 * - critical/info: notify at the first firing (or once the pending period
 *   has passed), again after the repeat interval while it still fires;
 *   acknowledged, silenced or inhibited alerts are kept up to date but not told.
 * - warning: kept as `pending` for the daily summary; never paged.
 * - resolved: a resolution notice only if people were told it fired (even
 *   when silenced since); held back for the pending period when there is one,
 *   and cancelled if the condition comes back before it went out (a flap).
 * - test: every new test alert notifies, and its state closes at once.
 * - order: updates apply in `observedAt` order. One observed before the one
 *   the state holds (a late redelivery, a dead-letter replay) is stale:
 *   ignored and logged, so an old firing never reopens a resolved episode.
 *
 * No I/O and no clock: the dispatch service reads the state in a transaction,
 * calls `transitionAlert`, and writes what it returns.
 */
import type { AlertState } from '../../contracts/documents/alert-state';
import type { Alert } from '../../contracts/messages/alert';
import type { Environment, Severity } from '../../contracts/primitives';
import type { AlertPolicy } from './policy';

/** An alert as dispatch sees it: environment settled, fingerprint computed. */
export interface Observation {
  alert: Alert;
  environment: Environment;
  fingerprint: string;
}

/** What kind of notification a transition asks for. */
export type NotifyKind = 'firing' | 'repeat' | 'resolved' | 'test';

/** Why an observation was recorded but nobody is told now. */
export type HoldReason =
  | 'pending'
  | 'silenced'
  | 'inhibited'
  | 'acknowledged'
  | 'repeat-interval'
  | 'digest'
  | 'resolution-pending'
  | 'not-notified';

/** Tell people now (and how), record without telling (and why), or ignore (nothing to write). */
export type Decision =
  | { action: 'notify'; kind: NotifyKind; severity: Severity }
  | { action: 'hold'; reason: HoldReason; detail: string }
  | { action: 'ignore'; reason: string };

/** What a transition needs besides the stored state and the observation. */
export interface TransitionContext {
  now: Date;
  policy: AlertPolicy;
  /** The fleet-level alert kind that explains (mutes) this one, if any. */
  inhibitedBy?: string;
  /**
   * For a resolved state whose resolution notice was held back: whether it
   * has gone out since. Not yet sent means the episode is still open.
   */
  resolutionSent?: boolean;
}

/** The outcome of one observation: the state to write, the decision, and the timers to set or cancel. */
export interface Transition {
  /** The state to write; absent when nothing changes (a duplicate, an unknown resolution). */
  next?: AlertState;
  decision: Decision;
  /** A new episode began: first sight, or firing again after a resolution notice went out. */
  newEpisode: boolean;
  /** The observation is older (by `observedAt`) than the one the state holds: ignored, to be logged. */
  stale?: boolean;
  /** The held-back resolution notice must not go: the condition came back first (a flap). */
  cancelResolutionHold?: boolean;
  /** Send the resolution notice at this time (ISO) unless the condition comes back first. */
  holdResolutionUntil?: string;
  /** Escalate at this time (ISO) unless acknowledged or resolved first. */
  escalateAt?: string;
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** The next state and what to tell people, for one observation of one fingerprint. */
export function transitionAlert(
  current: AlertState | undefined,
  obs: Observation,
  ctx: TransitionContext,
): Transition {
  if (current && isSameObservation(current.lastAlert, obs.alert)) {
    return { decision: ignore('the same observation was already handled (a redelivery)'), newEpisode: false };
  }
  if (obs.alert.kind === 'test') return onTest(current, obs, ctx);
  if (current && isStale(current.lastAlert, obs.alert)) {
    // Pub/Sub does not keep order, and a redelivery or a dead-letter replay can come hours late:
    // an observation older than the one the state already holds must not reopen or close anything.
    return {
      decision: ignore(
        `a stale update: ${obs.alert.status} observed at ${obs.alert.observedAt}, before the ${current.lastAlert.status} observed at ${current.lastAlert.observedAt} already recorded`,
      ),
      newEpisode: false,
      stale: true,
    };
  }
  return obs.alert.status === 'firing' ? onFiring(current, obs, ctx) : onResolved(current, obs, ctx);
}

function onFiring(current: AlertState | undefined, obs: Observation, ctx: TransitionContext): Transition {
  const now = ctx.now.toISOString();
  const a = obs.alert;
  const flap = current !== undefined && isResolutionHeld(current, ctx);
  const continuing = current !== undefined && (current.status !== 'resolved' || flap);
  const s: AlertState = continuing ? continueEpisode(current, a, now) : startEpisode(current, obs, now);
  const base = { newEpisode: !continuing, ...(flap ? { cancelResolutionHold: true } : {}) };

  if (a.severity === 'warning') {
    if (s.status !== 'firing') {
      s.status = 'pending';
      s.pendingSince ??= now;
    }
    return { ...base, next: s, decision: hold('digest', 'warnings wait for the daily summary') };
  }
  const pending = holdPending(s, ctx);
  if (pending) return { ...base, next: s, decision: pending };
  s.status = 'firing';
  delete s.pendingSince;
  if (isSilenced(s, ctx.now)) {
    return { ...base, next: s, decision: hold('silenced', `silenced until ${s.silencedUntil}`) };
  }
  if (ctx.inhibitedBy) {
    return {
      ...base,
      next: s,
      decision: hold('inhibited', `muted by the fleet-level ${ctx.inhibitedBy} alert`),
    };
  }
  const rose = continuing && RANK[a.severity] > RANK[current.severity];
  let kind: NotifyKind;
  if (s.lastNotifiedAt === undefined || rose) kind = 'firing';
  else if (s.acknowledgedBy !== undefined) {
    return { ...base, next: s, decision: hold('acknowledged', `acknowledged by ${s.acknowledgedBy}`) };
  } else if (ctx.now.getTime() - Date.parse(s.lastNotifiedAt) >= ctx.policy.repeatIntervalMs[a.severity]) {
    kind = 'repeat';
  } else {
    return {
      ...base,
      next: s,
      decision: hold(
        'repeat-interval',
        `told at ${s.lastNotifiedAt}; a reminder waits for the repeat interval`,
      ),
    };
  }
  s.lastNotifiedAt = now;
  s.notifyCount += 1;
  const escalateAt = escalationTime(s, kind, a.severity, ctx);
  return {
    ...base,
    next: s,
    decision: { action: 'notify', kind, severity: a.severity },
    ...(escalateAt ? { escalateAt } : {}),
  };
}

/**
 * The flapping guard: a condition nobody was told about yet waits out the
 * pending period (marked `pending` in `s`, from when it was first seen).
 */
function holdPending(s: AlertState, ctx: TransitionContext): Decision | undefined {
  const period = ctx.policy.pendingPeriodMs;
  if (period <= 0 || s.lastNotifiedAt !== undefined || s.status === 'firing') return undefined;
  const since = s.pendingSince ?? ctx.now.toISOString();
  if (ctx.now.getTime() - Date.parse(since) >= period) return undefined;
  s.status = 'pending';
  s.pendingSince = since;
  return hold('pending', `must hold for ${period} ms (since ${since})`);
}

/** When to escalate a critical's first notification (ISO), if escalation is on and it has not escalated yet. */
function escalationTime(
  s: AlertState,
  kind: NotifyKind,
  severity: Severity,
  ctx: TransitionContext,
): string | undefined {
  const escalates =
    kind === 'firing' && severity === 'critical' && ctx.policy.escalateAfterMs > 0 && !s.escalatedAt;
  return escalates ? new Date(ctx.now.getTime() + ctx.policy.escalateAfterMs).toISOString() : undefined;
}

function onResolved(current: AlertState | undefined, obs: Observation, ctx: TransitionContext): Transition {
  if (!current) return { decision: ignore('no alert with this fingerprint is open'), newEpisode: false };
  if (current.status === 'resolved') return { decision: ignore('already resolved'), newEpisode: false };
  const now = ctx.now.toISOString();
  const s: AlertState = {
    ...current,
    status: 'resolved',
    resolvedAt: now,
    lastSeenAt: now,
    lastAlert: obs.alert,
  };
  s.version = current.version + 1;
  // An acknowledgement is for this episode only.
  delete s.acknowledgedBy;
  delete s.acknowledgedAt;
  delete s.pendingSince;
  if (!wasTold(current)) {
    return {
      next: s,
      decision: hold('not-notified', 'nobody was told it fired, so nobody is told it cleared'),
      newEpisode: false,
    };
  }
  if (ctx.policy.pendingPeriodMs > 0) {
    const until = new Date(ctx.now.getTime() + ctx.policy.pendingPeriodMs).toISOString();
    return {
      next: s,
      decision: hold('resolution-pending', `the resolution must hold until ${until}`),
      newEpisode: false,
      holdResolutionUntil: until,
    };
  }
  s.notifyCount += 1;
  return {
    next: s,
    decision: { action: 'notify', kind: 'resolved', severity: current.severity },
    newEpisode: false,
  };
}

function onTest(current: AlertState | undefined, obs: Observation, ctx: TransitionContext): Transition {
  if (obs.alert.status === 'resolved') {
    return { decision: ignore('a test alert has nothing to resolve'), newEpisode: false };
  }
  const now = ctx.now.toISOString();
  // A test proves the channels work; its state closes at once so it never counts as an open alert.
  const s = startEpisode(current, obs, now);
  s.status = 'resolved';
  s.resolvedAt = now;
  s.lastNotifiedAt = now;
  s.notifyCount = (current?.notifyCount ?? 0) + 1;
  return {
    next: s,
    decision: { action: 'notify', kind: 'test', severity: obs.alert.severity },
    newEpisode: true,
  };
}

/** True when people were told this alert fired (a page or a log line, not only a digest). */
export function wasTold(state: AlertState): boolean {
  return state.status === 'firing' && state.lastNotifiedAt !== undefined && state.severity !== 'warning';
}

/** True while a silence covers the alert. */
export function isSilenced(state: Pick<AlertState, 'silencedUntil'>, now: Date): boolean {
  return state.silencedUntil !== undefined && Date.parse(state.silencedUntil) > now.getTime();
}

/** A resolved state whose resolution notice is still held back: the episode is not over for people yet. */
function isResolutionHeld(state: AlertState, ctx: TransitionContext): boolean {
  return (
    state.status === 'resolved' &&
    ctx.policy.pendingPeriodMs > 0 &&
    state.lastNotifiedAt !== undefined &&
    state.severity !== 'warning' &&
    ctx.resolutionSent === false
  );
}

function continueEpisode(current: AlertState, a: Alert, now: string): AlertState {
  const s: AlertState = {
    ...current,
    severity: a.severity,
    lastSeenAt: now,
    lastAlert: a,
    version: current.version + 1,
  };
  if (s.status === 'resolved') {
    s.status = 'firing';
    delete s.resolvedAt;
  }
  return s;
}

function startEpisode(current: AlertState | undefined, obs: Observation, now: string): AlertState {
  const a = obs.alert;
  const s: AlertState = {
    fingerprint: obs.fingerprint,
    kind: a.kind,
    severity: a.severity,
    status: 'pending',
    environment: obs.environment,
    firstSeenAt: now,
    lastSeenAt: now,
    notifyCount: 0,
    lastAlert: a,
    version: current ? current.version + 1 : 0,
  };
  if (a.isbn !== undefined) s.isbn = a.isbn;
  // A silence is by fingerprint with its own expiry: it outlives the episode it was set in.
  if (current?.silencedUntil !== undefined && Date.parse(current.silencedUntil) > Date.parse(now)) {
    s.silencedUntil = current.silencedUntil;
  }
  return s;
}

/** True when `a` was observed strictly before `last` (updates apply in `observedAt` order). */
export function isStale(last: Alert, a: Alert): boolean {
  const before = Date.parse(last.observedAt);
  const seen = Date.parse(a.observedAt);
  return Number.isFinite(before) && Number.isFinite(seen) && seen < before;
}

/** The same observation delivered again (Pub/Sub redelivery, or the same alert published twice). */
export function isSameObservation(last: Alert, a: Alert): boolean {
  return (
    last.correlationId === a.correlationId &&
    last.observedAt === a.observedAt &&
    last.status === a.status &&
    last.severity === a.severity &&
    last.summary === a.summary &&
    last.runId === a.runId
  );
}

function hold(reason: HoldReason, detail: string): Decision {
  return { action: 'hold', reason, detail };
}

function ignore(reason: string): Decision {
  return { action: 'ignore', reason };
}
