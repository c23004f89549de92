/**
 * The drill's incident scenarios. Each injects one incident the way it
 * arrives in production and times the system's answer through the real path
 * (queue → functions framework → function → queue → … → Slack stand-in);
 * only the injection itself (a corrupted artifact, a broken version) is set
 * up directly on the embedded backend.
 */
import { demoBadVersion, demoDegrade } from '../../services/demo';
import { SEED_PIPELINE_NAME } from '../../services/seed-fleet';
import {
  isResolution,
  lastKnownGood,
  MINUTE_MS,
  publishHealthCheck,
  reportFor,
  servingVersion,
  TARGETS,
  until,
  type DrillContext,
} from './context';
import { pipelineFailedLogEntry, publishAsLogSink } from './injections';
import type { DrillStep } from './report';
import type { ReceivedNotification } from './slack-stand-in';

/** (a) A Vertex AI PipelineJob FAILED log entry on `pipeline-events` → a Slack notification, ≤ 5 min. */
export async function pipelineFailureStep(ctx: DrillContext): Promise<DrillStep> {
  const failedAt = ctx.backend.clock.now();
  const jobId = `${SEED_PIPELINE_NAME}-${ctx.runTag}`;
  const entry = pipelineFailedLogEntry({
    projectId: ctx.projectId,
    location: 'europe-west2',
    pipelineName: SEED_PIPELINE_NAME,
    jobId,
    startTime: new Date(failedAt.getTime() - 41 * MINUTE_MS),
    failedAt,
  });
  const t0 = ctx.timeline.mark(
    `Vertex AI PipelineJob ${jobId} FAILED: log entry published to pipeline-events as the sink does`,
  );
  await publishAsLogSink(ctx.backend.bus, entry);
  const about = (n: ReceivedNotification) =>
    !isResolution(n) && (n.rawBody.includes(jobId) || (/pipeline/i.test(n.text) && /fail/i.test(n.text)));
  const hit = await ctx.slack.waitFor(about, t0, Math.min(TARGETS.pipelineNotification, ctx.waitCapMs));
  if (hit) ctx.timeline.mark(`Slack: ${hit.text.slice(0, 140)}`, hit.at);
  // The sink delivers at least once: the same entry again must not tell anyone twice.
  await publishAsLogSink(ctx.backend.bus, entry);
  ctx.timeline.mark('the same log entry delivered again (at-least-once sink)');
  const measured = hit ? hit.at - t0 : null;
  return {
    name: 'pipeline failure → notification',
    target: '≤ 5 min',
    targetMs: TARGETS.pipelineNotification,
    measuredMs: measured,
    passed: measured !== null && measured <= TARGETS.pipelineNotification,
    detail: hit ? `Slack told within ${Math.round(measured!)} ms` : 'no Slack notification arrived',
  };
}

/** (b) A broken version deployed through the normal path → validation fails → automatic rollback. */
export async function badDeploymentStep(ctx: DrillContext, isbn: string): Promise<DrillStep> {
  const good = await lastKnownGood(ctx, isbn);
  const t0 = ctx.timeline.mark(
    `deployed a broken version of ${isbn} (forecasts ×10) and announced it on model-deployments`,
  );
  const bad = await demoBadVersion(
    { isbn, defect: 'x10', deployedBy: 'drill', correlationId: `drill-bad-${ctx.runTag}` },
    ctx.demo,
    { environment: ctx.backend.config.environment },
  );
  const wait = Math.min(TARGETS.rollback, ctx.waitCapMs);
  const done = await until(ctx, wait, async () => {
    const [serving, version] = await Promise.all([
      servingVersion(ctx, isbn),
      ctx.backend.registry.getVersion(isbn, bad.version!),
    ]);
    return serving === good && version?.quarantine ? version : undefined;
  });
  if (done)
    ctx.timeline.mark(
      `v${bad.version} quarantined and ${isbn} rolled back to v${good} automatically`,
      done.at,
    );
  const alert = await ctx.slack.waitFor(
    (n) => n.rawBody.includes(isbn) && !isResolution(n),
    t0,
    done ? 5000 : 0,
  );
  if (alert) ctx.timeline.mark(`Slack: ${alert.text.slice(0, 140)}`, alert.at);
  const measured = done ? done.at - t0 : null;
  return {
    name: 'bad deployment → automatic rollback',
    target: '≤ 2 min',
    targetMs: TARGETS.rollback,
    measuredMs: measured,
    passed: measured !== null && measured <= TARGETS.rollback,
    detail: done
      ? `v${bad.version} failed validation, was quarantined; serving v${good} again${alert ? '; critical alert sent' : '; no alert seen'}`
      : `v${bad.version} still ${(await servingVersion(ctx, isbn)) === good ? 'not quarantined' : 'serving'} after ${wait} ms`,
  };
}

