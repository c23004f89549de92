/**
 * alert-dispatch, composed: validate → fingerprint → inhibit/silence →
 * dedup → group → route → send → record, then a flush of whatever else is
 * due. One call handles one Alert (one Pub/Sub message). If a send it made
 * failed and may succeed later, it throws a retryable error so Pub/Sub
 * redelivers — the notification is already kept pending in the store, so
 * the redelivery, the next invocation or a scheduled flush delivers it.
 */
import { COLLECTIONS } from '../../contracts/collections';
import type { AlertState } from '../../contracts/documents/alert-state';
import type { Alert } from '../../contracts/messages/alert';
import { BackendUnavailableError, describeError } from '../../errors';
import { isSameObservation, type Decision } from '../../domain/alerting/state-machine';
import type { Logger } from '../../logging/logger';
import type { AlertDispatchDeps } from './deps';
import { dedupAlert } from './dedup';
import { fingerprintAlert } from './fingerprint';
import { flushPendingNotifications, type FlushResult } from './flush';
import { expandJob } from './group';
import { findInhibitor } from './inhibit';
import type { OutboxDoc } from './outbox';
import { sendDelivery, type SendOutcome } from './send';
import { validateAlert } from './validate';

/** Per-delivery context from the Pub/Sub runtime. */
export interface DispatchContext {
  /** The handler's logger (already carrying the message id); the alert's correlation id is added to it. */
  logger?: Logger;
  /** Pub/Sub's delivery attempt, when known. */
  deliveryAttempt?: number;
}

/** What dispatching one alert did. */
export interface DispatchResult {
  fingerprint: string;
  decision: Decision;
  /** Sends made for this alert (its own notification, or its group when this call expanded it). */
  outcomes: SendOutcome[];
  /** The run's group this alert joined, if any. */
  groupId?: string;
  flushed: FlushResult;
}

/** Runs one alert through the pipeline (see the file comment); throws a retryable error when a send it made must be retried. */
export async function dispatchAlert(
  input: unknown,
  ctx: DispatchContext,
  deps: AlertDispatchDeps,
): Promise<DispatchResult> {
  const obs = fingerprintAlert(validateAlert(input, deps.environment));
  const { alert, fingerprint } = obs;
  const log = (ctx.logger ?? deps.logger).child({
    correlationId: alert.correlationId,
    fingerprint,
    alertKind: alert.kind,
    ...(alert.isbn ? { isbn: alert.isbn } : {}),
  });
  const timer = log.startTimer('alert dispatch', { status: alert.status, severity: alert.severity });
  const scoped: AlertDispatchDeps = { ...deps, logger: log };

  // One instance's concurrent deliveries of one alert take turns deciding; instances still race, and the
  // transaction settles that. Then a redelivery of what is already recorded needs no transaction at all.
  const key = `${obs.environment}:${fingerprint}`;
  const dedup = await oneAtATime(key, async () => {
    const memo = memoOf(deps.state);
    const seen = memo.get(key);
    if (seen && isSameObservation(seen, alert)) return undefined;
    const stored = (await deps.state.get<AlertState>(COLLECTIONS.alertStates, fingerprint))?.data;
    if (stored && isSameObservation(stored.lastAlert, alert)) return undefined;
    const outcome = await dedupAlert(obs, await findInhibitor(obs, deps.state), scoped);
    remember(memo, key, alert);
    return outcome;
  });
  let decision: Decision;
  let outcomes: SendOutcome[] = [];
  let groupId: string | undefined;
  if (!dedup) {
    decision = { action: 'ignore', reason: 'the same observation was already handled (a redelivery)' };
  } else {
    decision = dedup.transition.decision;
    logDecision(log, decision);
    outcomes = await sendAll(dedup.claimed, scoped);
    if (dedup.group) {
      groupId = dedup.group.id;
      // Whoever opened the run's group sends it once the wait is over; the others just joined.
      if (dedup.group.created)
        outcomes.push(...(await expandWhenDue(dedup.group.id, dedup.group.dueAt, scoped)));
    }
  }
  if (dedup?.transition.stale && decision.action === 'ignore')
    log.info(`stale alert update recorded, not applied: ${decision.reason}`, {
      observedAt: alert.observedAt,
    });
  else if (decision.action === 'ignore') log.debug(`alert ignored: ${decision.reason}`);

  const flushed = await flushSometimes(scoped);
  const failed = [...outcomes, ...flushed.outcomes].filter(
    (o) => o.status === 'retrying' && (outcomes.includes(o) || o.fingerprints.includes(fingerprint)),
  );
  timer.end({ decision: decision.action, sent: outcomes.filter((o) => o.status === 'delivered').length });
  const lastAttempt =
    ctx.deliveryAttempt !== undefined &&
    deps.maxDeliveryAttempts !== undefined &&
    ctx.deliveryAttempt >= deps.maxDeliveryAttempts;
  if (failed.length > 0 && !lastAttempt) {
    const first = failed[0]!;
    throw new BackendUnavailableError(
      `${failed.length} notification(s) not delivered yet (${failed.map((f) => f.channel).join(', ')}: ${first.error}); kept pending, next try at ${first.nextAttemptAt}`,
      first.channel,
      { retryable: true },
    );
  }
  return { fingerprint, decision, outcomes, ...(groupId ? { groupId } : {}), flushed };
}

