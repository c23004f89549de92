/**
 * The fleet over time, for the dashboard's "Fleet over time" panel: how many
 * books sat at each status in each whole-fleet health check, and the books
 * whose MAPE or RMSE rose most between the oldest and newest of those runs
 * (the worst movers). Read from the health reports (kept 30 days), newest
 * `runs` of them: each report carries its run's counts, so one query answers
 * the chart; the movers compare the per-book figures of two reports.
 *
 * Cost: a report holds every checked book's figures (about 180 bytes a book),
 * so reading 48 reports of a 500-book fleet reads about 4 MB; the panel asks
 * again only when a new run has finished.
 */
import { COLLECTIONS } from '../../contracts/collections';
import { HealthReport, type ModelHealth } from '../../contracts/documents/health-report';
import { safeParseWith } from '../../contracts/parse';
import type { HealthStatus } from '../../contracts/primitives';
import { worstMovers, type Mover } from '../../domain/history/trends';
import { ValidationError } from '../../errors';
import type { HistoryPorts } from './ports';

export const DEFAULT_FLEET_RUNS = 48;
export const MAX_FLEET_RUNS = 200;
export const DEFAULT_MOVERS = 10;

export interface FleetRun {
  runId: string;
  at: string;
  trigger: string;
  counts: Partial<Record<HealthStatus, number>>;
  /** Counts read from the report's (possibly trimmed) `models`: a report written before `counts` existed. */
  approximate?: true;
}

export interface FleetTrend {
  /** Whole-fleet runs, oldest first. */
  runs: FleetRun[];
  movers: Mover[];
  /** The two runs the movers compare (absent with fewer than two runs). */
  moversWindow?: { from: string; to: string };
}

/** The newest `runs` whole-fleet health checks' status counts and worst movers. */
export async function fleetTrend(
  request: { runs?: number; movers?: number },
  ports: Pick<HistoryPorts, 'state'>,
): Promise<FleetTrend> {
  const runs = request.runs ?? DEFAULT_FLEET_RUNS;
  if (!Number.isInteger(runs) || runs < 2 || runs > MAX_FLEET_RUNS)
    throw new ValidationError(`runs: must be a whole number from 2 to ${MAX_FLEET_RUNS}, got ${runs}`, [
      'runs',
    ]);
  const docs = await ports.state.query(COLLECTIONS.healthReports, {
    orderBy: { field: 'startedAt', direction: 'desc' },
    limit: runs,
  });
  const reports = docs
    .flatMap((d) => {
      const parsed = safeParseWith(HealthReport, d.data, `HealthReport ${d.id}`);
      return parsed.ok ? [parsed.value] : [];
    })
    // A run scoped to a few books would draw as a collapse of the fleet: only whole-fleet runs count.
    .filter((r) => r.scope !== 'books')
    .reverse();
  const first = reports[0];
  const last = reports.at(-1);
  const trend: FleetTrend = {
    runs: reports.map(fleetRun),
    movers:
      first && last && first !== last
        ? worstMovers(figures(first.models), figures(last.models), request.movers ?? DEFAULT_MOVERS)
        : [],
  };
  if (first && last && first !== last) trend.moversWindow = { from: first.finishedAt, to: last.finishedAt };
  return trend;
}

function fleetRun(r: HealthReport): FleetRun {
  const base = { runId: r.runId, at: r.finishedAt, trigger: r.trigger };
  if (r.counts) return { ...base, counts: r.counts };
  const counts: Partial<Record<HealthStatus, number>> = {};
  for (const m of r.models) counts[m.status] = (counts[m.status] ?? 0) + 1;
  return { ...base, counts, approximate: true };
}

const figures = (models: readonly ModelHealth[]) =>
  models.map((m) => ({ isbn: m.isbn, version: m.version, rmse: m.rmse, mape: m.mape }));
