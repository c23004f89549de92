/**
 * Two versions of one book side by side: each one's forecast for the same
 * recent weeks beside the actual sales (asked of the serving target with
 * `{version}`, as any client would), its registry holdout figures, its
 * figures on those shared weeks, and what the health checks measured while
 * it served (its MetricPoints). By default the serving version against the
 * last-known-good one, or, when those are the same, the version that served
 * before it. Read-only.
 */
import { COLLECTIONS } from '../../contracts/collections';
import type { LastKnownGood } from '../../contracts/documents/last-known-good';
import type { MetricPoint } from '../../contracts/documents/metric-point';
import { MAX_FORECAST_STEPS, type ModelVersion, type SalesPoint } from '../../contracts/model';
import { meanError } from '../../domain/health/live-accuracy';
import { parseIsbn13 } from '../../domain/isbn';
import { mape, rmse } from '../../domain/series/metrics';
import { weeksBetween } from '../../domain/series/weeks';
import { compareVersions as byVersionOrder } from '../../domain/traffic';
import { describeError, NotFoundError, ValidationError } from '../../errors';
import { readPoints } from './book-trend';
import type { HistoryPorts } from './ports';

/** Recent actual weeks compared. */
export const COMPARED_WEEKS = 26;

export interface VersionSide {
  version: string;
  /** Why it was picked: serving, last-known-good, previous, or asked for. */
  role: string;
  trainedThrough?: string;
  createdAt?: string;
  holdout?: { rmse: number; mape: number };
  /** Its forecast for `weeks` (null where it has none: trained later, or not answered). */
  forecast: Array<number | null>;
  /** Why there is no forecast, when there is none. */
  forecastNote?: string;
  /** On the weeks both versions forecast and that sold: RMSE, MAPE %, bias (forecast − actual). */
  sharedWeeks?: { weeks: number; rmse: number; mape: number | null; bias: number };
  /** From the health checks that scored it. */
  live: {
    points: number;
    latest?: Pick<MetricPoint, 'at' | 'status' | 'rmse' | 'mape' | 'bias' | 'psi'>;
    meanRmse?: number;
    meanMape?: number;
  };
}

export interface VersionComparison {
  isbn: string;
  /** Every registered version, oldest first (what may be compared). */
  registered: string[];
  weeks: string[];
  actual: Array<number | null>;
  sides: [VersionSide, VersionSide];
}

/** Compares `a` and `b` (defaults in the file comment); NotFoundError when the book has one version only. */
export async function compareBookVersions(
  request: { isbn: string; a?: string; b?: string },
  ports: HistoryPorts,
): Promise<VersionComparison> {
  const isbn = parseIsbn13(request.isbn);
  const [serving, lkg, versions, points, series] = await Promise.all([
    ports.serving.getServing(isbn),
    ports.state.get<LastKnownGood>(COLLECTIONS.lastKnownGood, isbn),
    ports.registry.listVersions(isbn),
    readPoints(ports, isbn),
    ports.sales.getSeries(isbn),
  ]);
  const picked = pickVersions(request, {
    serving: topVersion(serving?.deployments ?? []),
    lastKnownGood: lkg?.data.version,
    points,
    registered: versions.map((v) => v.version),
  });
  const actualPoints: SalesPoint[] = (series?.points ?? []).slice(-COMPARED_WEEKS);
  const weeks = actualPoints.map((p) => p.weekEnding);
  const actual = actualPoints.map((p) => p.volume);
  const meta = new Map(versions.map((v) => [v.version, v]));
  const sides = (await Promise.all(
    picked.map((p) => side(isbn, p, meta.get(p.version), weeks, points, ports)),
  )) as [VersionSide, VersionSide];
  addSharedWeeks(sides, actual);
  const registered = versions.map((v) => v.version).sort(byVersionOrder);
  return { isbn, registered, weeks, actual, sides };
}

function topVersion(deployments: ReadonlyArray<{ version: string; trafficPercent: number }>) {
  const live = deployments.filter((d) => d.trafficPercent > 0);
  live.sort((x, y) => y.trafficPercent - x.trafficPercent || byVersionOrder(y.version, x.version));
  return live[0]?.version;
}

