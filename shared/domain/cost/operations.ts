/**
 * Forecast-guard's own running cost, from the counters the system keeps, and
 * what the health check costs at each check frequency. Pure: the usage
 * counted over a window and the region's unit prices come in.
 *
 * 2nd gen Cloud Functions bill as Cloud Run (https://cloud.google.com/functions/pricing):
 * invocations, GiB-seconds of memory and vCPU-seconds of CPU while a request
 * runs. Firestore bills document reads and writes
 * (https://cloud.google.com/firestore/pricing). Pub/Sub bills throughput,
 * at least 1000 bytes per publish or pull request
 * (https://cloud.google.com/pubsub/pricing). Free tiers are not subtracted:
 * the figure is what the usage would cost on a project that has used them up.
 */
import type { Recommendation } from './model';
import type { OperationsPrices } from './price-table';

const HOURS_PER_DAY = 24;
const TIB = 1024 ** 4;

/** One function's use in the window. */
export interface FunctionUsage {
  name: string;
  invocations: number;
  /** Seconds of execution in the window. */
  seconds: number;
  /** True when `seconds` was measured (the health reports' durations), false when invocations × an assumed time. */
  secondsMeasured: boolean;
  memoryMb: number;
  /** The vCPU a 2nd gen function of that memory gets. */
  vcpu: number;
}

/** What the counters say forecast-guard used over `windowDays`. */
export interface OperationsUsage {
  from: string;
  to: string;
  windowDays: number;
  functions: FunctionUsage[];
  firestoreReads: number;
  firestoreWrites: number;
  /** Publish and pull (or push) requests, each billed at least `minBytesPerRequest`. */
  pubsubRequests: number;
  /** Payload bytes where known; the bill counts max(size, minimum) per request. */
  pubsubPayloadBytes: number;
  /** How each counter was obtained, in plain words (what was measured, what assumed). */
  how: string[];
}

export interface OperationsLine {
  item: 'invocations' | 'memory' | 'cpu' | 'firestore-reads' | 'firestore-writes' | 'pubsub-throughput';
  /** Quantity in the window, and scaled to a month. */
  quantity: number;
  perMonth: number;
  unit: string;
  unitPrice: number;
  monthly: number;
  priceIsEstimate: boolean;
}

export interface OperationsCost {
  windowDays: number;
  /** Months are `hoursPerMonth / 24` days: the window's usage × this factor. */
  monthFactor: number;
  lines: OperationsLine[];
  monthly: number;
  functions: Array<FunctionUsage & { monthly: number }>;
}

/** Billed Pub/Sub bytes: every request at least the minimum. */
export function billedPubsubBytes(
  requests: number,
  payloadBytes: number,
  minBytesPerRequest: number,
): number {
  return Math.max(payloadBytes, requests * minBytesPerRequest);
}

function functionMonthly(f: FunctionUsage, prices: OperationsPrices, factor: number): number {
  const p = prices.functions;
  return (
    factor *
    ((f.invocations / 1e6) * p.perMillionInvocations.price +
      f.seconds * (f.memoryMb / 1024) * p.perGbSecond.price +
      f.seconds * f.vcpu * p.perVcpuSecond.price)
  );
}

/** The window's usage priced and scaled to a month. */
export function operationsCost(
  usage: OperationsUsage,
  prices: OperationsPrices,
  hoursPerMonth: number,
): OperationsCost {
  const factor = usage.windowDays > 0 ? hoursPerMonth / HOURS_PER_DAY / usage.windowDays : 0;
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const invocations = sum(usage.functions.map((f) => f.invocations));
  const gbSeconds = sum(usage.functions.map((f) => f.seconds * (f.memoryMb / 1024)));
  const vcpuSeconds = sum(usage.functions.map((f) => f.seconds * f.vcpu));
  const bytes = billedPubsubBytes(
    usage.pubsubRequests,
    usage.pubsubPayloadBytes,
    prices.pubsub.minBytesPerRequest,
  );
  const line = (
    item: OperationsLine['item'],
    quantity: number,
    per: number,
    price: OperationsPrices['functions']['perGbSecond'],
  ): OperationsLine => ({
    item,
    quantity,
    perMonth: quantity * factor,
    unit: price.unit,
    unitPrice: price.price,
    monthly: ((quantity * factor) / per) * price.price,
    priceIsEstimate: price.estimate === true,
  });
  const lines = [
    line('invocations', invocations, 1e6, prices.functions.perMillionInvocations),
    line('memory', gbSeconds, 1, prices.functions.perGbSecond),
    line('cpu', vcpuSeconds, 1, prices.functions.perVcpuSecond),
    line('firestore-reads', usage.firestoreReads, 1e5, prices.firestore.per100kReads),
    line('firestore-writes', usage.firestoreWrites, 1e5, prices.firestore.per100kWrites),
    line('pubsub-throughput', bytes, TIB, prices.pubsub.perTiB),
  ];
  return {
    windowDays: usage.windowDays,
    monthFactor: factor,
    lines,
    monthly: sum(lines.map((l) => l.monthly)),
    functions: usage.functions.map((f) => ({ ...f, monthly: functionMonthly(f, prices, factor) })),
  };
}

