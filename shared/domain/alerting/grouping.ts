/**
 * Grouping, like Alertmanager's group_by: the alerts of one book from one
 * run go out as one notification listing every condition; fleet-level
 * alerts of a run go out together; a fleet-wide storm (more books than the
 * storm threshold in one run) becomes one summary instead of a page per
 * book; and inside a group, a fleet-level alert mutes the per-book alerts it
 * explains. Resolutions go out apart from firings so "cleared" never hides
 * in a page. Pure: items in, notifications out.
 */
import type { AlertKind } from '../../contracts/messages/alert';
import type { Notification } from '../../contracts/notification';
import { runbooksFor } from '../../contracts/runbooks';
import { maxSeverity, type GroupItem } from './group-item';
import { INHIBITION_RULES, inhibitingKind, isInhibitor } from './inhibition';

/** A notification and the alerts it tells about. */
export interface ComposedNotification {
  notification: Notification;
  fingerprints: string[];
}

/** How to name the notifications of a group, and when its books are a storm. */
export interface ComposeOptions {
  /** Prefix of the notification ids: the group's id, or the one alert's notification id. */
  idBase: string;
  stormThreshold: number;
  /** Base of the runbook links (`<base><kind>.md`): each notification links the runbook of every kind it tells about. */
  runbookBaseUrl?: string;
}

/** Books listed by name in a storm summary; the rest are counted. */
export const STORM_LISTED_BOOKS = 10;

/** The notifications for the alerts of one group, in a stable order. */
export function composeNotifications(
  items: readonly GroupItem[],
  options: ComposeOptions,
): ComposedNotification[] {
  const out: ComposedNotification[] = [];
  for (const test of items.filter((i) => i.notify === 'test')) {
    out.push(
      compose(
        `${options.idBase}:test:${test.fingerprint}`,
        'test',
        [test],
        titleFor([test], 'test'),
        options,
      ),
    );
  }
  const rest = items.filter((i) => i.notify !== 'test');
  const told = rest.filter((i) => i.notify !== 'resolved');
  const resolved = rest.filter((i) => i.notify === 'resolved');

  const sources = new Set<AlertKind>(told.filter(isInhibitor).map((i) => i.kind));
  const muted = told.filter((i) => inhibitingKind({ ...i, status: 'firing' }, sources) !== undefined);
  const firing = told.filter((i) => !muted.includes(i));

  for (const [suffix, part] of [
    ['f', firing],
    ['r', resolved],
  ] as const) {
    if (part.length === 0) continue;
    const kind = suffix === 'r' ? 'resolved' : part.every((i) => i.notify === 'repeat') ? 'repeat' : 'firing';
    const fleet = part.filter((i) => i.isbn === undefined);
    if (fleet.length > 0) {
      const n = compose(`${options.idBase}:fleet:${suffix}`, kind, fleet, titleFor(fleet, kind), options);
      if (suffix === 'f') n.notification.lines.push(...mutedLines(muted, sources));
      out.push(n);
    }
    const books = byBook(part.filter((i) => i.isbn !== undefined));
    if (books.size > options.stormThreshold) {
      out.push(storm(`${options.idBase}:storm:${suffix}`, kind, books, options));
    } else {
      for (const [isbn, bookItems] of books) {
        out.push(
          compose(`${options.idBase}:${isbn}:${suffix}`, kind, bookItems, titleFor(bookItems, kind), options),
        );
      }
    }
  }
  return out;
}

function compose(
  id: string,
  kind: Notification['kind'],
  items: readonly GroupItem[],
  title: string,
  options: Pick<ComposeOptions, 'runbookBaseUrl'>,
): ComposedNotification {
  const first = firstOf(items);
  const lines = items.map((i) => itemLine(i));
  lines.push(contextLine(items));
  if (kind === 'firing' && items.some((i) => i.severity === 'critical')) {
    lines.push(`Acknowledge: forecast-guard alerts ack ${first.fingerprint} --by YOUR-NAME`);
  }
  const notification: Notification = {
    id,
    severity: maxSeverity(items),
    kind,
    title,
    lines,
    correlationId: first.correlationId,
  };
  const links = uniqueLinks(items);
  if (links.length > 0) notification.links = links;
  withRunbooks(notification, items, options);
  return { notification, fingerprints: items.map((i) => i.fingerprint) };
}

