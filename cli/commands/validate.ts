/**
 * `validate --isbn X [--version N]` / `validate --all`: post-deploy
 * validation now, as the function runs it — 1,000+ predictions, every check
 * with its figure and verdict — then the verdict acted on (last-known-good,
 * or quarantine + rollback request + critical alert) unless --report-only.
 * `--all` also checks the registry's consistency. Exit 0 passed, 1 failed.
 */
import { Environment } from '../../shared/contracts/primitives';
import { newCorrelationId } from '../../shared/logging/correlation';
import { createLogger } from '../../shared/logging/logger';
import { randomIds } from '../../shared/ports/clock';
import { runValidation, type RunValidationResult } from '../../shared/services/validation/run-validation';
import type { ValidationDeps } from '../../shared/services/validation/deps';
import type { Backend } from '../../shared/wiring/backend';
import { vertexQuotaDetail } from '../../shared/adapters/gcp/vertex-quota';
import { withBackend } from '../backend';
import type { Command, CommandContext } from '../command';
import { startActivityLine } from '../progress';
import { EXIT, UsageError, type ExitCode } from '../exit-codes';

const USAGE =
  'validate (--isbn X [--version N] | --all) [--environment E] [--report-only] [--min-predictions N] [--concurrency N] [--by NAME]';

function str(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.flags[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function whole(ctx: CommandContext, name: string, min: number, max: number): number | undefined {
  const v = str(ctx, name);
  if (v === undefined) return undefined;
  if (!/^[0-9]+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got "${v}")`, [name]);
  }
  return Number(v);
}

/** `--environment`, or the configured one; a bad name is a usage error listing the good ones. */
export function environmentFlag(ctx: CommandContext, configured: Environment): Environment {
  const v = str(ctx, 'environment');
  if (v === undefined) return configured;
  const parsed = Environment.safeParse(v);
  if (!parsed.success) {
    throw new UsageError(`--environment must be one of ${Environment.options.join('|')} (got "${v}")`, [
      'environment',
    ]);
  }
  return parsed.data;
}

/** The CLI's logger: stderr only, errors only unless FG_LOG_LEVEL asks for more. */
export function cliLogger(ctx: CommandContext, backend: Backend, component: string) {
  const level = backend.config.defaulted.includes('FG_LOG_LEVEL') ? 'error' : backend.config.logLevel;
  return createLogger({ component, level, write: (line) => ctx.out.error(line) });
}

function resultDocument(result: RunValidationResult, single: boolean) {
  const doc: Record<string, unknown> = {
    passed: result.passed,
    predictions: result.predictions,
    checks: result.checks,
  };
  const reports = result.validations.map((v) => ({
    reportId: v.report.reportId,
    isbn: v.report.isbn,
    version: v.report.version,
    passed: v.report.passed,
    predictions: v.report.predictions,
    latency: v.report.latency,
    durationMs: v.report.durationMs,
    explanation: v.explanation.text,
    model: { order: v.model.order, theta: v.model.theta, ljungBoxP: v.model.ljungBox?.pValue },
    ...(v.outcome
      ? {
          outcome: {
            verdict: v.outcome.verdict,
            notes: v.outcome.notes,
            quarantined: v.outcome.quarantine !== undefined,
            lastKnownGood: v.outcome.lastKnownGood?.version,
            rollbackRequestId: v.outcome.rollback?.requestId,
          },
        }
      : {}),
    ...(single ? {} : { checks: v.report.checks }),
  }));
  if (single && reports[0]) Object.assign(doc, reports[0]);
  else doc.reports = reports;
  return doc;
}

export const validateCommand: Command = {
  name: 'validate',
  summary: 'post-deploy validation now: 1,000+ predictions, every check, then act on the verdict',
  usage: USAGE,
  options: {
    isbn: { type: 'string' },
    version: { type: 'string' },
    all: { type: 'boolean' },
    environment: { type: 'string' },
    'report-only': { type: 'boolean' },
    'min-predictions': { type: 'string' },
    concurrency: { type: 'string' },
    by: { type: 'string' },
  },
  async run(ctx): Promise<ExitCode> {
    const isbn = str(ctx, 'isbn');
    const all = ctx.flags.all === true;
    if ((isbn === undefined) === !all) throw new UsageError('give either --isbn X or --all', ['isbn']);
    const version = str(ctx, 'version');
    if (version !== undefined && !/^[0-9]+$/.test(version)) {
      throw new UsageError(`--version must be a version number (got "${version}")`, ['version']);
    }
    if (version !== undefined && all)
      throw new UsageError('--version goes with --isbn, not --all', ['version']);
    const minPredictions = whole(ctx, 'min-predictions', 0, 1_000_000);
    const concurrency = whole(ctx, 'concurrency', 1, 256);
    // `--all` on Vertex paces itself by the quota: show its counters and ETA meanwhile.
    const activity = startActivityLine(ctx.interactive && all, () => vertexQuotaDetail(0, 0));
    const result = await withBackend(ctx, async (backend) => {
      const deps: ValidationDeps = {
        ...backend,
        ids: randomIds,
        logger: cliLogger(ctx, backend, 'validate-cli'),
        environment: environmentFlag(ctx, backend.config.environment),
        overrides: backend.config.thresholds.overrides,
        options: {
          ...(minPredictions !== undefined ? { minPredictions } : {}),
          ...(concurrency !== undefined ? { concurrency } : {}),
        },
      };
      return runValidation(
        {
          ...(isbn !== undefined ? { isbn } : {}),
          ...(version !== undefined ? { version } : {}),
          act: ctx.flags['report-only'] !== true,
          by: str(ctx, 'by') ?? ctx.env.USER ?? 'cli',
          correlationId: newCorrelationId(randomIds),
        },
        deps,
      );
    }).finally(() => activity.stop());
    for (const v of result.validations) {
      ctx.out.line(
        `${v.report.isbn} v${v.report.version}: ${v.report.passed ? 'PASSED' : 'FAILED'} — ${v.report.predictions} predictions, p50 ${v.report.latency.p50} ms, p95 ${v.report.latency.p95} ms (report ${v.report.reportId})`,
      );
      for (const note of v.outcome?.notes ?? []) ctx.out.line(`  ${note}`);
    }
    ctx.out.table(
      result.checks.map((c) => ({ check: c.name, result: c.passed ? 'pass' : 'FAIL', detail: c.detail })),
      ['check', 'result', 'detail'],
    );
    ctx.out.line(`${result.passed ? 'passed' : 'FAILED'}: ${result.predictions} predictions`);
    ctx.out.result(resultDocument(result, isbn !== undefined));
    return result.passed ? EXIT.ok : EXIT.problem;
  },
};