/** (c) A served model degrades live → the first health-check run raises the alert (and one notification). */
export async function degradationStep(ctx: DrillContext, isbn: string): Promise<DrillStep> {
  const degraded = await demoDegrade(isbn, ctx.demo);
  ctx.timeline.mark(
    `${isbn} degraded: v${degraded.version} (a corrupted copy of v${degraded.previousVersion}) serves 100 %`,
  );
  const t0 = ctx.timeline.mark(`health-check request for ${isbn} published (trigger drill)`);
  const first = await publishHealthCheck(ctx, [isbn], 'first');
  const wait = Math.min(TARGETS.healthCheckInterval, ctx.waitCapMs);
  const hit = await ctx.slack.waitFor((n) => n.rawBody.includes(isbn) && !isResolution(n), t0, wait);
  if (hit) ctx.timeline.mark(`Slack: ${hit.text.slice(0, 140)}`, hit.at);
  const report = await reportFor(ctx, first, hit ? 10_000 : 1000);
  const raised = report?.value.alerts.filter((a) => a.isbn === isbn) ?? [];
  if (report) {
    ctx.timeline.mark(
      `health report ${report.value.runId}: ${report.value.status}, alerts ${raised.map((a) => `${a.kind} (${a.severity})`).join(', ') || 'none'}`,
      report.at,
    );
  }
  // The next hourly run still sees the problem: it must not tell anyone again.
  const second = await publishHealthCheck(ctx, [isbn], 'second');
  ctx.timeline.mark(`second health-check run for ${isbn} (still degraded) published`);
  const again = await reportFor(ctx, second, Math.min(TARGETS.rollback, ctx.waitCapMs));
  if (again) ctx.timeline.mark(`second run ${again.value.runId} done: ${again.value.status}`, again.at);
  const measured = hit ? hit.at - t0 : null;
  return {
    name: 'degradation → alert within one health-check run',
    target: 'first run (runs are hourly)',
    targetMs: TARGETS.healthCheckInterval,
    measuredMs: measured,
    passed: measured !== null && raised.length > 0 && measured <= TARGETS.healthCheckInterval,
    detail:
      raised.length > 0
        ? `first run raised ${raised.map((a) => a.kind).join(', ')}; ${hit ? 'Slack told' : 'no notification'}`
        : 'the first run raised no alert for the book',
  };
}

/** (e) Across the whole drill, no problem was notified twice (a firing and its resolution are two notices). */
export function duplicatesStep(ctx: DrillContext, isbns: readonly string[]): DrillStep {
  const counts = new Map<string, number>();
  for (const n of ctx.slack.received) {
    const about =
      isbns.find((i) => n.rawBody.includes(i)) ??
      (/pipeline/i.test(n.text) ? 'pipeline' : n.text.slice(0, 60));
    const key = `${about} ${isResolution(n) ? 'resolved' : 'firing'}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const dupes = [...counts].filter(([, c]) => c > 1);
  return {
    name: 'no duplicate notifications',
    target: 'each problem told once',
    targetMs: null,
    measuredMs: null,
    passed: dupes.length === 0 && ctx.slack.received.length > 0,
    detail:
      dupes.length === 0
        ? `${ctx.slack.received.length} notifications for ${counts.size} distinct problems and resolutions`
        : `told more than once: ${dupes.map(([k, c]) => `${k} ×${c}`).join(', ')}`,
  };
}