function storm(
  id: string,
  kind: Notification['kind'],
  books: Map<string, GroupItem[]>,
  options: Pick<ComposeOptions, 'runbookBaseUrl'>,
): ComposedNotification {
  const all = [...books.values()].flat();
  const first = firstOf(all);
  const counts = new Map<string, number>();
  for (const i of all) counts.set(i.kind, (counts.get(i.kind) ?? 0) + 1);
  const run = first.runId ? ` in run ${first.runId}` : '';
  const verb = kind === 'resolved' ? 'cleared' : 'firing';
  const lines = [
    `${all.length} conditions ${verb} on ${books.size} books${run} (${first.environment}); summarised instead of one message per book.`,
    `By kind: ${[...counts].map(([k, n]) => `${k} ×${n}`).join(', ')}`,
  ];
  const listed = [...books].slice(0, STORM_LISTED_BOOKS);
  for (const [isbn, items] of listed) lines.push(`• ${isbn}: ${items.map((i) => i.kind).join(', ')}`);
  if (books.size > listed.length) {
    lines.push(`… and ${books.size - listed.length} more books: forecast-guard alerts list --status firing`);
  }
  const notification: Notification = {
    id,
    severity: maxSeverity(all),
    kind,
    title: `Alert storm: ${books.size} books with ${all.length} conditions ${verb}${run}`,
    lines,
    correlationId: first.correlationId,
  };
  withRunbooks(notification, all, options);
  return { notification, fingerprints: all.map((i) => i.fingerprint) };
}

/** Adds one runbook per kind of `items` when a runbook base is set. */
function withRunbooks(
  notification: Notification,
  items: readonly GroupItem[],
  options: Pick<ComposeOptions, 'runbookBaseUrl'>,
): void {
  if (options.runbookBaseUrl === undefined) return;
  notification.runbooks = runbooksFor(
    items.map((i) => i.kind),
    options.runbookBaseUrl,
  );
}

function titleFor(items: readonly GroupItem[], kind: Notification['kind']): string {
  const first = firstOf(items);
  const who =
    first.isbn === undefined ? '' : `${first.isbn}${first.modelVersion ? ` v${first.modelVersion}` : ''}: `;
  if (items.length === 1) return `${who}${kind === 'resolved' ? 'cleared: ' : ''}${first.summary}`;
  const kinds = [...new Set(items.map((i) => i.kind))].join(', ');
  const where = first.isbn === undefined ? 'fleet-level ' : '';
  return `${who}${items.length} ${where}conditions ${kind === 'resolved' ? 'cleared' : 'firing'} (${kinds})`;
}

function itemLine(i: GroupItem): string {
  const state =
    i.notify === 'resolved' ? 'resolved' : i.notify === 'repeat' ? `${i.severity}, still firing` : i.severity;
  return `• ${i.kind} (${state}): ${i.summary} [fingerprint ${i.fingerprint}]`;
}

function contextLine(items: readonly GroupItem[]): string {
  const first = firstOf(items);
  const parts = [`environment ${first.environment}`];
  if (first.runId) parts.push(`run ${first.runId}`);
  parts.push(`observed ${first.observedAt}`);
  return parts.join(' · ');
}

function mutedLines(muted: readonly GroupItem[], sources: ReadonlySet<AlertKind>): string[] {
  if (muted.length === 0) return [];
  const books = new Set(muted.map((i) => i.isbn)).size;
  const reasons = INHIBITION_RULES.filter((r) => sources.has(r.source)).map(
    (r) => `${r.source}: ${r.because}`,
  );
  return [
    `Muted ${muted.length} per-book alerts on ${books} books that this explains (${reasons.join('; ')}).`,
  ];
}

/** The first of `items`: a notification is only ever composed from at least one alert. */
function firstOf(items: readonly GroupItem[]): GroupItem {
  const first = items[0];
  if (first === undefined) throw new Error('a notification must tell about at least one alert (got none)');
  return first;
}

/** Per-book items (`items` are all per-book), by ISBN in first-seen order. */
function byBook(items: readonly GroupItem[]): Map<string, GroupItem[]> {
  const books = new Map<string, GroupItem[]>();
  for (const i of items) {
    if (i.isbn === undefined) continue;
    const list = books.get(i.isbn) ?? [];
    list.push(i);
    books.set(i.isbn, list);
  }
  return books;
}

function uniqueLinks(items: readonly GroupItem[]): Array<{ label: string; url: string }> {
  const seen = new Set<string>();
  const out: Array<{ label: string; url: string }> = [];
  for (const link of items.flatMap((i) => i.links ?? [])) {
    if (!seen.has(link.url)) {
      seen.add(link.url);
      out.push(link);
    }
  }
  return out;
}
