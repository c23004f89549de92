/**
 * `forecast-guard thresholds`: rolling-origin backtests of every served book,
 * then the threshold study (shared/domain/backtest) over them.
 *
 * For each book with a production version, the model is re-trained at
 * `origins` origins, `stepWeeks` apart, the newest `liveWeeks` before the
 * book's last actual week, with the pipeline's own training (`trainModel`:
 * the registered version's ARIMA order, re-estimated at each origin; holdout
 * metrics on the 32 weeks before the origin; a forecast of the `liveWeeks`
 * after it). The fits run on the fit pool's worker threads. Each window is
 * then scored as the health check would score it, healthy and with each
 * injected degradation (same forecast, altered), which needs no refit.
 */
import type { SalesPoint, SalesSeries } from '../../contracts/model';
import {
  bandOf,
  DEFAULT_INJECTIONS,
  inject,
  meanWeeklySales,
  scoreWindow,
  studyThresholds,
  type BacktestCheckOptions,
  type BacktestWindow,
  type BookBacktest,
  type Injection,
  type ThresholdStudy,
  type WindowScore,
} from '../../domain/backtest';
import { alignLiveWeeks } from '../../domain/health/live-accuracy';
import { addWeeks } from '../../domain/series/weeks';
import { parseOrder } from '../../domain/validation/arima-sanity';
import { fitMany, type FitJob, type FitResult } from '../../forecasting/fit-pool';
import { PRODUCTION_ALIAS, type ModelRegistry } from '../../ports/model-registry';
import type { SalesData } from '../../ports/sales-data';

export interface ThresholdStudyRequest {
  /** Only these books (default every book with a production version). */
  isbns?: readonly string[];
}

export interface ThresholdStudyPorts {
  registry: Pick<ModelRegistry, 'listModels' | 'getAlias' | 'getVersion'>;
  sales: Pick<SalesData, 'getSeries'>;
  onProgress?: (done: number, total: number) => void;
}

export interface ThresholdStudySettings {
  /** Origins per book (the CLI's default 6: quarterly, so the windows take in two Christmases). */
  origins: number;
  /** Weeks between origins (default 13, a quarter, so the windows do not overlap). */
  stepWeeks: number;
  /** How the health check judges live weeks (max 12, from 2, 95 % lower bounds). */
  checks: BacktestCheckOptions;
  injections?: readonly Injection[];
  /** Fits at once (default the fit pool's: every core). */
  concurrency?: number;
  /** Monotonic milliseconds for the timings; default performance.now. */
  now?: () => number;
}

/** One healthy window's point figures, for the report's histograms (not printed with --json). */
export interface WindowRow {
  isbn: string;
  band: string;
  rmse: number;
  mape: number | null;
  degradationPct: number | null;
}

export interface ThresholdStudyResult extends ThresholdStudy {
  windows: WindowRow[];
  settings: Omit<ThresholdStudySettings, 'now' | 'injections'> & { scheme: string };
  backtest: {
    books: number;
    fits: number;
    failedFits: number;
    /** The first failures, for a reader who wonders why a book has fewer windows. */
    failures: Array<{ isbn: string; origin: string; error: string }>;
    skippedBooks: Array<{ isbn: string; reason: string }>;
    fitMs: number;
    totalMs: number;
  };
}

interface Subject {
  isbn: string;
  points: readonly SalesPoint[];
  job: Pick<FitJob['options'], 'order' | 'seasonalOrder'>;
}

export const SCHEME =
  "re-trained at every origin with the pipeline's training (trainModel) and the registered version's order, on the fit pool";

async function subjects(
  request: ThresholdStudyRequest,
  ports: ThresholdStudyPorts,
  skipped: ThresholdStudyResult['backtest']['skippedBooks'],
): Promise<Subject[]> {
  const isbns = request.isbns ?? (await ports.registry.listModels());
  const out: Subject[] = [];
  for (const isbn of isbns) {
    const serving = await ports.registry.getAlias(isbn, PRODUCTION_ALIAS);
    const version = serving ? await ports.registry.getVersion(isbn, serving) : undefined;
    if (!version) {
      skipped.push({ isbn, reason: 'no production version' });
      continue;
    }
    const series: SalesSeries | undefined = await ports.sales.getSeries(isbn);
    if (!series || series.points.length === 0) {
      skipped.push({ isbn, reason: 'no sales rows' });
      continue;
    }
    const order = parseOrder(version.params);
    const job = order
      ? {
          order: { p: order.p, d: order.d, q: order.q },
          ...(order.seasonal ? { seasonalOrder: order.seasonal } : {}),
        }
      : {};
    out.push({ isbn, points: series.points, job });
  }
  return out;
}

