/**
 * The dedup stage: the one place an AlertState changes on an observation,
 * always in a transaction. It reads the state and the outbox documents the
 * decision depends on, runs the state machine (which applies silences, so a
 * silence set a moment ago is never missed, and the inhibitor found before),
 * and writes, all or nothing, the new state with what the decision planned
 * (shared/domain/alerting/dedup.ts): the run's group job or the deliveries
 * of a notification decided alone, an escalation timer, a held-back
 * resolution. A hundred concurrent deliveries of one alert therefore decide
 * to notify exactly once.
 */
import { COLLECTIONS } from '../../contracts/collections';
import type { AlertState } from '../../contracts/documents/alert-state';
import type { AlertKind } from '../../contracts/messages/alert';
import { dedupReadIds, planDedup, resolutionSent, type DedupPlan } from '../../domain/alerting/dedup';
import type { OutboxDoc } from '../../domain/alerting/outbox';
import { transitionAlert, type Observation, type Transition } from '../../domain/alerting/state-machine';
import type { AlertDispatchDeps } from './deps';
import { readDoc, writeDoc } from './outbox';

/** What the dedup transaction decided and left for the next stages. */
export interface DedupOutcome {
  transition: Transition;
  /** Deliveries this call created and holds: send them now. */
  claimed: OutboxDoc[];
  /** The run's group job this alert joined, and whether this call created it (then it expands it when due). */
  group?: DedupPlan['group'];
}

/** Applies one observation to its AlertState in a transaction (see the file comment); `inhibitedBy` mutes it. */
export async function dedupAlert(
  obs: Observation,
  inhibitedBy: AlertKind | undefined,
  deps: AlertDispatchDeps,
): Promise<DedupOutcome> {
  const channels = deps.notifiers.map((n) => n.channel);
  return deps.state.runTransaction(async (tx) => {
    // Every read first (Firestore's rule), then the decision, then the writes.
    const now = deps.clock.now();
    const current = (await tx.get<AlertState>(COLLECTIONS.alertStates, obs.fingerprint))?.data;
    const ids = dedupReadIds(obs, current, deps.policy.pendingPeriodMs);
    const hold = ids.holdId ? await readDoc(tx, ids.holdId) : undefined;
    const group = ids.groupId ? await readDoc(tx, ids.groupId) : undefined;

    const transition = transitionAlert(current, obs, {
      now,
      policy: deps.policy,
      inhibitedBy,
      resolutionSent: resolutionSent(hold),
    });
    const plan = planDedup(obs, transition, { ...ids, hold, group }, { now, policy: deps.policy, channels });
    if (transition.next)
      tx.set(COLLECTIONS.alertStates, obs.fingerprint, transition.next as unknown as Record<string, unknown>);
    for (const doc of plan.writes) writeDoc(tx, doc);
    return { transition, claimed: plan.claimed, ...(plan.group ? { group: plan.group } : {}) };
  });
}
