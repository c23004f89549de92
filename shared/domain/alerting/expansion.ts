/**
 * The group stage's decisions, pure: what a due dispatch job becomes.
 *
 * - A run's book group becomes one notification listing every condition of
 *   that book, leaving out the ones a fleet-level alert mutes; when more
 *   books than the storm threshold fired in the run, it joins the run's storm
 *   summary instead (creating that job if nobody has yet).
 * - The run's fleet-level group says how many per-book alerts it muted.
 * - The storm summary lists the run's books, muted ones left out.
 * - An escalation timer or a held-back resolution is checked against the
 *   alert's state at that moment (operator-actions.ts).
 *
 * The service reads what these need, in and around a transaction, and
 * writes what they return (shared/services/alert-dispatch/group.ts).
 */
import type { AlertState } from '../../contracts/documents/alert-state';
import type { AlertKind } from '../../contracts/messages/alert';
import { composeEscalation } from './escalation';
import type { GroupItem } from './group-item';
import { composeNotifications, type ComposedNotification } from './grouping';
import { inhibitingKind, isInhibitor } from './inhibition';
import { escalationVerdict, resolutionVerdict } from './operator-actions';
import {
  closed,
  newJob,
  stormDocId,
  type EscalationPayload,
  type GroupPayload,
  type OutboxDoc,
  type ResolutionPayload,
} from './outbox';
import type { AlertPolicy } from './policy';
import { routeDeliveries } from './routing';

/** A run's dispatch jobs as a due job of that run sees them. */
export interface RunView {
  /** The run's per-book group jobs, open or closed. */
  books: OutboxDoc[];
  /** Fleet-level kinds that mute per-book alerts now: open in the store, or firing in the run's fleet group. */
  sources: ReadonlySet<AlertKind>;
}

/** What the decisions are made with besides the documents. */
export interface ExpansionContext {
  now: Date;
  policy: AlertPolicy;
  /** The configured channels routing picks among. */
  channels: readonly string[];
}

/** What a due job becomes: the documents to write (the job itself closed among them) and what to send now. */
export interface ExpansionPlan {
  writes: OutboxDoc[];
  /** Deliveries created (and so held) by this expansion: send them now. Also in `writes`. */
  claimed: OutboxDoc[];
  /** A storm summary job this expansion created (its creator expands it when due). */
  storm?: { id: string; dueAt: string };
  /** What became of the job, for logs. */
  outcome: string;
}

/** The run as its jobs see it: `run` is every dispatch job of the run, `openSources` the fleet-level kinds open in the store. */
export function runView(run: readonly OutboxDoc[], openSources: ReadonlySet<AlertKind>): RunView {
  const books = run.filter((d) => d.payload.type === 'group' && d.payload.isbn !== undefined);
  const sources = new Set(openSources);
  for (const d of run) {
    if (d.payload.type !== 'group' || d.payload.isbn !== undefined) continue;
    for (const i of d.payload.items) if (i.notify !== 'resolved' && isInhibitor(i)) sources.add(i.kind);
  }
  return { books, sources };
}

/** True when a fleet-level alert firing now explains `item` (resolutions are never muted). */
export function isMuted(item: GroupItem, sources: ReadonlySet<AlertKind>): boolean {
  return item.notify !== 'resolved' && inhibitingKind({ ...item, status: 'firing' }, sources) !== undefined;
}

/** The storm summary job a due book group must look up (it joins the storm), or undefined. */
export function stormToRead(doc: OutboxDoc, view: RunView, policy: AlertPolicy): string | undefined {
  const p = doc.payload;
  if (p.type !== 'group' || p.isbn === undefined || view.books.length <= policy.stormThreshold)
    return undefined;
  return stormDocId(p.environment, p.runId);
}

/** What the due group or storm job `doc` becomes; `stormDoc` is the run's storm job, when `stormToRead` named it. */
export function planRunJob(
  doc: OutboxDoc,
  view: RunView,
  stormDoc: OutboxDoc | undefined,
  ctx: ExpansionContext,
): ExpansionPlan {
  const p = doc.payload;
  if (p.type === 'group' && stormToRead(doc, view, ctx.policy) !== undefined) {
    return joinStorm(doc, p, view, stormDoc, ctx);
  }
  const composed = runNotifications(doc, view, ctx.policy);
  const claimed = routeDeliveries(composed, ctx.channels, ctx.now);
  const outcome = `expanded into ${composed.length} notifications`;
  return { writes: [...claimed, closed(doc, outcome, ctx.now, true)], claimed, outcome };
}

