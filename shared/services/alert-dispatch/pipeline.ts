/**
 * alert-dispatch's pipeline: the stages one Alert (one Pub/Sub message)
 * goes through, in the order they run, composed in `dispatchAlert` below the
 * way Alertmanager's notify.go composes its MultiStage. Each stage is a pure
 * decision in shared/domain/alerting/ and a thin effect in this folder
 * (DISPATCH_STAGES names both):
 *
 *   1. observe     validate against the Alert contract, settle the
 *                  environment, fingerprint it.
 *   2. redelivery  skip an observation this instance or the store has
 *                  already decided (no transaction needed).
 *   3. inhibit     find the open fleet-level alert that mutes it.
 *   4. dedup       one transaction: the state machine decides (silences,
 *                  inhibition, pending period, repeat interval, escalation
 *                  timer), then the alert joins its run's group, or its own
 *                  notification is composed and routed into the outbox.
 *   5. send        its own deliveries, every channel at once, each outcome
 *                  recorded: delivered, retry with backoff, or give up.
 *   6. group       if it opened its run's group: wait out the group wait,
 *                  expand the group (or the run's storm summary), send.
 *   7. flush       retry whatever else is due (at most once a second).
 *   8. redeliver   throw a retryable error while a send it made must be
 *                  retried, so Pub/Sub redelivers.
 *
 * Stages 2 to 4 run one at a time per alert in this instance; instances
 * still race, and the dedup transaction settles that. A failed send is
 * already kept pending in the store, so the redelivery, the next invocation
 * or a scheduled flush delivers it.
 */
import { COLLECTIONS } from '../../contracts/collections';
import type { AlertState } from '../../contracts/documents/alert-state';
import { BackendUnavailableError } from '../../errors';
import { observationKey, observeAlert } from '../../domain/alerting/observation';
import { sendsToRetry } from '../../domain/alerting/redelivery';
import { isSameObservation, type Decision, type Observation } from '../../domain/alerting/state-machine';
import type { Logger } from '../../logging/logger';
import { dedupAlert, type DedupOutcome } from './dedup';
import type { AlertDispatchDeps } from './deps';
import { flushSometimes, type FlushResult } from './flush';
import { expandJob } from './group';
import { findInhibitor } from './inhibit';
import { oneAtATime, remember } from './memory';
import { sendAll, type SendOutcome } from './send';

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

/** Each stage of `dispatchAlert`, in order: the file of its effect here, and the domain files that decide it. */
export const DISPATCH_STAGES = [
  { stage: 'observe', effect: 'pipeline.ts', decision: ['observation.ts', 'fingerprint.ts'] },
  { stage: 'redelivery', effect: 'pipeline.ts', decision: ['state-machine.ts'] },
  { stage: 'inhibit', effect: 'inhibit.ts', decision: ['inhibition.ts'] },
  {
    stage: 'dedup',
    effect: 'dedup.ts',
    decision: ['state-machine.ts', 'dedup.ts', 'grouping.ts', 'routing.ts', 'outbox.ts'],
  },
  { stage: 'send', effect: 'send.ts', decision: ['outbox.ts', 'backoff.ts'] },
  { stage: 'group', effect: 'group.ts', decision: ['expansion.ts', 'grouping.ts', 'routing.ts'] },
  { stage: 'flush', effect: 'flush.ts', decision: ['outbox.ts'] },
  { stage: 'redeliver', effect: 'pipeline.ts', decision: ['redelivery.ts'] },
] as const;

const REDELIVERED: Decision = {
  action: 'ignore',
  reason: 'the same observation was already handled (a redelivery)',
};

