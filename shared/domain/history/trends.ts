/**
 * The decisions behind the history views, pure: where a book's version
 * changed in its series, which relative threshold applies to each point
 * (each version has its own baseline), and which books moved most between
 * two runs.
 */
import type { MetricPoint } from '../../contracts/documents/metric-point';
import type { Thresholds } from '../thresholds';

/** A version change seen in the series itself: the first point scored on `to`. */
export interface VersionChange {
  at: string;
  from: string;
  to: string;
}

/** The points where the scored version differs from the point before (points oldest first). */
export function versionChanges(points: ReadonlyArray<Pick<MetricPoint, 'at' | 'version'>>): VersionChange[] {
  const out: VersionChange[] = [];
  for (let i = 1; i < points.length; i++) {
    const before = points[i - 1];
    const now = points[i];
    if (before && now && before.version !== now.version)
      out.push({ at: now.at, from: before.version, to: now.version });
  }
  return out;
}

/** A version's holdout figures, the baseline the relative rules compare with. */
export interface Baseline {
  rmse: number;
  mape: number;
}

/**
 * The limits a point was up against, as lines to draw: the absolute ones
 * (`rmseMax`, `mapeMax`) and the baseline-relative ones for its version
 * (RMSE spike and MAPE increase over the holdout figures). The health check
 * itself compares confidence bounds with a level-adjusted baseline
 * (live-accuracy.ts); these lines are the rules as the thresholds state them.
 */
export interface LimitLines {
  rmseMax: number | null;
  mapeMax: number | null;
  rmseSpike: number | null;
  mapeIncrease: number | null;
}

export function limitLines(thresholds: Readonly<Thresholds>, baseline: Baseline | undefined): LimitLines {
  const over = (base: number | undefined, pct: number | null) =>
    base === undefined || pct === null ? null : Math.round(base * (1 + pct / 100) * 1000) / 1000;
  return {
    rmseMax: thresholds.rmseMax,
    mapeMax: thresholds.mapeMax,
    rmseSpike: over(baseline?.rmse, thresholds.rmseSpikePct),
    mapeIncrease: over(baseline?.mape, thresholds.mapeIncreasePct),
  };
}

/** One book's figures in a run, as a report keeps them. */
export interface BookFigures {
  isbn: string;
  version: string;
  rmse: number;
  mape: number;
}

export interface Mover {
  isbn: string;
  fromVersion: string;
  toVersion: string;
  mapeBefore: number;
  mapeAfter: number;
  /** Percentage points. */
  mapeRise: number;
  rmseBefore: number;
  rmseAfter: number;
  rmseRise: number;
  /** RMSE's rise relative to where it stood (RMSE is in copies, so books differ in scale). */
  rmseRisePct: number | null;
}

/**
 * The books whose figures rose most from `before` to `after` (books in both),
 * largest MAPE rise first, then largest relative RMSE rise; only rises.
 */
export function worstMovers(
  before: readonly BookFigures[],
  after: readonly BookFigures[],
  limit: number,
): Mover[] {
  const then = new Map(before.map((b) => [b.isbn, b]));
  const movers: Mover[] = [];
  for (const now of after) {
    const was = then.get(now.isbn);
    if (!was) continue;
    const mapeRise = round3(now.mape - was.mape);
    const rmseRise = round3(now.rmse - was.rmse);
    if (mapeRise <= 0 && rmseRise <= 0) continue;
    movers.push({
      isbn: now.isbn,
      fromVersion: was.version,
      toVersion: now.version,
      mapeBefore: was.mape,
      mapeAfter: now.mape,
      mapeRise,
      rmseBefore: was.rmse,
      rmseAfter: now.rmse,
      rmseRise,
      rmseRisePct: was.rmse > 0 ? round3((100 * rmseRise) / was.rmse) : null,
    });
  }
  movers.sort(
    (a, b) =>
      b.mapeRise - a.mapeRise ||
      (b.rmseRisePct ?? Infinity) - (a.rmseRisePct ?? Infinity) ||
      a.isbn.localeCompare(b.isbn),
  );
  return movers.slice(0, limit);
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
