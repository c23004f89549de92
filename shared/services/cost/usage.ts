/**
 * Forecast-guard's own usage over a recent window, from what it already
 * keeps in the StateStore (so it reads the same on Firestore and on the
 * embedded backend):
 * - every message a function handled leaves a processed-messages record
 *   (idempotency; kept 8 days): invocations per function, one Firestore
 *   read and one write each, and a publish plus a delivery on Pub/Sub;
 * - every health-check run leaves a health report with its duration and the
 *   books it checked: the health check's measured seconds;
 * - the documents written in the window (reports, metric points,
 *   validations, rollbacks, alert states): Firestore writes, a lower bound
 *   (a document updated twice counts once).
 * What is not counted is assumed, and `how` says so.
 */
import { COLLECTIONS } from '../../contracts/collections';
import type { HealthReport } from '../../contracts/documents/health-report';
import type { ProcessedMessage } from '../../contracts/documents/processed-message';
import type { CheckRunUsage, FunctionUsage, OperationsUsage } from '../../domain/cost/operations';
import { defaultVcpu } from '../../domain/cost/operations';
import type { StateStore } from '../../ports/state-store';
import { FUNCTIONS } from '../../topology';

const DAY_MS = 86_400_000;
/** Enough for hourly checks and their alerts over a week many times over; a cap so a flood cannot stall the report. */
const MAX_DOCS = 100_000;

export interface UsageSettings {
  /** Days of counters to read; processed-messages records live 8 days, so at most 7 full days. */
  windowDays: number;
  /** Seconds a function other than the health check runs per message (not recorded: assumed). */
  assumedSecondsPerInvocation: number;
  /** Firestore reads the health check makes per book beyond the idempotency read (assumed). */
  assumedReadsPerBookChecked: number;
}

export interface UsageReading {
  usage: OperationsUsage;
  /** The average health-check run; absent when no run falls in the window. */
  checkRun?: CheckRunUsage;
}

/** Documents of `collection` whose `field` is at or after `from`. */
async function since<T extends object>(state: StateStore, collection: string, field: string, from: string) {
  const docs = await state.query<T & Record<string, unknown>>(collection, {
    where: [{ field, op: '>=', value: from }],
    limit: MAX_DOCS,
  });
  return docs.map((d) => d.data as T);
}

function memoryOf(name: string): number {
  return FUNCTIONS.find((f) => f.name === name)?.memoryMb ?? 256;
}

/** Reads the counters for the `windowDays` up to `now`. */
export async function readUsage(
  state: StateStore,
  now: Date,
  settings: UsageSettings,
): Promise<UsageReading> {
  const from = new Date(now.getTime() - settings.windowDays * DAY_MS).toISOString();
  const [processed, reports, written] = await Promise.all([
    since<ProcessedMessage>(state, COLLECTIONS.processedMessages, 'processedAt', from),
    since<HealthReport>(state, COLLECTIONS.healthReports, 'startedAt', from),
    documentsWritten(state, from),
  ]);
  const perConsumer = new Map<string, number>();
  for (const p of processed) perConsumer.set(p.consumer, (perConsumer.get(p.consumer) ?? 0) + 1);
  const checkSeconds = reports.reduce((s, r) => s + r.durationMs / 1000, 0);
  const booksChecked = reports.reduce((s, r) => s + r.models.length, 0);
  // A run started over HTTP or in process leaves a report but no processed-message record.
  perConsumer.set('health-check', Math.max(perConsumer.get('health-check') ?? 0, reports.length));
  const functions = [...perConsumer.entries()]
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, invocations]): FunctionUsage => {
      const measured = name === 'health-check';
      const memoryMb = memoryOf(name);
      return {
        name,
        invocations,
        seconds: measured ? checkSeconds : invocations * settings.assumedSecondsPerInvocation,
        secondsMeasured: measured,
        memoryMb,
        vcpu: defaultVcpu(memoryMb),
      };
    });
  const reads = processed.length + booksChecked * settings.assumedReadsPerBookChecked;
  const writes = processed.length + reports.length + written;
  const usage: OperationsUsage = {
    from,
    to: now.toISOString(),
    windowDays: settings.windowDays,
    functions,
    firestoreReads: reads,
    firestoreWrites: writes,
    pubsubRequests: processed.length * 2,
    pubsubPayloadBytes: 0,
    how: [
      `invocations: ${processed.length} processed-message records (one per message a function handled) and ${reports.length} health reports`,
      `seconds: the health check's from its reports (${checkSeconds.toFixed(1)} s); other functions ${settings.assumedSecondsPerInvocation} s a message (assumed: not recorded)`,
      `Firestore writes: one idempotency record per message plus ${reports.length + written} documents written in the window (a lower bound: an update counts once)`,
      `Firestore reads: one idempotency read per message plus ${settings.assumedReadsPerBookChecked} per book checked (${booksChecked} checked; assumed)`,
      'Pub/Sub: a publish and a delivery per handled message, each billed at the minimum request size (payloads are small)',
    ],
  };
  return { usage, ...(reports.length > 0 ? { checkRun: checkRun(reports, settings) } : {}) };
}

function checkRun(reports: HealthReport[], settings: UsageSettings): CheckRunUsage {
  const n = reports.length;
  const books = reports.reduce((s, r) => s + r.models.length, 0) / n;
  const memoryMb = memoryOf('health-check');
  return {
    runs: n,
    meanSeconds: reports.reduce((s, r) => s + r.durationMs / 1000, 0) / n,
    memoryMb,
    vcpu: defaultVcpu(memoryMb),
    firestoreReadsPerRun: 1 + books * settings.assumedReadsPerBookChecked,
    // The report, one metric point per book, the idempotency record.
    firestoreWritesPerRun: 2 + books,
    pubsubRequestsPerRun: 2,
  };
}

/** Documents other than health reports written in the window, in the collections that carry a write time. */
async function documentsWritten(state: StateStore, from: string): Promise<number> {
  const counts = await Promise.all([
    since(state, COLLECTIONS.metricPoints, 'at', from),
    since(state, COLLECTIONS.validationReports, 'startedAt', from),
    since(state, COLLECTIONS.rollbackRecords, 'at', from),
    since(state, COLLECTIONS.alertStates, 'lastSeenAt', from),
  ]);
  return counts.reduce((s, docs) => s + docs.length, 0);
}
