/**
 * What a finished book tells the rest of the system: a LifecycleEvent on
 * `model-lifecycle` for every book switched or put back, and a critical
 * `rollback_failed` alert on `alerts` for every book whose rollback failed.
 * Publishing is at least once (recovery may publish again for a book whose
 * run died after publishing); consumers de-duplicate by rollbackId and ISBN.
 * A bus that is down does not undo a rollback: the failure is logged and the
 * record in the StateStore stays the audit truth.
 */
import type { RollbackRecord } from '../../contracts/documents/rollback';
import type { Alert } from '../../contracts/messages/alert';
import type { LifecycleEvent } from '../../contracts/messages/lifecycle-event';
import { describeError } from '../../errors';
import { withCorrelation } from '../../logging/correlation';
import type { RollbackDeps } from './deps';

/** The event for a record; undefined for a skipped book (nothing happened to it). */
export function lifecycleEventFor(record: RollbackRecord, correlationId: string): LifecycleEvent | undefined {
  if (record.status === 'skipped') return undefined;
  const event: LifecycleEvent = {
    type: record.status === 'succeeded' ? 'rollback.succeeded' : 'rollback.failed',
    isbn: record.isbn,
    rollbackId: record.rollbackId,
    at: record.at,
    correlationId,
  };
  if (record.from !== null) event.fromVersion = record.from;
  if (record.to !== null) event.toVersion = record.to;
  const detail = [record.status, record.note, record.error].filter(Boolean).join(': ');
  if (detail) event.detail = detail.slice(0, 2000);
  return event;
}

/** The critical alert for a failed (or restored) book; undefined otherwise. */
export function alertFor(
  record: RollbackRecord,
  correlationId: string,
  deps: Pick<RollbackDeps, 'environment'>,
): Alert | undefined {
  if (record.status !== 'failed' && record.status !== 'restored') return undefined;
  const what = record.status === 'restored' ? 'failed and was put back from the backup' : 'failed';
  const alert: Alert = {
    kind: 'rollback_failed',
    severity: 'critical',
    status: 'firing',
    isbn: record.isbn,
    summary: `rollback of ISBN ${record.isbn} to version ${record.to ?? '?'} ${what}`.slice(0, 500),
    details: {
      rollbackId: record.rollbackId,
      requestId: record.requestId,
      backupId: record.backupId,
      from: record.from,
      to: record.to,
      status: record.status,
      error: record.error,
      note: record.note,
    },
    source: 'rollback',
    observedAt: record.at,
    correlationId,
    runId: record.rollbackId,
  };
  if (record.to !== null) alert.modelVersion = record.to;
  if (deps.environment) alert.environment = deps.environment;
  return alert;
}

/** Publishes the event (and alert) for one finished book. Never throws. */
export async function publishOutcome(
  deps: RollbackDeps,
  record: RollbackRecord,
  correlationId: string,
): Promise<void> {
  const event = lifecycleEventFor(record, correlationId);
  const alert = alertFor(record, correlationId, deps);
  try {
    if (event) {
      await deps.bus.publish('model-lifecycle', {
        data: event,
        attributes: withCorrelation({ type: event.type, isbn: record.isbn }, correlationId),
      });
    }
    if (alert) {
      await deps.bus.publish('alerts', {
        data: alert,
        attributes: withCorrelation({ kind: alert.kind, severity: alert.severity }, correlationId),
      });
    }
  } catch (err) {
    deps.logger.error(`could not publish the outcome of ISBN ${record.isbn}: ${describeError(err)}`, {
      correlationId,
      rollbackId: record.rollbackId,
      isbn: record.isbn,
      error: err,
    });
  }
}