const turns = new Map<string, Promise<unknown>>();
/** Per store, the last observation decided per fingerprint in this process: a redelivery then needs no read. */
const memos = new WeakMap<AlertDispatchDeps['state'], Map<string, Alert>>();
const REMEMBERED = 1000;

function memoOf(state: AlertDispatchDeps['state']): Map<string, Alert> {
  let memo = memos.get(state);
  if (!memo) {
    memo = new Map();
    memos.set(state, memo);
  }
  return memo;
}

function remember(memo: Map<string, Alert>, key: string, alert: Alert): void {
  memo.delete(key);
  memo.set(key, alert);
  // A Map iterates oldest first: drop that one once the memo is full.
  if (memo.size > REMEMBERED) memo.delete(memo.keys().next().value!);
}

const NO_FLUSH: FlushResult = { jobs: 0, outcomes: [], errors: 0 };
const lastFlush = new WeakMap<AlertDispatchDeps['state'], { at: number; running: boolean }>();
/** A burst of invocations needs one flush, not one each: at most one at a time and one a second per store. */
const FLUSH_EVERY_MS = 1000;

async function flushSometimes(deps: AlertDispatchDeps): Promise<FlushResult> {
  const now = deps.clock.now().getTime();
  const last = lastFlush.get(deps.state);
  if (last && (last.running || now - last.at < FLUSH_EVERY_MS)) return NO_FLUSH;
  const mark = { at: now, running: true };
  lastFlush.set(deps.state, mark);
  try {
    return await flushPendingNotifications(deps, { limit: 10 });
  } catch (err) {
    deps.logger.warning(`flush of pending notifications failed: ${describeError(err)}`, { error: err });
    return NO_FLUSH;
  } finally {
    mark.running = false;
  }
}

/** Runs `fn` after every earlier call with the same key (in this process) has settled. */
async function oneAtATime<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = turns.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const settled = run.catch(() => undefined);
  turns.set(key, settled);
  try {
    return await run;
  } finally {
    if (turns.get(key) === settled) turns.delete(key);
  }
}

async function sendAll(claimed: readonly OutboxDoc[], deps: AlertDispatchDeps): Promise<SendOutcome[]> {
  // Channels at once: a slow SMTP server must not hold the Slack page back.
  return Promise.all(claimed.map((doc) => sendDelivery(doc, deps)));
}

/** Waits for the group's time, expands it and sends; follows a storm summary this call started. */
async function expandWhenDue(id: string, dueAt: string, deps: AlertDispatchDeps): Promise<SendOutcome[]> {
  const outcomes: SendOutcome[] = [];
  let next: { id: string; dueAt: string } | undefined = { id, dueAt };
  while (next) {
    const wait = Date.parse(next.dueAt) - deps.clock.now().getTime();
    if (wait > 0) await deps.clock.sleep(wait);
    const expansion = await expandJob(next.id, deps);
    if (expansion.outcome) deps.logger.info(`group ${next.id}: ${expansion.outcome}`);
    outcomes.push(...(await sendAll(expansion.claimed, deps)));
    next = expansion.storm;
  }
  return outcomes;
}

function logDecision(log: Logger, decision: Decision): void {
  if (decision.action === 'notify')
    log.info(`alert decided: notify (${decision.kind}, ${decision.severity})`);
  else if (decision.action === 'hold')
    log.info(`alert recorded, not told now: ${decision.reason} (${decision.detail})`);
}
