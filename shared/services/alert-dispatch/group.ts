/**
 * The group stage: turns a due dispatch job into notifications, in a
 * transaction that closes the job, so exactly one caller does it however
 * many try. What each job becomes — a book's notification, the run's storm
 * summary, the fleet-level notification that mutes the per-book alerts it
 * explains, an escalation or a held-back resolution — is decided in
 * shared/domain/alerting/expansion.ts; this reads what that needs and
 * writes what it returns.
 *
 * The storm decision is made per book group when it falls due, from the
 * run's groups seen then: a run whose alerts arrive over longer than the
 * group wait may page its first books singly before the rest become a storm,
 * and a book that joins a storm after its summary went out is only in
 * `alerts list` and the daily summary (never paged one by one in a storm).
 */
import { COLLECTIONS } from '../../contracts/collections';
import type { AlertState } from '../../contracts/documents/alert-state';
import {
  planRunJob,
  planTimer,
  runView,
  stormToRead,
  type ExpansionContext,
} from '../../domain/alerting/expansion';
import { isDue, type GroupPayload, type OutboxDoc } from '../../domain/alerting/outbox';
import type { AlertDispatchDeps } from './deps';
import { openInhibitors } from './inhibit';
import { readDoc, runDocs, writeDoc } from './outbox';

/** What expanding one dispatch job produced. */
export interface Expansion {
  /** Deliveries created and held by this call: send them now. */
  claimed: OutboxDoc[];
  /** A storm summary job this call created (its creator expands it when due). */
  storm?: { id: string; dueAt: string };
  /** What became of the job, for logs. */
  outcome?: string;
}

/** Expands the dispatch job `id` if it is due and still open; otherwise does nothing. */
export async function expandJob(id: string, deps: AlertDispatchDeps): Promise<Expansion> {
  const peek = await readDoc(deps.state, id);
  if (!isDue(peek, deps.clock.now())) return { claimed: [] };
  switch (peek.payload.type) {
    case 'group':
    case 'storm':
      return expandRunJob(peek, deps);
    case 'escalation':
    case 'resolution':
      return expandTimer(id, deps);
    default:
      return { claimed: [] };
  }
}

/** A run's book or fleet group, or its storm summary. What the run holds is read first, outside the transaction. */
async function expandRunJob(peek: OutboxDoc, deps: AlertDispatchDeps): Promise<Expansion> {
  const { runId, environment } = peek.payload as GroupPayload;
  const run = await runDocs(deps.state, environment, runId);
  const view = runView(run, await openInhibitors(environment, deps.state));
  return deps.state.runTransaction(async (tx) => {
    const now = deps.clock.now();
    const doc = await readDoc(tx, peek.id);
    if (!isDue(doc, now)) return { claimed: [] };
    const stormId = stormToRead(doc, view, deps.policy);
    const stormDoc = stormId ? await readDoc(tx, stormId) : undefined;
    const plan = planRunJob(doc, view, stormDoc, contextOf(deps, now));
    for (const d of plan.writes) writeDoc(tx, d);
    return { claimed: plan.claimed, outcome: plan.outcome, ...(plan.storm ? { storm: plan.storm } : {}) };
  });
}

/** An escalation timer or a held-back resolution: decided against the alert's state now. */
async function expandTimer(id: string, deps: AlertDispatchDeps): Promise<Expansion> {
  return deps.state.runTransaction(async (tx) => {
    const now = deps.clock.now();
    const doc = await readDoc(tx, id);
    if (!isDue(doc, now)) return { claimed: [] };
    const payload = doc.payload;
    if (payload.type !== 'escalation' && payload.type !== 'resolution') return { claimed: [] };
    const state = (await tx.get<AlertState>(COLLECTIONS.alertStates, payload.fingerprint))?.data;
    const plan = planTimer({ ...doc, payload }, state, contextOf(deps, now));
    if (plan.state)
      tx.set(COLLECTIONS.alertStates, payload.fingerprint, plan.state as unknown as Record<string, unknown>);
    for (const d of plan.writes) writeDoc(tx, d);
    return { claimed: plan.claimed, outcome: plan.outcome };
  });
}

function contextOf(deps: AlertDispatchDeps, now: Date): ExpansionContext {
  return { now, policy: deps.policy, channels: deps.notifiers.map((n) => n.channel) };
}
