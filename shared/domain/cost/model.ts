/**
 * The serving cost model: what each book's endpoint costs a month, which
 * deployed versions sit idle, and what the operator could save. Pure: the
 * serving state, the price table, the settings and the time come in.
 *
 * Monthly cost of one deployed version = replicas × price per node hour ×
 * hours per month (730). On Vertex AI every deployed model bills its own
 * replicas whether or not it takes traffic, and online deployments keep at
 * least one replica: scale-to-zero is not available for Vertex AI Prediction
 * (https://cloud.google.com/vertex-ai/pricing, "Legacy AI Platform Prediction
 * supported scale-to-zero, which isn't supported for Vertex AI Prediction").
 */
import { priceOf, type PriceTable } from './price-table';

const DAY_MS = 24 * 60 * 60 * 1000;
const WEEKS_PER_MONTH = 730 / 168;

export interface CostDeployment {
  version: string;
  trafficPercent: number;
  /** Known on Vertex (DedicatedResources); absent on the embedded backend: the default then applies. */
  machineType?: string;
  minReplicas?: number;
}

export interface CostBook {
  isbn: string;
  endpoint?: string;
  deployments: CostDeployment[];
  /** Last traffic change on the endpoint: a version at 0 % now has been at 0 % at least since then. */
  updatedAt: string;
  /** When each version last stopped taking traffic, from the book's serving history (see `stoppedServing`). */
  stoppedServingAt?: Record<string, string>;
  lastKnownGood: string | null;
}

export interface CostSettings {
  region: string;
  /** What the publisher deploys with when the serving target does not say (n1-standard-2, 1 replica, always on). */
  defaultMachineType: string;
  defaultMinReplicas: number;
  /** A version at 0 % traffic for more than this many days is idle. */
  idleAfterDays: number;
  /** The cheaper machine type to suggest. */
  smallerMachineType: string;
  /** How many books' models one replica of a shared (co-hosted) deployment can hold; an assumption to check by load test. */
  booksPerSharedReplica: number;
  /** Node hours one weekly batch prediction job takes for one book, and for the whole fleet in one job. */
  batchNodeHoursPerBookJob: number;
  batchNodeHoursPerFleetJob: number;
}

export interface DeploymentCost {
  version: string;
  trafficPercent: number;
  machineType: string;
  replicas: number;
  pricePerNodeHour: number;
  monthly: number;
  idle: boolean;
  /** Whole days at 0 % traffic, counted from `idleSince`. */
  idleDays?: number;
  idleSince?: string;
  /**
   * Where `idleSince` comes from: the serving history (the deploy or rollback
   * that moved traffic off this version), or, when the history does not name
   * the version, the endpoint's last traffic change (a lower bound).
   */
  idleSinceFrom?: 'serving-history' | 'endpoint-updated';
}

export interface BookCost {
  isbn: string;
  endpoint?: string;
  monthly: number;
  idleMonthly: number;
  deployments: DeploymentCost[];
}

export type CostAction =
  | 'undeploy-idle-versions'
  | 'reduce-min-replicas'
  | 'smaller-machine-type'
  | 'shared-endpoint'
  | 'batch-prediction-per-book'
  | 'batch-prediction-fleet'
  | 'check-frequency';

export interface Recommendation {
  action: CostAction;
  books: string[];
  monthlySaving: number;
  /** What it costs a month after the change, for the books concerned. */
  monthlyAfter: number;
  detail: string;
}

export interface CostEstimate {
  currency: string;
  hoursPerMonth: number;
  region: string;
  total: number;
  idleTotal: number;
  books: BookCost[];
  /** The largest cost in plain words. */
  dominant: string;
  recommendations: Recommendation[];
}

function servingVersion(deployments: CostDeployment[]): string | undefined {
  let best: CostDeployment | undefined;
  for (const d of deployments)
    if (d.trafficPercent > 0 && (!best || d.trafficPercent > best.trafficPercent)) best = d;
  return best?.version;
}

/** The version that served before the current one: the highest deployed version below it. */
function previousVersion(deployments: CostDeployment[], serving: string | undefined): string | undefined {
  if (serving === undefined) return undefined;
  const below = deployments.map((d) => Number(d.version)).filter((v) => v < Number(serving));
  return below.length > 0 ? String(Math.max(...below)) : undefined;
}

