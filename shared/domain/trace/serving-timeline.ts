/**
 * Which version served a book when, rebuilt from everything that records it.
 * No single record holds a book's whole serving history: the history
 * document beside the rollback lease keeps deploys and rollbacks (capped);
 * rollback records keep each rollback with who asked and why; a change made
 * outside forecast-guard (the console, a hot fix, `demo degrade`) is
 * recorded nowhere and only shows up in what later runs saw (health checks'
 * scored versions, validations, the endpoint now).
 *
 * So the evidence comes in two kinds:
 * - a **switch**: "from `at`, `version` served" (a deploy, a rollback, a restore);
 * - a **sighting**: "at `at`, `version` was serving" (a health check, the endpoint).
 *
 * A switch starts a segment at a known time. A sighting of another version
 * than the current segment's starts a segment whose start is unknown: it
 * happened after the last evidence of the version before (and after the new
 * version was registered), and by the sighting. Pure.
 */

/** What changed or saw the serving version. */
export type ServingVia =
  'deploy' | 'rollback' | 'restore' | 'recovery' | 'observed' | 'health-check' | 'validation' | 'endpoint';

export interface ServingFact {
  at: string;
  version: string;
  kind: 'switch' | 'sighting';
  via: ServingVia;
  /** Who made the change, as recorded (claimed). */
  by?: string;
  reason?: string;
  rollbackId?: string;
  correlationId?: string;
  /** Where it was read: `rollback-records/<id>`, `health-reports/<runId>`… */
  source: string;
}

export interface ServingSegment {
  version: string;
  /** When it started serving: exact for a recorded switch, else the first sighting. */
  from: string;
  fromExact: boolean;
  /** For an unrecorded change: it happened after this (the last evidence before, or the version's registration). */
  changedAfter?: string;
  /** The next segment's start (exclusive); absent while it serves. */
  until?: string;
  /** The deploy or rollback that put it there, when one was recorded. */
  cause?: ServingFact;
  /** Every fact that speaks for this segment, oldest first. */
  evidence: ServingFact[];
}

const ORDER = { sighting: 0, switch: 1 } as const;

function byTime(a: ServingFact, b: ServingFact): number {
  return Date.parse(a.at) - Date.parse(b.at) || ORDER[a.kind] - ORDER[b.kind];
}

/** Details a later record of the same switch adds (a rollback record's reason beside the history entry). */
function enrich(cause: ServingFact, more: ServingFact): ServingFact {
  return {
    ...cause,
    by: cause.by ?? more.by,
    reason: cause.reason ?? more.reason,
    rollbackId: cause.rollbackId ?? more.rollbackId,
    correlationId: cause.correlationId ?? more.correlationId,
  };
}

function startSegment(
  fact: ServingFact,
  previous: ServingSegment | undefined,
  registeredAt: (version: string) => string | undefined,
): ServingSegment {
  if (fact.kind === 'switch') {
    return { version: fact.version, from: fact.at, fromExact: true, cause: fact, evidence: [fact] };
  }
  const lastBefore = previous?.evidence[previous.evidence.length - 1]?.at;
  const registered = registeredAt(fact.version);
  const bounds = [lastBefore, registered].filter((t): t is string => t !== undefined);
  const changedAfter = bounds.sort((a, b) => Date.parse(a) - Date.parse(b)).pop();
  return {
    version: fact.version,
    from: fact.at,
    fromExact: false,
    ...(changedAfter !== undefined ? { changedAfter } : {}),
    evidence: [fact],
  };
}

/**
 * The segments, oldest first. `registeredAt` gives a version's registration
 * time (no version serves before it exists), used to bound unrecorded changes.
 */
export function servingTimeline(
  facts: readonly ServingFact[],
  registeredAt: (version: string) => string | undefined = () => undefined,
): ServingSegment[] {
  const segments: ServingSegment[] = [];
  for (const fact of [...facts].sort(byTime)) {
    const current = segments[segments.length - 1];
    if (current?.version === fact.version) {
      current.evidence.push(fact);
      if (fact.kind === 'switch') current.cause = current.cause ? enrich(current.cause, fact) : fact;
      continue;
    }
    const next = startSegment(fact, current, registeredAt);
    if (current) current.until = next.from;
    segments.push(next);
  }
  return segments;
}

/** A segment's share of a time range, in milliseconds (the open end runs to `now`). */
export function overlapMs(segment: ServingSegment, from: string, to: string, now: string): number {
  const start = Math.max(Date.parse(segment.from), Date.parse(from));
  const end = Math.min(Date.parse(segment.until ?? now), Date.parse(to), Date.parse(now));
  return Math.max(0, end - start);
}

/**
 * The segments that served during [from, to), each with its time in the
 * range, and the version that served most of it (a tie goes to the later).
 * Times compare as ISO 8601 UTC strings, which order as the instants do.
 * Before the first evidence nothing is known, so the first segment counts
 * only from its `from`.
 */
export function servedDuring(
  segments: readonly ServingSegment[],
  from: string,
  to: string,
  now: string,
): { version?: string; segments: Array<ServingSegment & { servedMs: number }> } {
  const during = segments
    .map((s) => ({ ...s, servedMs: overlapMs(s, from, to, now) }))
    // A spell only sighted (its start unknown) may have no measurable time, yet it served in the range.
    .filter((s) => s.servedMs > 0 || (s.from >= from && s.from < to && s.from <= now));
  const perVersion = new Map<string, number>();
  for (const s of during) perVersion.set(s.version, (perVersion.get(s.version) ?? 0) + s.servedMs);
  let version: string | undefined;
  let most = -1;
  for (const s of during) {
    const total = perVersion.get(s.version) ?? 0;
    if (total >= most) {
      most = total;
      version = s.version;
    }
  }
  return { ...(version !== undefined ? { version } : {}), segments: during };
}

/** The segment serving at `at`, if any evidence reaches it. */
export function servingAt(segments: readonly ServingSegment[], at: string): ServingSegment | undefined {
  const t = Date.parse(at);
  return segments.find((s) => Date.parse(s.from) <= t && (s.until === undefined || t < Date.parse(s.until)));
}
