/**
 * daily-summary: one digest a day of the warnings (which never page anyone),
 * the fleet's health and the critical alerts still open, to Slack and email.
 * It goes through the same outbox as alerts, so it is retried until it
 * arrives and a redelivered request never sends it twice; the warnings it
 * told are then marked as told (`pending` → `firing`).
 */
import { COLLECTIONS } from '../../contracts/collections';
import type { AlertState } from '../../contracts/documents/alert-state';
import type { DailySummaryRequest } from '../../contracts/messages/daily-summary-request';
import { BackendUnavailableError } from '../../errors';
import {
  composeDigest,
  dayWindow,
  digestFingerprints,
  digestId,
  type DigestCounts,
} from '../../domain/alerting/digest';
import { markDigested } from '../../domain/alerting/operator-actions';
import type { Logger } from '../../logging/logger';
import {
  flushPendingNotifications,
  sendOnce,
  type AlertDispatchDeps,
  type SendOutcome,
} from '../alert-dispatch';
import { collectSummaryInputs } from './collect';

/** The request's correlation id (it reaches the digest) and the handler's logger. */
export interface DailySummaryContext {
  correlationId: string;
  logger?: Logger;
}

/** What the daily summary sent, or that it had been sent. */
export interface DailySummaryResult {
  notificationId: string;
  date: string;
  counts: DigestCounts;
  /** True when this day's digest had already been sent (a redelivery, a second scheduler run). */
  alreadySent: boolean;
  outcomes: SendOutcome[];
}

/** Sends the digest for the request's day (see the file comment); throws a retryable error while a channel has not taken it. */
export async function runDailySummary(
  request: DailySummaryRequest,
  ctx: DailySummaryContext,
  deps: AlertDispatchDeps,
): Promise<DailySummaryResult> {
  const log = (ctx.logger ?? deps.logger).child({ correlationId: ctx.correlationId });
  const scoped = { ...deps, logger: log };
  const timer = log.startTimer('daily summary');
  const day = dayWindow(request.date, deps.clock.now());
  const inputs = await collectSummaryInputs(day, { state: deps.state, logger: log }, deps);
  const id = digestId(deps.environment, day.date, {
    trigger: request.trigger,
    correlationId: ctx.correlationId,
  });
  const digest = composeDigest({
    id,
    date: day.date,
    environment: deps.environment,
    correlationId: ctx.correlationId,
    ...inputs,
    runbookBaseUrl: deps.policy.runbookBaseUrl,
    now: deps.clock.now(),
  });
  const composed = { notification: digest.notification, fingerprints: digestFingerprints(inputs) };
  const { alreadySent, outcomes } = await sendOnce(composed, scoped);
  if (!alreadySent) {
    for (const w of inputs.warnings.filter((w) => w.status !== 'resolved')) await markTold(w, scoped);
    log.info(`daily summary ${day.date} sent`, { counts: digest.counts, notificationId: id });
  } else {
    log.info(`daily summary ${day.date} was already sent (${id}); only pending deliveries are retried`);
  }
  const flushed = await flushPendingNotifications({ limit: 10 }, scoped);
  timer.end({ date: day.date, alreadySent });
  const failed = [...outcomes, ...flushed.outcomes].filter(
    (o) => o.status === 'retrying' && o.notificationId === id,
  );
  if (failed[0]) throw notDeliveredYet(day.date, failed, failed[0]);
  return { notificationId: id, date: day.date, counts: digest.counts, alreadySent, outcomes };
}

/** The retryable error that makes Pub/Sub redeliver the request: the digest is kept pending either way. */
function notDeliveredYet(
  date: string,
  failed: readonly SendOutcome[],
  first: SendOutcome,
): BackendUnavailableError {
  return new BackendUnavailableError(
    `daily summary ${date} not delivered to ${failed.map((f) => f.channel).join(', ')} yet (${first.error}); kept pending`,
    first.channel,
    { retryable: true },
  );
}

async function markTold(warning: AlertState, deps: AlertDispatchDeps): Promise<void> {
  await deps.state.runTransaction(async (tx) => {
    const doc = await tx.get<AlertState>(COLLECTIONS.alertStates, warning.fingerprint);
    if (!doc || doc.data.status === 'resolved' || doc.data.severity !== 'warning') return;
    tx.set(
      COLLECTIONS.alertStates,
      warning.fingerprint,
      markDigested(doc.data, deps.clock.now()) as unknown as Record<string, unknown>,
    );
  });
}