export function bookCost(book: CostBook, table: PriceTable, settings: CostSettings, now: Date): BookCost {
  const hours = table.hoursPerMonth;
  const serving = servingVersion(book.deployments);
  const previous = previousVersion(book.deployments, serving);
  const deployments = book.deployments.map((d): DeploymentCost => {
    const machineType = d.machineType ?? settings.defaultMachineType;
    const replicas = Math.max(1, d.minReplicas ?? settings.defaultMinReplicas);
    const price = priceOf(table, settings.region, 'online', machineType);
    const protectedVersion =
      d.version === book.lastKnownGood || d.version === previous || d.version === serving;
    const stopped = book.stoppedServingAt?.[d.version];
    const idleSince = d.trafficPercent === 0 ? (stopped ?? book.updatedAt) : undefined;
    const idleDays =
      idleSince !== undefined ? Math.floor((now.getTime() - Date.parse(idleSince)) / DAY_MS) : undefined;
    const idle = !protectedVersion && idleDays !== undefined && idleDays > settings.idleAfterDays;
    return {
      version: d.version,
      trafficPercent: d.trafficPercent,
      machineType,
      replicas,
      pricePerNodeHour: price,
      monthly: replicas * price * hours,
      idle,
      ...(idleDays !== undefined && idleSince !== undefined
        ? { idleDays, idleSince, idleSinceFrom: stopped ? 'serving-history' : 'endpoint-updated' }
        : {}),
    };
  });
  return {
    isbn: book.isbn,
    ...(book.endpoint ? { endpoint: book.endpoint } : {}),
    monthly: sum(deployments.map((d) => d.monthly)),
    idleMonthly: sum(deployments.filter((d) => d.idle).map((d) => d.monthly)),
    deployments,
  };
}

/** What the recommendations are computed over. */
interface Fleet {
  costs: BookCost[];
  total: number;
  idleTotal: number;
  /** The deployments that stay when idle versions go. */
  kept: Array<{ isbn: string; d: DeploymentCost }>;
  withEndpoint: string[];
}

export function estimateCost(
  books: CostBook[],
  table: PriceTable,
  settings: CostSettings,
  now: Date,
): CostEstimate {
  const costs = books
    .map((b) => bookCost(b, table, settings, now))
    .sort((a, b) => a.isbn.localeCompare(b.isbn));
  const fleet: Fleet = {
    costs,
    total: sum(costs.map((b) => b.monthly)),
    idleTotal: sum(costs.map((b) => b.idleMonthly)),
    kept: costs.flatMap((b) => b.deployments.filter((d) => !d.idle).map((d) => ({ isbn: b.isbn, d }))),
    withEndpoint: costs.filter((b) => b.deployments.length > 0).map((b) => b.isbn),
  };
  const recommendations = [
    ...idleAndReplicaRecommendations(fleet, table, settings),
    ...sharedEndpointRecommendation(fleet, table, settings),
    ...batchRecommendations(fleet, table, settings),
  ].sort((a, b) => b.monthlySaving - a.monthlySaving);
  const alwaysOn = sum(fleet.kept.map(({ d }) => d.monthly));
  return {
    currency: table.currency,
    hoursPerMonth: table.hoursPerMonth,
    region: settings.region,
    total: fleet.total,
    idleTotal: fleet.idleTotal,
    books: costs,
    dominant: dominantCost(
      fleet.total,
      alwaysOn,
      fleet.idleTotal,
      fleet.withEndpoint.length,
      recommendations,
      table.currency,
    ),
    recommendations,
  };
}

/** Undeploy idle versions, lower min replicas, a smaller machine type. */
function idleAndReplicaRecommendations(
  { costs, idleTotal, kept }: Fleet,
  table: PriceTable,
  settings: CostSettings,
): Recommendation[] {
  const hours = table.hoursPerMonth;
  const out: Recommendation[] = [];
  const idleBooks = costs.filter((b) => b.idleMonthly > 0);
  if (idleBooks.length > 0) {
    const n = sum(idleBooks.map((b) => b.deployments.filter((d) => d.idle).length));
    out.push({
      action: 'undeploy-idle-versions',
      books: idleBooks.map((b) => b.isbn),
      monthlySaving: idleTotal,
      monthlyAfter: 0,
      detail: `${n} version(s) at 0 % traffic for more than ${settings.idleAfterDays} days (not last-known-good, not the previous version) still bill their replicas`,
    });
  }
  const extra = kept.filter(({ d }) => d.replicas > 1);
  if (extra.length > 0) {
    out.push({
      action: 'reduce-min-replicas',
      books: unique(extra.map((e) => e.isbn)),
      monthlySaving: sum(extra.map(({ d }) => (d.replicas - 1) * d.pricePerNodeHour * hours)),
      monthlyAfter: sum(extra.map(({ d }) => d.pricePerNodeHour * hours)),
      detail:
        'min replicas above 1 for a forecast asked once a week; Vertex online endpoints need at least 1 replica (no scale-to-zero), so 1 is the floor',
    });
  }
  const smaller = priceOf(table, settings.region, 'online', settings.smallerMachineType);
  const downsizable = kept.filter(({ d }) => d.pricePerNodeHour > smaller);
  if (downsizable.length > 0) {
    const after = sum(downsizable.map(({ d }) => d.replicas * smaller * hours));
    out.push({
      action: 'smaller-machine-type',
      books: unique(downsizable.map((e) => e.isbn)),
      monthlySaving: sum(downsizable.map(({ d }) => d.monthly)) - after,
      monthlyAfter: after,
      detail: `serve on ${settings.smallerMachineType} (${smaller} ${table.currency}/node hour) instead; check latency and memory with a load test first`,
    });
  }
  return out;
}