/** A book group of a storm: closed, told in the run's storm summary (created due after the group wait if nobody has). */
function joinStorm(
  doc: OutboxDoc,
  p: GroupPayload,
  view: RunView,
  stormDoc: OutboxDoc | undefined,
  ctx: ExpansionContext,
): ExpansionPlan {
  const stormId = stormDocId(p.environment, p.runId);
  const plan: ExpansionPlan = { writes: [], claimed: [], outcome: 'joined the storm summary' };
  if (!stormDoc) {
    const due = new Date(ctx.now.getTime() + ctx.policy.groupWaitMs);
    const payload = { type: 'storm' as const, runId: p.runId, environment: p.environment };
    plan.writes.push(newJob(stormId, payload, ['storm'], ctx.now, due));
    plan.storm = { id: stormId, dueAt: due.toISOString() };
  }
  const reason = `storm: ${view.books.length} books in run ${p.runId}, told in ${stormId}`;
  plan.writes.push(closed(doc, reason, ctx.now, false));
  return plan;
}

/** The notifications of a storm summary, a book group or the fleet-level group. */
function runNotifications(doc: OutboxDoc, view: RunView, policy: AlertPolicy): ComposedNotification[] {
  const p = doc.payload;
  const muted = (i: GroupItem) => isMuted(i, view.sources);
  if (p.type === 'storm') {
    const items = bookItems(view.books).filter((i) => !muted(i));
    return composeNotifications(items, {
      idBase: doc.id,
      stormThreshold: 0,
      runbookBaseUrl: policy.runbookBaseUrl,
    });
  }
  if (p.type !== 'group') return [];
  const kept = p.isbn === undefined ? p.items : p.items.filter((i) => !muted(i));
  const composed = composeNotifications(kept, {
    idBase: doc.id,
    stormThreshold: policy.stormThreshold,
    runbookBaseUrl: policy.runbookBaseUrl,
  });
  if (p.isbn === undefined) addMutedLine(composed, bookItems(view.books).filter(muted));
  return composed;
}

function bookItems(books: readonly OutboxDoc[]): GroupItem[] {
  return books.flatMap((d) => (d.payload.type === 'group' ? d.payload.items : []));
}

/** The fleet-level notification says how many per-book alerts of the run it muted. */
function addMutedLine(composed: ComposedNotification[], mutedItems: readonly GroupItem[]): void {
  const target = composed.find((c) => c.notification.kind !== 'resolved');
  if (!target || mutedItems.length === 0) return;
  const kinds = new Map<AlertKind, number>();
  for (const i of mutedItems) kinds.set(i.kind, (kinds.get(i.kind) ?? 0) + 1);
  target.notification.lines.push(
    `Muted ${mutedItems.length} per-book alerts on ${new Set(mutedItems.map((i) => i.isbn)).size} books that this explains (${[...kinds].map(([k, n]) => `${k} ×${n}`).join(', ')}).`,
  );
}

/** What a due escalation timer or held-back resolution does, decided against the alert's state now. */
export interface TimerPlan extends ExpansionPlan {
  /** The alert state to write when the timer fires. */
  state?: AlertState;
}

/** What the due timer `doc` becomes, given the alert's `state` now: nothing but closed, or a notification and the state that records it. */
export function planTimer(
  doc: OutboxDoc & { payload: EscalationPayload | ResolutionPayload },
  state: AlertState | undefined,
  ctx: ExpansionContext,
): TimerPlan {
  const p = doc.payload;
  const verdict =
    p.type === 'escalation'
      ? escalationVerdict(state, p.episodeStartedAt, ctx.now)
      : resolutionVerdict(state, p.resolvedAt);
  if (!verdict.due) {
    const outcome = `not sent: ${verdict.reason}`;
    return { writes: [closed(doc, outcome, ctx.now, false)], claimed: [], outcome };
  }
  const composed: ComposedNotification[] =
    p.type === 'escalation'
      ? [
          {
            notification: composeEscalation(
              verdict.next,
              `${doc.id}:escalation`,
              ctx.now,
              ctx.policy.runbookBaseUrl,
            ),
            fingerprints: [p.fingerprint],
          },
        ]
      : composeNotifications([p.item], {
          idBase: doc.id,
          stormThreshold: ctx.policy.stormThreshold,
          runbookBaseUrl: ctx.policy.runbookBaseUrl,
        });
  const claimed = routeDeliveries(composed, ctx.channels, ctx.now);
  const outcome = p.type === 'escalation' ? 'escalated' : 'resolution sent';
  return { state: verdict.next, writes: [...claimed, closed(doc, outcome, ctx.now, true)], claimed, outcome };
}
