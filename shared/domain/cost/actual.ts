/**
 * The actual bill beside the estimate: the Cloud Billing export's charges
 * per service over a window, grouped into what the estimate covers (Vertex
 * AI serving; forecast-guard's functions, Firestore and Pub/Sub) and scaled
 * to the estimate's month. Pure.
 */

export type BilledArea = 'vertex-ai' | 'functions' | 'firestore' | 'pubsub' | 'other';

/** `service.description` values as the export names them; anything else is `other`. */
const AREAS: ReadonlyArray<[RegExp, BilledArea]> = [
  [/^vertex ai\b/i, 'vertex-ai'],
  [/^cloud (run )?functions$|^cloud run$/i, 'functions'],
  [/^(cloud )?firestore$/i, 'firestore'],
  [/^cloud pub\/sub$/i, 'pubsub'],
];

export function areaOf(service: string): BilledArea {
  return AREAS.find(([re]) => re.test(service))?.[1] ?? 'other';
}

export interface ActualCost {
  table: string;
  from: string;
  to: string;
  days: number;
  currency: string;
  /** Charged in the window, per area and per service. */
  byArea: Record<BilledArea, number>;
  services: Array<{ service: string; area: BilledArea; cost: number }>;
  /** The window's charges scaled to the estimate's month (hoursPerMonth / 24 days). */
  monthly: { vertexAi: number; operations: number; total: number };
}

export function actualCost(
  table: string,
  from: Date,
  to: Date,
  rows: ReadonlyArray<{ service: string; cost: number; currency: string }>,
  hoursPerMonth: number,
): ActualCost {
  const days = (to.getTime() - from.getTime()) / 86_400_000;
  const byArea: Record<BilledArea, number> = {
    'vertex-ai': 0,
    functions: 0,
    firestore: 0,
    pubsub: 0,
    other: 0,
  };
  const services = rows.map((r) => ({ service: r.service, area: areaOf(r.service), cost: r.cost }));
  for (const s of services) byArea[s.area] += s.cost;
  const scale = days > 0 ? hoursPerMonth / 24 / days : 0;
  const total = services.reduce((a, s) => a + s.cost, 0);
  return {
    table,
    from: from.toISOString(),
    to: to.toISOString(),
    days,
    currency: rows[0]?.currency ?? '',
    byArea,
    services,
    monthly: {
      vertexAi: byArea['vertex-ai'] * scale,
      operations: (byArea.functions + byArea.firestore + byArea.pubsub) * scale,
      total: total * scale,
    },
  };
}