/** The two versions to compare, with why each was picked. */
export function pickVersions(
  request: { a?: string; b?: string },
  known: { serving?: string; lastKnownGood?: string; points: readonly MetricPoint[]; registered: string[] },
): [{ version: string; role: string }, { version: string; role: string }] {
  for (const [field, v] of [
    ['a', request.a],
    ['b', request.b],
  ] as const) {
    if (v !== undefined && !known.registered.includes(v))
      throw new ValidationError(`${field}: version "${v}" is not registered for this book`, [field]);
  }
  const newestFirst = [...known.registered].sort((x, y) => byVersionOrder(y, x));
  const a = request.a ?? known.serving ?? newestFirst[0];
  if (a === undefined) throw new NotFoundError('no version is registered for this book');
  const first = { version: a, role: request.a ? 'asked for' : known.serving ? 'serving' : 'newest' };
  if (request.b !== undefined) return [first, { version: request.b, role: 'asked for' }];
  if (known.lastKnownGood !== undefined && known.lastKnownGood !== a)
    return [first, { version: known.lastKnownGood, role: 'last known good' }];
  const scoredBefore = [...known.points].reverse().find((p) => p.version !== a)?.version;
  if (scoredBefore !== undefined) return [first, { version: scoredBefore, role: 'served before' }];
  const older = newestFirst.find((v) => byVersionOrder(v, a) < 0) ?? newestFirst.find((v) => v !== a);
  if (older === undefined)
    throw new NotFoundError(`only version ${a} is registered: nothing to compare it with`);
  return [first, { version: older, role: 'previous' }];
}

async function side(
  isbn: string,
  pick: { version: string; role: string },
  meta: ModelVersion | undefined,
  weeks: readonly string[],
  points: readonly MetricPoint[],
  ports: HistoryPorts,
): Promise<VersionSide> {
  const own = points.filter((p) => p.version === pick.version);
  const latest = own.at(-1);
  const mean = (xs: number[]) => (xs.length ? round3(xs.reduce((s, x) => s + x, 0) / xs.length) : undefined);
  const meanRmse = mean(own.flatMap((p) => (p.rmse === undefined ? [] : [p.rmse])));
  const meanMape = mean(own.flatMap((p) => (p.mape === undefined ? [] : [p.mape])));
  const out: VersionSide = {
    ...pick,
    forecast: weeks.map(() => null),
    live: {
      points: own.length,
      ...(latest ? { latest: pickDefined(latest, ['at', 'status', 'rmse', 'mape', 'bias', 'psi']) } : {}),
      ...(meanRmse === undefined ? {} : { meanRmse }),
      ...(meanMape === undefined ? {} : { meanMape }),
    },
  };
  if (!meta) {
    out.forecastNote = 'not in the registry';
    return out;
  }
  out.trainedThrough = meta.trainedThrough;
  out.createdAt = meta.createdAt;
  out.holdout = { rmse: meta.metrics.rmse, mape: meta.metrics.mape };
  const last = weeks.at(-1);
  if (last === undefined || last <= meta.trainedThrough) {
    out.forecastNote = `trained through ${meta.trainedThrough}: no recent week to forecast`;
    return out;
  }
  const steps = Math.min(MAX_FORECAST_STEPS, Math.max(1, weeksBetween(meta.trainedThrough, last)));
  try {
    const res = await ports.serving.predict(isbn, [{ steps }], { version: pick.version });
    const p = res.predictions[0];
    const byWeek = new Map((p?.weeks ?? []).map((w, i) => [w, p?.forecast[i] ?? null]));
    out.forecast = weeks.map((w) => byWeek.get(w) ?? null);
  } catch (err) {
    // Undeployed (a rollback may remove it) or broken: the figures still compare.
    out.forecastNote = `no forecast from the endpoint: ${describeError(err)}`;
  }
  return out;
}

/** Each side's RMSE, MAPE and bias on the weeks both forecast (so the figures are like for like). */
function addSharedWeeks(sides: [VersionSide, VersionSide], actual: ReadonlyArray<number | null>): void {
  const [a, b] = sides;
  const idx = actual.flatMap((v, i) =>
    v !== null && a.forecast[i] != null && b.forecast[i] != null ? [i] : [],
  );
  if (idx.length === 0) return;
  const act = idx.map((i) => actual[i] as number);
  for (const s of sides) {
    const pred = idx.map((i) => s.forecast[i] as number);
    s.sharedWeeks = {
      weeks: idx.length,
      rmse: round3(rmse(act, pred)),
      mape: nullable(mape(act, pred).percent),
      bias: round3(meanError(act, pred)),
    };
  }
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
const nullable = (n: number | undefined) => (n === undefined ? null : round3(n));

function pickDefined<T extends object, K extends keyof T>(obj: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}
