/**
 * The group stage: turns a due dispatch job into notifications, in a
 * transaction that closes the job, so exactly one caller does it however
 * many try. A run's book group becomes one notification listing every
 * condition of that book (or, when more books than the storm threshold fired
 * in the run, joins the run's storm summary); the fleet-level group mutes
 * the per-book alerts it explains; an escalation timer or a held-back
 * resolution is checked against the alert's state at that moment.
 *
 * The storm decision is made per book group when it falls due, from the
 * run's groups seen then: a run whose alerts arrive over longer than the
 * group wait may page its first books singly before the rest become a storm,
 * and a book that joins a storm after its summary went out is only in
 * `alerts list` and the daily summary (never paged one by one in a storm).
 */
import { COLLECTIONS } from '../../contracts/collections';
import type { AlertState } from '../../contracts/documents/alert-state';
import type { AlertKind } from '../../contracts/messages/alert';
import { composeEscalation } from '../../domain/alerting/escalation';
import type { GroupItem } from '../../domain/alerting/group-item';
import { composeNotifications, type ComposedNotification } from '../../domain/alerting/grouping';
import { inhibitingKind, isInhibitor } from '../../domain/alerting/inhibition';
import { escalationVerdict, resolutionVerdict } from '../../domain/alerting/operator-actions';
import {
  closed,
  isDue,
  newJob,
  stormDocId,
  type GroupPayload,
  type OutboxDoc,
} from '../../domain/alerting/outbox';
import { routeDeliveries } from '../../domain/alerting/routing';
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
  const books = run.filter(
    (d) => d.payload.type === 'group' && (d.payload as GroupPayload).isbn !== undefined,
  );
  const fleetItems = run.flatMap((d) =>
    d.payload.type === 'group' && (d.payload as GroupPayload).isbn === undefined
      ? (d.payload as GroupPayload).items
      : [],
  );
  const sources = await openInhibitors(deps.state, environment);
  for (const i of fleetItems) if (i.notify !== 'resolved' && isInhibitor(i)) sources.add(i.kind);
  const muted = (i: GroupItem) =>
    i.notify !== 'resolved' && inhibitingKind({ ...i, status: 'firing' }, sources) !== undefined;
  const storm = books.length > deps.policy.stormThreshold;

  return deps.state.runTransaction(async (tx) => {
    const now = deps.clock.now();
    const doc = await readDoc(tx, peek.id);
    if (!isDue(doc, now)) return { claimed: [] };
    const payload = doc.payload;
    const stormId = stormDocId(environment, runId);
    const stormDoc =
      payload.type === 'group' && payload.isbn !== undefined && storm
        ? await readDoc(tx, stormId)
        : undefined;

    let composed: ComposedNotification[] = [];
    const out: Expansion = { claimed: [] };
    if (payload.type === 'storm') {
      const items = books.flatMap((d) => (d.payload as GroupPayload).items).filter((i) => !muted(i));
      composed = composeNotifications(items, { idBase: doc.id, stormThreshold: 0 });
    } else if (payload.type === 'group' && payload.isbn !== undefined && storm) {
      if (!stormDoc) {
        const due = new Date(now.getTime() + deps.policy.groupWaitMs);
        writeDoc(tx, newJob(stormId, { type: 'storm', runId, environment }, ['storm'], now, due));
        out.storm = { id: stormId, dueAt: due.toISOString() };
      }
      writeDoc(
        tx,
        closed(doc, `storm: ${books.length} books in run ${runId}, told in ${stormId}`, now, false),
      );
      return { ...out, outcome: 'joined the storm summary' };
    } else if (payload.type === 'group') {
      const kept = payload.isbn === undefined ? payload.items : payload.items.filter((i) => !muted(i));
      composed = composeNotifications(kept, { idBase: doc.id, stormThreshold: deps.policy.stormThreshold });
      if (payload.isbn === undefined) addMutedLine(composed, books, muted);
    }
    out.claimed = routeDeliveries(composed, channelsOf(deps), now);
    for (const d of out.claimed) writeDoc(tx, d);
    out.outcome = `expanded into ${composed.length} notifications`;
    writeDoc(tx, closed(doc, out.outcome, now, true));
    return out;
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
    const verdict =
      payload.type === 'escalation'
        ? escalationVerdict(state, payload.episodeStartedAt, now)
        : resolutionVerdict(state, payload.resolvedAt);
    if (!verdict.due) {
      const outcome = `not sent: ${verdict.reason}`;
      writeDoc(tx, closed(doc, outcome, now, false));
      return { claimed: [], outcome };
    }
    tx.set(COLLECTIONS.alertStates, payload.fingerprint, verdict.next as unknown as Record<string, unknown>);
    const composed: ComposedNotification[] =
      payload.type === 'escalation'
        ? [
            {
              notification: composeEscalation(verdict.next, `${doc.id}:escalation`, now),
              fingerprints: [payload.fingerprint],
            },
          ]
        : composeNotifications([payload.item], {
            idBase: doc.id,
            stormThreshold: deps.policy.stormThreshold,
          });
    const claimed = routeDeliveries(composed, channelsOf(deps), now);
    for (const d of claimed) writeDoc(tx, d);
    const outcome = payload.type === 'escalation' ? 'escalated' : 'resolution sent';
    writeDoc(tx, closed(doc, outcome, now, true));
    return { claimed, outcome };
  });
}

/** The fleet-level notification says how many per-book alerts of the run it muted. */
function addMutedLine(
  composed: ComposedNotification[],
  books: readonly OutboxDoc[],
  muted: (i: GroupItem) => boolean,
): void {
  const items = books.flatMap((d) => (d.payload as GroupPayload).items).filter(muted);
  const target = composed.find((c) => c.notification.kind !== 'resolved');
  if (!target || items.length === 0) return;
  const kinds = new Map<AlertKind, number>();
  for (const i of items) kinds.set(i.kind, (kinds.get(i.kind) ?? 0) + 1);
  target.notification.lines.push(
    `Muted ${items.length} per-book alerts on ${new Set(items.map((i) => i.isbn)).size} books that this explains (${[...kinds].map(([k, n]) => `${k} ×${n}`).join(', ')}).`,
  );
}

/** The channels configured here: routing picks among these. */
function channelsOf(deps: AlertDispatchDeps): string[] {
  return deps.notifiers.map((n) => n.channel);
}