/** One endpoint whose models share one deployment resource pool. */
function sharedEndpointRecommendation(
  { kept, withEndpoint }: Fleet,
  table: PriceTable,
  settings: CostSettings,
): Recommendation[] {
  if (withEndpoint.length <= 1) return [];
  const keptTotal = sum(kept.map(({ d }) => d.monthly));
  const replicas = Math.ceil(withEndpoint.length / settings.booksPerSharedReplica);
  const price = priceOf(table, settings.region, 'online', settings.defaultMachineType);
  const after = replicas * price * table.hoursPerMonth;
  if (after >= keptTotal) return [];
  return [
    {
      action: 'shared-endpoint',
      books: withEndpoint,
      monthlySaving: keptTotal - after,
      monthlyAfter: after,
      detail:
        `one endpoint whose models share one deployment resource pool: ${replicas} replica(s) of ${settings.defaultMachineType} ` +
        `for ${withEndpoint.length} books at ${settings.booksPerSharedReplica} books per replica (an assumption: size it by load test). ` +
        'Separate deployed models on one endpoint would each still bill their own replicas',
    },
  ];
}

/** Weekly batch prediction, per book or for the fleet in one job, instead of always-on endpoints. */
function batchRecommendations(
  { total, withEndpoint }: Fleet,
  table: PriceTable,
  settings: CostSettings,
): Recommendation[] {
  if (withEndpoint.length === 0) return [];
  const batchPrice = priceOf(table, settings.region, 'batch', settings.defaultMachineType);
  const perBook = withEndpoint.length * settings.batchNodeHoursPerBookJob * batchPrice * WEEKS_PER_MONTH;
  const fleet = settings.batchNodeHoursPerFleetJob * batchPrice * WEEKS_PER_MONTH;
  const batch = (action: CostAction, after: number, what: string): Recommendation => ({
    action,
    books: withEndpoint,
    monthlySaving: total - after,
    monthlyAfter: after,
    detail: `${what} at ${batchPrice} ${table.currency}/node hour, ${WEEKS_PER_MONTH.toFixed(2)} weeks a month, and undeploy every endpoint: the forecast is asked once a week`,
  });
  const out: Recommendation[] = [];
  if (perBook < total)
    out.push(
      batch(
        'batch-prediction-per-book',
        perBook,
        `one weekly batch job per book (${settings.batchNodeHoursPerBookJob} node hours each, an assumption: measure a real job)`,
      ),
    );
  if (fleet < total)
    out.push(
      batch(
        'batch-prediction-fleet',
        fleet,
        `one weekly batch job for the whole fleet (${settings.batchNodeHoursPerFleetJob} node hours, an assumption: measure a real job)`,
      ),
    );
  return out;
}

/**
 * The largest cost in plain words, with where the floor is and the cheapest
 * alternative, so the publisher's layout (one always-on replica per book for
 * a weekly forecast) reads as what it is.
 */
function dominantCost(
  total: number,
  alwaysOn: number,
  idleTotal: number,
  endpoints: number,
  recommendations: Recommendation[],
  currency: string,
): string {
  if (total === 0) return 'nothing is deployed';
  const parts = [
    `always-on online replicas: ${endpoints} endpoint(s) bill ${round2(total)} ${currency} a month ` +
      `(${round2(alwaysOn)} serving and protected versions, ${round2(idleTotal)} idle) for a forecast asked once a week`,
  ];
  if (!recommendations.some((r) => r.action === 'reduce-min-replicas'))
    parts.push('min replicas are already 1, the floor (Vertex AI online prediction has no scale-to-zero)');
  const best = recommendations[0];
  if (best)
    parts.push(
      `cheapest alternative: ${best.action}, ${round2(best.monthlyAfter)} ${currency} a month (saves ${round2(best.monthlySaving)})`,
    );
  return parts.join('; ');
}

/**
 * When each version last stopped taking traffic, from a book's serving
 * history (oldest first: each entry is the version that started serving
 * then): a version stopped when the next entry named another one.
 */
export function stoppedServing(
  history: ReadonlyArray<{ version: string; at: string }>,
): Record<string, string> {
  const stopped: Record<string, string> = {};
  for (let i = 1; i < history.length; i++) {
    const before = history[i - 1]!;
    const entry = history[i]!;
    if (entry.version !== before.version) stopped[before.version] = entry.at;
  }
  return stopped;
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
