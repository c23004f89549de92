/**
 * `forecast-guard cost`: the estimated monthly cost of serving the fleet,
 * per book and in total, the idle versions, and recommendations with their
 * savings. Reads every book's serving state and last-known-good through the
 * ports; the cost model (shared/domain/cost) decides.
 */
import { COLLECTIONS } from '../../contracts/collections';
import type { LastKnownGood } from '../../contracts/documents/last-known-good';
import type { RollbackLease } from '../../contracts/documents/rollback';
import {
  estimateCost,
  round2,
  stoppedServing,
  type CostEstimate,
  type CostSettings,
  type Recommendation,
} from '../../domain/cost/model';
import {
  checkFrequencyCost,
  checkFrequencyRecommendation,
  operationsCost,
  type CheckFrequencyCost,
  type OperationsCost,
} from '../../domain/cost/operations';
import type { PriceTable } from '../../domain/cost/price-table';
import { actualCost, type ActualCost } from '../../domain/cost/actual';
import type { BillingExport } from '../../ports/billing-export';
import { describeError } from '../../errors';
import type { Clock } from '../../ports/clock';
import type { ServingTarget } from '../../ports/serving-target';
import type { StateStore } from '../../ports/state-store';
import { historyDocId } from '../rollback/leases';
import { readUsage, type UsageSettings } from './usage';

export interface CostRequest {
  /** The time idle days are counted to; default the clock's. */
  at?: Date;
}

export interface CostPorts {
  serving: ServingTarget;
  state: StateStore;
  clock: Clock;
  /** The Cloud Billing export, when FG_BILLING_EXPORT_TABLE is set: actual cost beside the estimate. */
  billing?: BillingExport;
}

/** Days of the billing export read for the actual cost. */
export const ACTUAL_DAYS = 30;

export interface CostServiceSettings extends CostSettings {
  priceTable: PriceTable;
  usage: UsageSettings;
}

/** Forecast-guard's own cost: priced from the counters, or why not. */
export type OperationsReport =
  | (OperationsCost & { priced: true; from: string; to: string; how: string[] })
  | { priced: false; note: string };

/** The model's estimate with money rounded to cents, and where the prices came from. */
export interface CostReport extends CostEstimate {
  priceTable: { source: string; date: string };
  /** Forecast-guard's own functions, Firestore and Pub/Sub, a month, from its counters. */
  operations: OperationsReport;
  /** The health check's cost at each cadence; absent without a priced run in the window. */
  checkFrequency?: CheckFrequencyCost;
  /** Serving plus forecast-guard's own cost. */
  grandTotal: number;
  /** What the Cloud Billing export says was charged over the last 30 days, or why it could not be read; absent when not configured. */
  actual?: ActualCost | { table: string; error: string };
}

export async function estimateServingCost(
  request: CostRequest,
  ports: CostPorts,
  settings: CostServiceSettings,
): Promise<CostReport> {
  const now = request.at ?? ports.clock.now();
  const states = await ports.serving.listServing();
  const books = await Promise.all(
    states.map(async (s) => {
      const [lkg, history] = await Promise.all([
        ports.state.get<LastKnownGood>(COLLECTIONS.lastKnownGood, s.isbn),
        ports.state.get<RollbackLease>(COLLECTIONS.rollbackLeases, historyDocId(s.isbn)),
      ]);
      const served = history?.data.servingHistory ?? [];
      return {
        isbn: s.isbn,
        ...(s.endpoint ? { endpoint: s.endpoint } : {}),
        deployments: s.deployments.map((d) => ({
          version: d.version,
          trafficPercent: d.trafficPercent,
          ...(d.machineType ? { machineType: d.machineType } : {}),
          ...(d.minReplicas !== undefined ? { minReplicas: d.minReplicas } : {}),
        })),
        updatedAt: s.updatedAt,
        ...(served.length > 0 ? { stoppedServingAt: stoppedServing(served) } : {}),
        lastKnownGood: lkg?.data.version ?? null,
      };
    }),
  );
  const estimate = estimateCost(books, settings.priceTable, settings, now);
  const own = await ownCost(ports.state, now, settings);
  if (own.recommendation) {
    estimate.recommendations.push(own.recommendation);
    estimate.recommendations.sort((a, b) => b.monthlySaving - a.monthlySaving);
  }
  const report = toReport(estimate, settings.priceTable, own.operations, own.checkFrequency);
  if (ports.billing) report.actual = await readActual(ports.billing, now, settings.priceTable.hoursPerMonth);
  return report;
}

