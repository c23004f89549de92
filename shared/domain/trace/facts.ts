/**
 * The serving evidence each stored record gives (see serving-timeline.ts):
 * the book's serving history, rollback records, last-known-good,
 * health-check reports and metric points, and the endpoint now. Pure.
 */
import type { LastKnownGood } from '../../contracts/documents/last-known-good';
import type { HealthReport } from '../../contracts/documents/health-report';
import type { MetricPoint } from '../../contracts/documents/metric-point';
import type { RollbackRecord, ServingHistoryEntry } from '../../contracts/documents/rollback';
import type { ServingState } from '../../contracts/model';
import type { ServingFact } from './serving-timeline';

/** History entries: a deploy, rollback, restore or recovery is a switch; `observed` is a sighting. */
export function historyFacts(isbn: string, history: readonly ServingHistoryEntry[]): ServingFact[] {
  return history.map((h) => ({
    at: h.at,
    version: h.version,
    kind: h.via === 'observed' ? 'sighting' : 'switch',
    via: h.via,
    ...(h.by !== undefined ? { by: h.by } : {}),
    ...(h.rollbackId !== undefined ? { rollbackId: h.rollbackId } : {}),
    source: `rollback-leases/${isbn}:history`,
  }));
}

/**
 * A succeeded rollback switched `from` → `to`: `from` was serving when it
 * started (a sighting at `at` less its duration) and `to` from `at` (a
 * switch, with who asked and why).
 * Failed, restored and skipped rollbacks changed nothing that stayed.
 */
export function rollbackFacts(
  records: readonly RollbackRecord[],
  correlationOf: (rollbackId: string) => string | undefined = () => undefined,
): ServingFact[] {
  const facts: ServingFact[] = [];
  for (const r of records) {
    if (r.status !== 'succeeded' || r.to === null) continue;
    const source = `rollback-records/${r.rollbackId}:${r.isbn}`;
    // `from` served when the rollback started (its record is written when it ends).
    const started = new Date(Date.parse(r.at) - r.durationMs).toISOString();
    if (r.from !== null)
      facts.push({ at: started, version: r.from, kind: 'sighting', via: 'observed', source });
    const correlationId = correlationOf(r.rollbackId);
    facts.push({
      at: r.at,
      version: r.to,
      kind: 'switch',
      via: 'rollback',
      by: String(r.requestedBy),
      reason: r.reason,
      rollbackId: r.rollbackId,
      ...(correlationId !== undefined ? { correlationId } : {}),
      source,
    });
  }
  return facts;
}

/** Last-known-good is set when a serving version passed validation (or by seed / adopt for the one serving). */
export function lastKnownGoodFact(lkg: LastKnownGood | undefined): ServingFact[] {
  if (!lkg) return [];
  return [
    {
      at: lkg.validatedAt,
      version: lkg.version,
      kind: 'sighting',
      via: 'validation',
      by: String(lkg.setBy),
      source: `last-known-good/${lkg.isbn}`,
    },
  ];
}

/** The version each health-check run scored for the book (the one that answered its canary). */
export function healthFacts(
  isbn: string,
  reports: readonly HealthReport[],
  points: readonly MetricPoint[],
): ServingFact[] {
  const facts: ServingFact[] = [];
  const seen = new Set<string>();
  for (const r of reports) {
    const model = r.models.find((m) => m.isbn === isbn);
    if (!model) continue;
    seen.add(r.runId);
    facts.push({
      at: r.finishedAt,
      version: model.version,
      kind: 'sighting',
      via: 'health-check',
      correlationId: r.correlationId,
      source: `health-reports/${r.runId}`,
    });
  }
  for (const p of points) {
    if (p.isbn !== isbn || seen.has(p.runId)) continue;
    facts.push({
      at: p.at,
      version: p.version,
      kind: 'sighting',
      via: 'health-check',
      source: `metric-points/${p.isbn}:${p.runId}`,
    });
  }
  return facts;
}

/** The version with the most traffic on the endpoint now (none when nothing is deployed). */
export function endpointFact(state: ServingState | undefined, now: string): ServingFact[] {
  const top = [...(state?.deployments ?? [])].sort((a, b) => b.trafficPercent - a.trafficPercent)[0];
  if (!state || !top || top.trafficPercent === 0) return [];
  return [
    {
      at: now,
      version: top.version,
      kind: 'sighting',
      via: 'endpoint',
      source: state.endpoint ?? `serving/${state.isbn}`,
    },
  ];
}
