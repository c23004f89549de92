/**
 * `forecast-guard drill`: a game day on a fresh embedded backend. It starts
 * its own local stack in a temporary state dir (the real functions behind
 * the functions framework, fed by the embedded queue), with a Slack stand-in
 * as the only notification channel, then runs the scenarios of steps.ts in
 * order and reports every product-owner target beside what it measured.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../errors';
import { LOCAL_PROJECT_ID } from '../stack-plan';
import { startLocalStack, type LocalStack } from '../stack';
import type { FunctionLaunch } from '../launch';
import { catalogue } from '../../fleet/catalogue';
import { writeProductionThresholds } from './injections';
import { renderDrillHtml, Timeline, type DrillResult, type DrillStep, type TimelineEvent } from './report';
import { startSlackStandIn } from './slack-stand-in';
import type { DrillContext } from './context';
import { badDeploymentStep, degradationStep, duplicatesStep, pipelineFailureStep } from './incident-steps';
import { rollbackAllStep, rollbackOneStep } from './rollback-steps';

/** The functions a drill exercises (daily-summary and build-events play no part in it). */
export const DRILL_FUNCTIONS = [
  'pipeline-events',
  'alert-dispatch',
  'health-check',
  'post-deploy-validation',
  'rollback',
  'rollback-http',
] as const;

/** Books in the drill's fleet (the standard seed). */
export const DRILL_FLEET_SIZE = 12;

/** The book the drill degrades (The Alchemist) and the one it deploys a broken version of (Atomic Habits). */
export const DRILL_BOOKS = { degrade: '9780722532935', badVersion: '9781847941831' } as const;

// Settings that would reach real people or real services from a drill: never passed on.
const WITHHELD = [
  'SLACK_WEBHOOK_URL',
  'SLACK_ESCALATION_WEBHOOK_URL',
  'SMTP_URL',
  'ALERT_EMAIL_TO',
  'ALERT_EMAIL_FROM',
  'FG_THRESHOLDS_FILE',
  'FG_ROLLBACK_TOKEN',
  'FG_BACKEND',
  'FG_REGISTRY',
  'GOOGLE_CLOUD_PROJECT',
];

export interface DrillOptions {
  /** The operator's environment; channels and backends in it are withheld (see WITHHELD). */
  env: Record<string, string | undefined>;
  /** Where the HTML report goes (created); default the drill's own state dir. */
  reportDir?: string;
  /** Keep the temporary state dir afterwards (for a look at its logs). */
  keep?: boolean;
  launch?: FunctionLaunch;
  /** The longest to wait for any one answer before calling the target missed (default: the target). */
  waitCapMs?: number;
  /** Each timeline event as it happens (progress on a terminal). */
  onEvent?(event: TimelineEvent): void;
}

/** Runs the drill; the result says whether every target was met and where the HTML report is. */
export async function runDrill(options: DrillOptions): Promise<DrillResult> {
  const startedAt = new Date();
  const now = () => performance.now();
  const t0 = now();
  const timeline = new Timeline(t0, now, options.onEvent);
  const stateDir = mkdtempSync(join(tmpdir(), 'fg-drill-'));
  const slack = await startSlackStandIn(now);
  const thresholdsFile = join(stateDir, 'drill-thresholds.json');
  const env: Record<string, string | undefined> = { ...options.env };
  for (const name of WITHHELD) delete env[name];
  Object.assign(env, {
    FG_STATE_DIR: stateDir,
    FG_ENVIRONMENT: 'development',
    SLACK_WEBHOOK_URL: slack.url,
    FG_THRESHOLDS_FILE: thresholdsFile,
  });
  const books = catalogue(DRILL_FLEET_SIZE).map((b) => b.isbn);
  writeProductionThresholds(thresholdsFile, books);

  let stack: LocalStack | undefined;
  const steps: DrillStep[] = [];
  try {
    timeline.mark(
      `fresh embedded backend in ${stateDir}; starting the stack (${DRILL_FUNCTIONS.join(', ')})`,
    );
    stack = await startLocalStack({
      env,
      only: DRILL_FUNCTIONS,
      schedules: false,
      dashboard: false,
      seedBooks: DRILL_FLEET_SIZE,
      launch: options.launch,
    });
    const notRunning = stack.functions.filter((f) => f.state !== 'ready');
    if (notRunning.length > 0) {
      throw new ConfigError(
        `the drill needs ${notRunning.map((f) => `${f.spec.name} (${f.failure ?? f.state})`).join(', ')}`,
        'functions',
      );
    }
    const isbns = (await stack.backend.registry.listModels()).sort();
    const setupMs = now() - t0;
    timeline.mark(`stack ready: ${isbns.length} books seeded, ${stack.functions.length} functions answering`);
    const backend = stack.backend;
    if (!backend.embeddedRegistry)
      throw new ConfigError('the drill runs on the embedded registry', 'FG_REGISTRY');
    const rollbackUrl = stack.functions.find((f) => f.spec.name === 'rollback-http')!.url;
    const ctx: DrillContext = {
      backend,
      demo: { registry: backend.embeddedRegistry, serving: backend.serving, bus: backend.bus },
      slack,
      timeline,
      now,
      rollback: { url: rollbackUrl, token: stack.rollbackToken },
      projectId: LOCAL_PROJECT_ID,
      runTag: startedAt
        .toISOString()
        .replace(/[^0-9]/g, '')
        .slice(0, 14),
      waitCapMs: options.waitCapMs ?? Number.POSITIVE_INFINITY,
    };
    const degradeIsbn = isbns.includes(DRILL_BOOKS.degrade) ? DRILL_BOOKS.degrade : isbns[0]!;
    const badIsbn = isbns.includes(DRILL_BOOKS.badVersion)
      ? DRILL_BOOKS.badVersion
      : isbns.find((i) => i !== degradeIsbn)!;

    steps.push(await pipelineFailureStep(ctx));
    steps.push(await badDeploymentStep(ctx, badIsbn));
    steps.push(await degradationStep(ctx, degradeIsbn));
    steps.push(await rollbackOneStep(ctx, degradeIsbn));
    steps.push(await rollbackAllStep(ctx, isbns));
    // Late notifications (grouping waits ~2 s) must be in before duplicates are counted.
    await new Promise((r) => setTimeout(r, 3000));
    steps.push(duplicatesStep(ctx, isbns));

    const result: DrillResult = {
      passed: steps.every((s) => s.passed),
      startedAt: startedAt.toISOString(),
      durationMs: Math.round(now() - t0),
      setupMs: Math.round(setupMs),
      steps: steps.map((s) => ({
        ...s,
        measuredMs: s.measuredMs === null ? null : Math.round(s.measuredMs),
      })),
      timeline: timeline.events,
      notifications: slack.received.length,
      stateDir,
    };
    // The state dir goes away afterwards unless kept; the report must outlive it.
    const reportDir = options.reportDir ?? (options.keep ? stateDir : tmpdir());
    mkdirSync(reportDir, { recursive: true });
    result.reportPath = join(reportDir, `forecast-guard-drill-${ctx.runTag}.html`);
    writeFileSync(result.reportPath, renderDrillHtml(result));
    return result;
  } finally {
    await stack?.stop();
    await slack.close();
    if (!options.keep) rmSync(stateDir, { recursive: true, force: true });
  }
}