/** The last 30 days of the billing export; a failure is reported beside the estimate, which stands. */
async function readActual(
  billing: BillingExport,
  now: Date,
  hoursPerMonth: number,
): Promise<ActualCost | { table: string; error: string }> {
  const from = new Date(now.getTime() - ACTUAL_DAYS * 86_400_000);
  try {
    const rows = await billing.costByService(from, now);
    const a = actualCost(billing.table, from, now, rows, hoursPerMonth);
    return {
      ...a,
      byArea: mapValues(a.byArea, round2),
      services: a.services.map((x) => ({ ...x, cost: round2(x.cost) })),
      monthly: mapValues(a.monthly, round2),
    };
  } catch (err) {
    return { table: billing.table, error: describeError(err) };
  }
}

function mapValues<T extends Record<string, number>>(o: T, f: (n: number) => number): T {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)])) as T;
}

/** Forecast-guard's own cost from its counters, and the check-frequency advice. */
async function ownCost(
  state: StateStore,
  now: Date,
  settings: CostServiceSettings,
): Promise<{
  operations: OperationsReport;
  checkFrequency?: CheckFrequencyCost;
  recommendation?: Recommendation;
}> {
  const table = settings.priceTable;
  const prices = table.regions[settings.region]?.operations;
  if (!prices) {
    return {
      operations: {
        priced: false,
        note: `the price table has no operations prices for ${settings.region} (regions.${settings.region}.operations): forecast-guard's own cost is not estimated`,
      },
    };
  }
  const { usage, checkRun } = await readUsage(state, now, settings.usage);
  const cost = operationsCost(usage, prices, table.hoursPerMonth);
  const operations: OperationsReport = {
    ...cost,
    priced: true,
    from: usage.from,
    to: usage.to,
    how: usage.how,
  };
  if (!checkRun) return { operations };
  const checkFrequency = checkFrequencyCost(checkRun, usage.windowDays, prices, table.hoursPerMonth);
  const recommendation = checkFrequencyRecommendation(checkFrequency, table.currency);
  return { operations, checkFrequency, ...(recommendation ? { recommendation } : {}) };
}

/** Money rounded to cents for people and JSON; the model keeps full precision. */
function toReport(
  e: CostEstimate,
  table: PriceTable,
  operations: OperationsReport,
  checkFrequency: CheckFrequencyCost | undefined,
): CostReport {
  const own = operations.priced ? operations.monthly : 0;
  return {
    total: round2(e.total),
    currency: e.currency,
    region: e.region,
    hoursPerMonth: e.hoursPerMonth,
    idleTotal: round2(e.idleTotal),
    dominant: e.dominant,
    books: e.books.map((b) => ({
      ...b,
      monthly: round2(b.monthly),
      idleMonthly: round2(b.idleMonthly),
      deployments: b.deployments.map((d) => ({ ...d, monthly: round2(d.monthly) })),
    })),
    recommendations: e.recommendations.map((r) => ({
      ...r,
      // The check-frequency saving is fractions of a cent a run: cents would hide it.
      monthlySaving: r.action === 'check-frequency' ? round4(r.monthlySaving) : round2(r.monthlySaving),
      monthlyAfter: r.action === 'check-frequency' ? round4(r.monthlyAfter) : round2(r.monthlyAfter),
    })),
    priceTable: { source: table.source, date: table.date },
    // Own costs are cents: kept to 4 decimals so they do not round to nothing.
    operations: operations.priced
      ? {
          ...operations,
          monthly: round4(operations.monthly),
          lines: operations.lines.map((l) => ({ ...l, monthly: round4(l.monthly) })),
          functions: operations.functions.map((f) => ({ ...f, monthly: round4(f.monthly) })),
        }
      : operations,
    ...(checkFrequency
      ? {
          checkFrequency: {
            perRun: checkFrequency.perRun,
            runsPerMonth: round2(checkFrequency.runsPerMonth),
            hoursPerMonth: checkFrequency.hoursPerMonth,
            current: round4(checkFrequency.current),
            hourly: round4(checkFrequency.hourly),
            daily: round4(checkFrequency.daily),
            weekly: round4(checkFrequency.weekly),
          },
        }
      : {}),
    grandTotal: round2(e.total + own),
  };
}

function round4(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}
