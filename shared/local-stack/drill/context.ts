/**
 * What every drill scenario shares: the product owner's targets, the
 * context the scenarios run in (the stack's ports, the Slack stand-in, the
 * timeline), and the probes they wait on.
 */
import { COLLECTIONS } from '../../contracts/collections';
import type { HealthReport } from '../../contracts/documents/health-report';
import type { LastKnownGood } from '../../contracts/documents/last-known-good';
import { withCorrelation } from '../../logging/correlation';
import type { Publisher } from '../../ports/event-bus';
import type { Backend } from '../../wiring/backend';
import type { DemoPorts } from '../../services/demo';
import type { Timeline } from './report';
import type { ReceivedNotification, SlackStandIn } from './slack-stand-in';

export const MINUTE_MS = 60_000;
/** The product owner's targets. */
export const TARGETS = {
  pipelineNotification: 5 * MINUTE_MS,
  rollback: 2 * MINUTE_MS,
  /** Health checks run hourly: "within one run" means the first run after the problem, at most an hour away. */
  healthCheckInterval: 60 * MINUTE_MS,
} as const;

/** The topics a drill injects into: health check requests, and pipeline failures as the log sink would. */
export type DrillPublisher = Publisher<'health-check-requests' | 'pipeline-events'>;

export interface DrillContext {
  backend: Omit<Backend, 'bus'> & { bus: DrillPublisher };
  demo: DemoPorts;
  slack: SlackStandIn;
  timeline: Timeline;
  now(): number;
  /** The HTTP rollback function and its bearer token. */
  rollback: { url: string; token: string };
  projectId: string;
  /** A unique suffix for ids of this drill. */
  runTag: string;
  /** The longest the drill waits for one answer (a missed target is reported, not waited out for ever). */
  waitCapMs: number;
}

/** A notification that says a problem cleared rather than started. */
export function isResolution(n: ReceivedNotification): boolean {
  return n.rawBody.includes(':white_check_mark:') || /\bresolved\b/i.test(n.text);
}

export async function until<T>(
  ctx: DrillContext,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<{ value: T; at: number } | undefined> {
  const deadline = ctx.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return { value, at: ctx.now() };
    if (ctx.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function servingVersion(ctx: DrillContext, isbn: string): Promise<string | undefined> {
  const state = await ctx.backend.serving.getServing(isbn);
  return state?.deployments
    .filter((d) => d.trafficPercent > 0)
    .sort((a, b) => b.trafficPercent - a.trafficPercent)[0]?.version;
}

export async function lastKnownGood(ctx: DrillContext, isbn: string): Promise<string | undefined> {
  return (await ctx.backend.state.get<LastKnownGood>(COLLECTIONS.lastKnownGood, isbn))?.data.version;
}

/** Publishes a HealthCheckRequest for `isbns` (trigger drill); resolves to its correlation id. */
export async function publishHealthCheck(ctx: DrillContext, isbns: string[], label: string): Promise<string> {
  const correlationId = `drill-health-${label}-${ctx.runTag}`;
  await ctx.backend.bus.publish('health-check-requests', {
    data: { trigger: 'drill', isbns, correlationId },
    attributes: withCorrelation({}, correlationId),
  });
  return correlationId;
}

/** The HealthReport of the run with this correlation id, once written (polled up to `timeoutMs`). */
export async function reportFor(ctx: DrillContext, correlationId: string, timeoutMs: number) {
  return until(ctx, timeoutMs, async () => {
    const [doc] = await ctx.backend.state.query<HealthReport>(COLLECTIONS.healthReports, {
      where: [{ field: 'correlationId', op: '==', value: correlationId }],
      limit: 1,
    });
    return doc?.data;
  });
}