/** What one health-check run uses, on average over the window's runs. */
export interface CheckRunUsage {
  runs: number;
  meanSeconds: number;
  memoryMb: number;
  vcpu: number;
  firestoreReadsPerRun: number;
  firestoreWritesPerRun: number;
  /** The request that triggers it and its pull or push: 2. */
  pubsubRequestsPerRun: number;
}

export interface CheckFrequencyCost {
  perRun: number;
  /** Runs a month now (from the window) and the cost of each cadence a month. */
  runsPerMonth: number;
  hoursPerMonth: number;
  current: number;
  hourly: number;
  daily: number;
  weekly: number;
}

/** The health check's cost per run, and a month of it now, hourly, daily and weekly. */
export function checkFrequencyCost(
  run: CheckRunUsage,
  windowDays: number,
  prices: OperationsPrices,
  hoursPerMonth: number,
): CheckFrequencyCost {
  const p = prices;
  const perRun =
    p.functions.perMillionInvocations.price / 1e6 +
    run.meanSeconds * (run.memoryMb / 1024) * p.functions.perGbSecond.price +
    run.meanSeconds * run.vcpu * p.functions.perVcpuSecond.price +
    (run.firestoreReadsPerRun / 1e5) * p.firestore.per100kReads.price +
    (run.firestoreWritesPerRun / 1e5) * p.firestore.per100kWrites.price +
    ((run.pubsubRequestsPerRun * p.pubsub.minBytesPerRequest) / TIB) * p.pubsub.perTiB.price;
  const runsPerMonth = windowDays > 0 ? (run.runs * hoursPerMonth) / HOURS_PER_DAY / windowDays : 0;
  return {
    perRun,
    runsPerMonth,
    hoursPerMonth,
    current: perRun * runsPerMonth,
    hourly: perRun * hoursPerMonth,
    daily: (perRun * hoursPerMonth) / HOURS_PER_DAY,
    weekly: (perRun * hoursPerMonth) / (HOURS_PER_DAY * 7),
  };
}

/**
 * The vCPU a 2nd gen function gets for its memory when none is set
 * (https://cloud.google.com/functions/docs/configuring/memory): 0.167 up to
 * 256 MiB, 0.333 at 512 MiB, 0.583 at 1 GiB, 1 at 2 GiB, 2 at 4 GiB and above.
 */
export function defaultVcpu(memoryMb: number): number {
  if (memoryMb <= 256) return 0.167;
  if (memoryMb <= 512) return 0.333;
  if (memoryMb <= 1024) return 0.583;
  if (memoryMb <= 2048) return 1;
  return 2;
}

/**
 * The check-frequency recommendation, when the health check runs more often
 * than the weekly data cadence: accuracy and drift can only move when a new
 * week of sales lands (and a sales drop already triggers a check), so what an
 * hourly run adds is the endpoint canary. Undefined when it runs weekly or less.
 */
export function checkFrequencyRecommendation(
  f: CheckFrequencyCost,
  currency: string,
): Recommendation | undefined {
  // Weekly or less often already (with room for rounding in runsPerMonth).
  if (f.runsPerMonth <= (f.hoursPerMonth / (HOURS_PER_DAY * 7)) * 1.001) return undefined;
  const money = (n: number) => `${n.toFixed(4)} ${currency}`;
  return {
    action: 'check-frequency',
    books: [],
    monthlySaving: f.current - f.weekly,
    monthlyAfter: f.weekly,
    detail:
      `the health check costs ${f.perRun.toFixed(6)} ${currency} a run; ${Math.round(f.runsPerMonth)} runs a month now cost ${money(f.current)} ` +
      `(hourly ${money(f.hourly)}, daily ${money(f.daily)}, weekly ${money(f.weekly)}). Sales arrive weekly, so accuracy and ` +
      'drift change weekly (a sales drop already triggers a check); an hourly run mainly watches the endpoints',
  };
}