/** Runs one alert through the pipeline (see the file comment); throws a retryable error when a send it made must be retried. */
export async function dispatchAlert(
  input: unknown,
  ctx: DispatchContext,
  deps: AlertDispatchDeps,
): Promise<DispatchResult> {
  const obs = observeAlert(input, deps.environment); // 1
  const log = alertLogger(obs, ctx.logger ?? deps.logger);
  const timer = log.startTimer('alert dispatch', { status: obs.alert.status, severity: obs.alert.severity });
  const scoped: AlertDispatchDeps = { ...deps, logger: log };

  const dedup = await decideOnce(obs, scoped); // 2, 3, 4
  const decision = dedup?.transition.decision ?? REDELIVERED;
  logDecision(log, obs, decision, dedup);
  const outcomes = dedup ? await sendAll(dedup.claimed, scoped) : []; // 5
  // Whoever opened the run's group sends it once the wait is over; the others just joined.
  if (dedup?.group?.created) outcomes.push(...(await expandWhenDue(dedup.group, scoped))); // 6
  const flushed = await flushSometimes(scoped); // 7

  timer.end({ decision: decision.action, sent: outcomes.filter((o) => o.status === 'delivered').length });
  const failed = sendsToRetry(outcomes, flushed.outcomes, obs.fingerprint, {
    deliveryAttempt: ctx.deliveryAttempt,
    maxDeliveryAttempts: deps.maxDeliveryAttempts,
  });
  if (failed[0]) throw notDeliveredYet(failed, failed[0]); // 8
  const groupId = dedup?.group?.id;
  return { fingerprint: obs.fingerprint, decision, outcomes, ...(groupId ? { groupId } : {}), flushed };
}

/**
 * Stages 2 to 4, one at a time per alert in this instance: a redelivery of
 * what is already decided (remembered here, or recorded in the store) needs
 * no transaction at all; undefined then.
 */
async function decideOnce(obs: Observation, deps: AlertDispatchDeps): Promise<DedupOutcome | undefined> {
  const key = observationKey(obs);
  return oneAtATime(deps.memory, key, async () => {
    const seen = deps.memory.decided.get(key);
    if (seen && isSameObservation(seen, obs.alert)) return undefined;
    const stored = (await deps.state.get<AlertState>(COLLECTIONS.alertStates, obs.fingerprint))?.data;
    if (stored && isSameObservation(stored.lastAlert, obs.alert)) return undefined;
    const outcome = await dedupAlert(obs, await findInhibitor(obs, deps.state), deps);
    remember(deps.memory, key, obs.alert);
    return outcome;
  });
}

/** Waits for the group's time, expands it and sends; follows a storm summary this call started. */
async function expandWhenDue(
  group: { id: string; dueAt: string },
  deps: AlertDispatchDeps,
): Promise<SendOutcome[]> {
  const outcomes: SendOutcome[] = [];
  let next: { id: string; dueAt: string } | undefined = group;
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

/** The handler's logger with the alert's correlation id, fingerprint, kind and book. */
function alertLogger(obs: Observation, logger: Logger): Logger {
  const { alert, fingerprint } = obs;
  return logger.child({
    correlationId: alert.correlationId,
    fingerprint,
    alertKind: alert.kind,
    ...(alert.isbn ? { isbn: alert.isbn } : {}),
  });
}

function logDecision(
  log: Logger,
  obs: Observation,
  decision: Decision,
  dedup: DedupOutcome | undefined,
): void {
  if (decision.action === 'notify')
    log.info(`alert decided: notify (${decision.kind}, ${decision.severity})`);
  else if (decision.action === 'hold')
    log.info(`alert recorded, not told now: ${decision.reason} (${decision.detail})`);
  else if (dedup?.transition.stale)
    log.info(`stale alert update recorded, not applied: ${decision.reason}`, {
      observedAt: obs.alert.observedAt,
    });
  else log.debug(`alert ignored: ${decision.reason}`);
}

/** The retryable error that makes Pub/Sub redeliver: the notifications are kept pending either way. */
function notDeliveredYet(failed: readonly SendOutcome[], first: SendOutcome): BackendUnavailableError {
  return new BackendUnavailableError(
    `${failed.length} notification(s) not delivered yet (${failed.map((f) => f.channel).join(', ')}: ${first.error}); kept pending, next try at ${first.nextAttemptAt}`,
    first.channel,
    { retryable: true },
  );
}
