/**
 * The dedup stage's decision, pure: which outbox documents the state
 * machine's decision depends on (read first, in the transaction), and what
 * to write with the new state once it has decided — the held-back
 * resolution cancelled or set, the escalation timer, and, when people are to
 * be told, the alert joined to its run's group or (no run, or the run's
 * group already went out) its own notification routed to its channels.
 */
import type { AlertState } from '../../contracts/documents/alert-state';
import type { Environment } from '../../contracts/primitives';
import { groupItemFrom, type GroupItem } from './group-item';
import { composeNotifications } from './grouping';
import {
  closed,
  directNotificationId,
  escalationDocId,
  groupDocId,
  isOpen,
  newJob,
  resolutionDocId,
  type GroupPayload,
  type OutboxDoc,
} from './outbox';
import type { AlertPolicy } from './policy';
import { routeDeliveries } from './routing';
import type { Observation, Transition } from './state-machine';

/** The outbox documents the decision depends on. */
export interface DedupReadIds {
  /** The held-back resolution of a resolved state, when resolutions are held back. */
  holdId?: string;
  /** The run's group job this alert would join (not for test alerts). */
  groupId?: string;
}

/** What the decision reads: the ids, and the documents found under them. */
export interface DedupReads extends DedupReadIds {
  hold?: OutboxDoc;
  group?: OutboxDoc;
}

/** What the writes are made with besides the transition. */
export interface DedupContext {
  now: Date;
  policy: AlertPolicy;
  /** The configured channels routing picks among. */
  channels: readonly string[];
}

/** The documents to write with the new state, and what the next stages do with them. */
export interface DedupPlan {
  writes: OutboxDoc[];
  /** Deliveries created (and so held) by this decision: the caller sends them next. Also in `writes`. */
  claimed: OutboxDoc[];
  /** The run's group job this alert joined, and whether this decision created it (then its caller expands it when due). */
  group?: { id: string; created: boolean; dueAt: string };
}

/** The outbox documents to read before deciding on `obs` over `current`. */
export function dedupReadIds(
  obs: Observation,
  current: AlertState | undefined,
  pendingPeriodMs: number,
): DedupReadIds {
  const { alert, fingerprint, environment } = obs;
  const ids: DedupReadIds = {};
  if (current?.status === 'resolved' && current.resolvedAt && pendingPeriodMs > 0)
    ids.holdId = resolutionDocId(fingerprint, current.resolvedAt);
  if (alert.runId !== undefined && alert.kind !== 'test')
    ids.groupId = groupDocId(environment, alert.runId, alert.isbn);
  return ids;
}

/** Whether a held-back resolution went out: a missing hold document (expired, or never written) counts as sent. */
export function resolutionSent(hold: OutboxDoc | undefined): boolean {
  return hold === undefined ? true : !isOpen(hold);
}

/** The writes that go with `transition` (see the file comment); none when it changes nothing. */
export function planDedup(
  obs: Observation,
  transition: Transition,
  reads: DedupReads,
  ctx: DedupContext,
): DedupPlan {
  const plan: DedupPlan = { writes: [], claimed: [] };
  const next = transition.next;
  if (!next) return plan;
  plan.writes.push(...timerWrites(obs, transition, next, reads.hold, ctx.now));
  const decision = transition.decision;
  if (decision.action !== 'notify') return plan;
  const { alert, fingerprint, environment } = obs;
  const item = groupItemFrom(alert, {
    fingerprint,
    environment,
    notify: decision.kind,
    severity: decision.severity,
  });
  const { groupId, group } = reads;
  if (groupId && alert.runId !== undefined && (group === undefined || isOpen(group))) {
    const run = { environment, runId: alert.runId, isbn: alert.isbn };
    plan.writes.push(joinedGroup(groupId, group, item, run, ctx));
    const dueAt = group?.nextAttemptAt ?? new Date(ctx.now.getTime() + ctx.policy.groupWaitMs).toISOString();
    plan.group = { id: groupId, created: group === undefined, dueAt };
    return plan;
  }
  // No run to group with, or the run's group already went out (a late alert): told on its own.
  const composed = composeNotifications([item], {
    idBase: directNotificationId(fingerprint, next.version),
    stormThreshold: ctx.policy.stormThreshold,
    runbookBaseUrl: ctx.policy.runbookBaseUrl,
  });
  plan.claimed = routeDeliveries(composed, ctx.channels, ctx.now);
  plan.writes.push(...plan.claimed);
  return plan;
}

/** The held-back resolution cancelled or set, and the escalation timer. */
function timerWrites(
  obs: Observation,
  transition: Transition,
  next: AlertState,
  hold: OutboxDoc | undefined,
  now: Date,
): OutboxDoc[] {
  const { alert, fingerprint, environment } = obs;
  const writes: OutboxDoc[] = [];
  if (transition.cancelResolutionHold && isOpen(hold)) {
    writes.push(closed(hold, 'cancelled: the condition came back before the resolution held', now, false));
  }
  if (transition.holdResolutionUntil && next.resolvedAt) {
    const item = groupItemFrom(alert, {
      fingerprint,
      environment,
      notify: 'resolved',
      severity: next.severity,
    });
    const payload = { type: 'resolution' as const, fingerprint, resolvedAt: next.resolvedAt, item };
    const id = resolutionDocId(fingerprint, next.resolvedAt);
    writes.push(newJob(id, payload, [fingerprint], now, new Date(transition.holdResolutionUntil)));
  }
  if (transition.escalateAt) {
    const payload = { type: 'escalation' as const, fingerprint, episodeStartedAt: next.firstSeenAt };
    const id = escalationDocId(fingerprint, next.firstSeenAt);
    writes.push(newJob(id, payload, [fingerprint], now, new Date(transition.escalateAt)));
  }
  return writes;
}

/** The run's group job with `item` in it: a new job due after the group wait, or the open one with `item` added. */
function joinedGroup(
  id: string,
  group: OutboxDoc | undefined,
  item: GroupItem,
  run: { environment: Environment; runId: string; isbn?: string },
  ctx: DedupContext,
): OutboxDoc {
  if (group && group.payload.type === 'group') {
    // One entry per alert: a repeat within the wait replaces the earlier one.
    const items = [...group.payload.items.filter((i) => i.fingerprint !== item.fingerprint), item];
    return {
      ...group,
      fingerprints: [...new Set([...group.fingerprints, item.fingerprint])],
      payload: { ...group.payload, items },
    };
  }
  const payload: GroupPayload = {
    type: 'group',
    runId: run.runId,
    environment: run.environment,
    items: [item],
  };
  if (run.isbn !== undefined) payload.isbn = run.isbn;
  const dueAt = new Date(ctx.now.getTime() + ctx.policy.groupWaitMs);
  return newJob(id, payload, [item.fingerprint], ctx.now, dueAt);
}