/** The origins of one book, oldest first: the newest leaves `liveWeeks` of actuals after it. */
export function originsOf(points: readonly SalesPoint[], settings: ThresholdStudySettings): string[] {
  const last = points[points.length - 1];
  if (!last) return [];
  const newest = addWeeks(last.weekEnding, -settings.checks.maxLiveWeeks);
  return Array.from({ length: settings.origins }, (_, i) =>
    addWeeks(newest, -(settings.origins - 1 - i) * settings.stepWeeks),
  );
}

interface PlannedFit {
  subject: Subject;
  origin: string;
  job: FitJob;
}

function planFits(list: readonly Subject[], settings: ThresholdStudySettings): PlannedFit[] {
  return list.flatMap((subject) =>
    originsOf(subject.points, settings).map((origin) => ({
      subject,
      origin,
      job: {
        // Only the training window crosses to the worker: trainModel ignores later weeks anyway.
        series: subject.points.filter((p) => p.weekEnding <= origin),
        options: {
          isbn: subject.isbn,
          cutoff: origin,
          horizon: settings.checks.maxLiveWeeks,
          ...subject.job,
        },
      },
    })),
  );
}

/** The window a fit stands for: its forecast against the actuals of the weeks after the origin. */
function windowOf(
  plan: PlannedFit,
  result: Extract<FitResult, { ok: true }>,
  maxWeeks: number,
): BacktestWindow {
  const { model } = result;
  const weeks = model.forecast.mean.map((_, i) => addWeeks(plan.origin, i + 1));
  return {
    isbn: plan.subject.isbn,
    origin: plan.origin,
    live: alignLiveWeeks(weeks, model.forecast.mean, plan.subject.points, maxWeeks),
    training: plan.subject.points.filter((p) => p.weekEnding <= plan.origin).map((p) => p.volume),
    baseline: model.metrics,
  };
}

function scoreBooks(
  list: readonly Subject[],
  plans: readonly PlannedFit[],
  results: readonly FitResult[],
  settings: ThresholdStudySettings,
  injections: readonly Injection[],
): BookBacktest[] {
  const books = new Map<string, BookBacktest>(
    list.map((s) => [
      s.isbn,
      { isbn: s.isbn, meanWeeklySales: meanWeeklySales(s.points), healthy: [], injected: {} },
    ]),
  );
  results.forEach((result, i) => {
    const plan = plans[i];
    const book = plan ? books.get(plan.subject.isbn) : undefined;
    if (!plan || !book || !result.ok) return;
    const window = windowOf(plan, result, settings.checks.maxLiveWeeks);
    const healthy = scoreWindow(window, settings.checks);
    if (!healthy) return;
    book.healthy.push(healthy);
    for (const injection of injections) {
      const score = scoreWindow(inject(window, injection), settings.checks) as WindowScore;
      (book.injected[injection.id] ??= []).push(score);
    }
  });
  return [...books.values()].filter((b) => b.healthy.length > 0);
}

/** Runs the backtests and the study. */
export async function runThresholdStudy(
  request: ThresholdStudyRequest,
  ports: ThresholdStudyPorts,
  settings: ThresholdStudySettings,
): Promise<ThresholdStudyResult> {
  const now = settings.now ?? (() => performance.now());
  const started = now();
  const injections = settings.injections ?? DEFAULT_INJECTIONS;
  const skippedBooks: ThresholdStudyResult['backtest']['skippedBooks'] = [];
  const list = await subjects(request, ports, skippedBooks);
  const plans = planFits(list, settings);
  const fitStarted = now();
  const results = await fitMany(
    plans.map((p) => p.job),
    {
      ...(settings.concurrency !== undefined ? { concurrency: settings.concurrency } : {}),
      onProgress: (p) => ports.onProgress?.(p.done, p.total),
    },
  );
  const fitMs = now() - fitStarted;
  const books = scoreBooks(list, plans, results, settings, injections);
  const failures = results.flatMap((r, i) => {
    const plan = plans[i];
    return r.ok || !plan
      ? []
      : [{ isbn: plan.subject.isbn, origin: plan.origin, error: `${r.error.name}: ${r.error.message}` }];
  });
  const study = studyThresholds(books, injections);
  const windows = books.flatMap((b) => {
    const band = bandOf(b.meanWeeklySales).id;
    return b.healthy.map((w) => ({
      isbn: b.isbn,
      band,
      rmse: w.rmse,
      mape: w.mape,
      degradationPct: w.degradationPct,
    }));
  });
  const { now: _now, injections: _inj, ...kept } = settings;
  return {
    ...study,
    windows,
    settings: { ...kept, scheme: SCHEME },
    backtest: {
      books: books.length,
      fits: results.length,
      failedFits: failures.length,
      failures: failures.slice(0, 20),
      skippedBooks,
      fitMs: Math.round(fitMs),
      totalMs: Math.round(now() - started),
    },
  };
}
