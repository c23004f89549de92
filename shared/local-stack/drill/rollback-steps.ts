/**
 * The drill's rollback scenarios, over the HTTP rollback function (the path
 * `gcloud functions call rollback` takes), timed from the request to the
 * verified answer: one book, then every model at once.
 */
import { demoDegrade } from '../../services/demo';
import {
  isResolution,
  lastKnownGood,
  publishHealthCheck,
  reportFor,
  servingVersion,
  TARGETS,
  type DrillContext,
} from './context';
import type { DrillStep } from './report';

interface HttpRollback {
  status: number;
  body: {
    results?: Array<{ isbn: string; status: string; verified: boolean; to: string | null }>;
    error?: string;
  };
}

async function postRollback(ctx: DrillContext, request: Record<string, unknown>): Promise<HttpRollback> {
  const res = await fetch(ctx.rollback.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${ctx.rollback.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(request),
    signal: AbortSignal.timeout(TARGETS.rollback + 30_000),
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as HttpRollback['body'] };
}

/** (d1) Emergency rollback of one book over the HTTP function; ≤ 2 min. Then a check sends the resolution. */
export async function rollbackOneStep(ctx: DrillContext, isbn: string): Promise<DrillStep> {
  const good = await lastKnownGood(ctx, isbn);
  const t0 = ctx.timeline.mark(`POST rollback-http: ${isbn} to last-known-good (--emergency)`);
  const res = await postRollback(ctx, {
    requestId: `drill-one-${ctx.runTag}`,
    scope: { isbns: [isbn] },
    target: { kind: 'last-known-good' },
    reason: 'game day: degraded model',
    requestedBy: 'drill',
    correlationId: `drill-one-${ctx.runTag}`,
  });
  const t1 = ctx.now();
  const serving = await servingVersion(ctx, isbn);
  const ok = res.status === 200 && serving === good;
  ctx.timeline.mark(`rollback-http answered ${res.status}: ${isbn} serves v${serving}`, t1);
  const check = await publishHealthCheck(ctx, [isbn], 'after-rollback');
  ctx.timeline.mark(`health-check request for ${isbn} after the rollback published`);
  const resolved = await ctx.slack.waitFor(
    (n) => n.rawBody.includes(isbn) && isResolution(n),
    t1,
    Math.min(30_000, ctx.waitCapMs),
  );
  if (resolved) ctx.timeline.mark(`Slack: ${resolved.text.slice(0, 140)}`, resolved.at);
  await reportFor(ctx, check, 10_000);
  return {
    name: 'rollback of one book',
    target: '≤ 2 min',
    targetMs: TARGETS.rollback,
    measuredMs: t1 - t0,
    passed: ok && t1 - t0 <= TARGETS.rollback,
    detail: ok
      ? `v${good} serves again, verified${resolved ? '; resolution notice sent' : ''}`
      : `HTTP ${res.status}: ${res.body.error ?? `serving v${serving}, expected v${good}`}`,
  };
}

/** (d) Every model serving a bad version → one emergency rollback of all of them over HTTP; ≤ 2 min. */
export async function rollbackAllStep(ctx: DrillContext, isbns: readonly string[]): Promise<DrillStep> {
  for (const isbn of isbns) await demoDegrade(isbn, ctx.demo);
  ctx.timeline.mark(`all ${isbns.length} books degraded (a bad fleet-wide push)`);
  const t0 = ctx.timeline.mark(
    'POST rollback-http: every model to last-known-good (--emergency, all models)',
  );
  const res = await postRollback(ctx, {
    requestId: `drill-all-${ctx.runTag}`,
    scope: { emergency: true },
    target: { kind: 'last-known-good' },
    reason: 'game day: bad fleet-wide push',
    requestedBy: 'drill',
    correlationId: `drill-all-${ctx.runTag}`,
  });
  const t1 = ctx.now();
  const wrong: string[] = [];
  for (const isbn of isbns) {
    if ((await servingVersion(ctx, isbn)) !== (await lastKnownGood(ctx, isbn))) wrong.push(isbn);
  }
  const switched = res.body.results?.filter((r) => r.status === 'succeeded' && r.verified).length ?? 0;
  ctx.timeline.mark(`rollback-http answered ${res.status}: ${switched} books switched and verified`, t1);
  const ok = res.status === 200 && wrong.length === 0;
  return {
    name: 'emergency rollback of every model',
    target: '≤ 2 min',
    targetMs: TARGETS.rollback,
    measuredMs: t1 - t0,
    passed: ok && t1 - t0 <= TARGETS.rollback,
    detail: ok
      ? `${switched} of ${isbns.length} books back on last-known-good, verified`
      : `HTTP ${res.status}: ${res.body.error ?? `${wrong.length} books not on last-known-good (${wrong.join(', ')})`}`,
  };
}
