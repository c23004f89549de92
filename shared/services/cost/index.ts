/**
 * `forecast-guard cost`: the estimated monthly cost of serving the fleet,
 * per book and in total, the idle versions, and recommendations with their
 * savings. Reads every book's serving state and last-known-good through the
 * ports; the cost model (shared/domain/cost) decides.
 */
import { COLLECTIONS } from '../../contracts/collections';
import type { LastKnownGood } from '../../contracts/documents/last-known-good';
import { estimateCost, round2, type CostEstimate, type CostSettings } from '../../domain/cost/model';
import type { PriceTable } from '../../domain/cost/price-table';
import type { Clock } from '../../ports/clock';
import type { ServingTarget } from '../../ports/serving-target';
import type { StateStore } from '../../ports/state-store';

export interface CostRequest {
  /** The time idle days are counted to; default the clock's. */
  at?: Date;
}

export interface CostPorts {
  serving: ServingTarget;
  state: StateStore;
  clock: Clock;
}

export interface CostServiceSettings extends CostSettings {
  priceTable: PriceTable;
}

/** The model's estimate with money rounded to cents, and where the prices came from. */
export interface CostReport extends CostEstimate {
  priceTable: { source: string; date: string };
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
      const lkg = await ports.state.get<LastKnownGood>(COLLECTIONS.lastKnownGood, s.isbn);
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
        lastKnownGood: lkg?.data.version ?? null,
      };
    }),
  );
  return toReport(estimateCost(books, settings.priceTable, settings, now), settings.priceTable);
}

/** Money rounded to cents for people and JSON; the model keeps full precision. */
function toReport(e: CostEstimate, table: PriceTable): CostReport {
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
      monthlySaving: round2(r.monthlySaving),
      monthlyAfter: round2(r.monthlyAfter),
    })),
    priceTable: { source: table.source, date: table.date },
  };
}
