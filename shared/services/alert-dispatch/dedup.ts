/**
 * Stage 4, dedup: the one place an AlertState changes on an observation,
 * always in a transaction. It reads the state (and the documents the
 * decision depends on), runs the state machine, and writes, all or nothing:
 * the new state, the run's group job or the deliveries of a notification
 * decided alone, an escalation timer, a held-back resolution. A hundred
 * concurrent deliveries of one alert therefore decide to notify exactly once.
 */
import { COLLECTIONS } from '../../contracts/collections';
import type { AlertState } from '../../contracts/documents/alert-state';
import type { AlertKind } from '../../contracts/messages/alert';
import { groupItemFrom } from '../../domain/alerting/group-item';
import { composeNotifications } from '../../domain/alerting/grouping';
import { transitionAlert, type Observation, type Transition } from '../../domain/alerting/state-machine';
import type { Transaction } from '../../ports/state-store';
import type { AlertDispatchDeps } from './deps';
import {
  closed,
  directNotificationId,
  escalationDocId,
  groupDocId,
  isOpen,
  newJob,
  readDoc,
  resolutionDocId,
  writeDoc,
  type GroupPayload,
  type OutboxDoc,
} from './outbox';
import { routeNotifications } from './route';

/** What the dedup transaction decided and left for the next stages. */
export interface DedupOutcome {
  transition: Transition;
  /** Deliveries this call created and holds: send them now. */
  claimed: OutboxDoc[];
  /** The run's group job this alert joined, and whether this call created it (then it expands it when due). */
  group?: { id: string; created: boolean; dueAt: string };
}

/** Applies one observation to its AlertState in a transaction (see the file comment); `inhibitedBy` mutes it. */
export async function dedupAlert(
  obs: Observation,
  inhibitedBy: AlertKind | undefined,
  deps: AlertDispatchDeps,
): Promise<DedupOutcome> {
  const { alert, fingerprint, environment } = obs;
  return deps.state.runTransaction(async (tx) => {
    // Every read first (Firestore's rule), then the decision, then the writes.
    const now = deps.clock.now();
    const current = (await tx.get<AlertState>(COLLECTIONS.alertStates, fingerprint))?.data;
    const holdId =
      current?.status === 'resolved' && current.resolvedAt && deps.policy.pendingPeriodMs > 0
        ? resolutionDocId(fingerprint, current.resolvedAt)
        : undefined;
    const hold = holdId ? await readDoc(tx, holdId) : undefined;
    const groupId =
      alert.runId !== undefined && alert.kind !== 'test'
        ? groupDocId(environment, alert.runId, alert.isbn)
        : undefined;
    const group = groupId ? await readDoc(tx, groupId) : undefined;

    const transition = transitionAlert(current, obs, {
      now,
      policy: deps.policy,
      inhibitedBy,
      // A missing hold document (expired, or never written) counts as sent.
      resolutionSent: hold === undefined ? true : !isOpen(hold),
    });
    const outcome: DedupOutcome = { transition, claimed: [] };
    const next = transition.next;
    if (!next) return outcome;
    tx.set(COLLECTIONS.alertStates, fingerprint, next as unknown as Record<string, unknown>);

    if (transition.cancelResolutionHold && isOpen(hold)) {
      writeDoc(tx, closed(hold, 'cancelled: the condition came back before the resolution held', now, false));
    }
    if (transition.holdResolutionUntil && next.resolvedAt) {
      const item = groupItemFrom(alert, {
        fingerprint,
        environment,
        notify: 'resolved',
        severity: next.severity,
      });
      writeDoc(
        tx,
        newJob(
          resolutionDocId(fingerprint, next.resolvedAt),
          { type: 'resolution', fingerprint, resolvedAt: next.resolvedAt, item },
          [fingerprint],
          now,
          new Date(transition.holdResolutionUntil),
        ),
      );
    }
    if (transition.escalateAt) {
      writeDoc(
        tx,
        newJob(
          escalationDocId(fingerprint, next.firstSeenAt),
          { type: 'escalation', fingerprint, episodeStartedAt: next.firstSeenAt },
          [fingerprint],
          now,
          new Date(transition.escalateAt),
        ),
      );
    }

    const decision = transition.decision;
    if (decision.action !== 'notify') return outcome;
    const item = groupItemFrom(alert, {
      fingerprint,
      environment,
      notify: decision.kind,
      severity: decision.severity,
    });
    if (groupId && alert.runId !== undefined && (group === undefined || isOpen(group))) {
      joinGroup(tx, groupId, group, item, { environment, runId: alert.runId, isbn: alert.isbn }, now, deps);
      const dueAt = group?.nextAttemptAt ?? new Date(now.getTime() + deps.policy.groupWaitMs).toISOString();
      outcome.group = { id: groupId, created: group === undefined, dueAt };
      return outcome;
    }
    // No run to group with, or the run's group already went out (a late alert): told on its own.
    const composed = composeNotifications([item], {
      idBase: directNotificationId(fingerprint, next.version),
      stormThreshold: deps.policy.stormThreshold,
    });
    outcome.claimed = routeNotifications(composed, deps.notifiers, now);
    for (const doc of outcome.claimed) writeDoc(tx, doc);
    return outcome;
  });
}

function joinGroup(
  tx: Transaction,
  id: string,
  group: OutboxDoc | undefined,
  item: ReturnType<typeof groupItemFrom>,
  run: { environment: GroupPayload['environment']; runId: string; isbn?: string },
  now: Date,
  deps: AlertDispatchDeps,
): void {
  if (group && group.payload.type === 'group') {
    // One entry per alert: a repeat within the wait replaces the earlier one.
    const items = [...group.payload.items.filter((i) => i.fingerprint !== item.fingerprint), item];
    writeDoc(tx, {
      ...group,
      fingerprints: [...new Set([...group.fingerprints, item.fingerprint])],
      payload: { ...group.payload, items },
    });
    return;
  }
  const payload: GroupPayload = {
    type: 'group',
    runId: run.runId,
    environment: run.environment,
    items: [item],
  };
  if (run.isbn !== undefined) payload.isbn = run.isbn;
  writeDoc(
    tx,
    newJob(id, payload, [item.fingerprint], now, new Date(now.getTime() + deps.policy.groupWaitMs)),
  );
}
