/**
 * `validate --isbn X [--version N]` / `validate --all`: post-deploy
 * validation now, as the function runs it — 1,000+ predictions, every check
 * with its figure and verdict — then the verdict acted on (last-known-good,
 * or quarantine + rollback request + critical alert) unless --report-only.
 * `--all` also checks the registry's consistency. Exit 0 passed, 1 failed.
 */
import { newCorrelationId } from '../../shared/logging/correlation';
import { randomIds } from '../../shared/ports/clock';
import { runValidation, type RunValidationResult } from '../../shared/services/validation/run-validation';
import { validationSettings } from '../../shared/wiring/validation';
import { vertexQuotaDetail } from '../../shared/adapters/gcp/vertex-quota';
import { withBackend } from '../backend';
import type { Command } from '../command';
import { startActivityLine } from '../progress';
import { EXIT, UsageError, type ExitCode } from '../exit-codes';
import { FLAGS } from '../flag-table';
import { cliLogger } from '../logger';
import { helpOf } from './help-table';

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
  ...helpOf('validate'),
  async run(ctx): Promise<ExitCode> {
    const isbn = ctx.flag(FLAGS.isbn);
    const all = ctx.flag(FLAGS.all);
    if ((isbn === undefined) === !all) throw new UsageError('give either --isbn X or --all', ['isbn']);
    const version = ctx.flag(FLAGS.version);
    if (version !== undefined && !/^[0-9]+$/.test(version)) {
      throw new UsageError(`--version must be a version number (got "${version}")`, ['version']);
    }
    if (version !== undefined && all)
      throw new UsageError('--version goes with --isbn, not --all', ['version']);
    const minPredictions = ctx.flag(FLAGS.minPredictions);
    const concurrency = ctx.flag(FLAGS.concurrency);
    // `--all` on Vertex paces itself by the quota: show its counters and ETA meanwhile.
    const activity = startActivityLine(ctx.interactive && all, () => vertexQuotaDetail(0, 0));
    const result = await withBackend(ctx, async (backend) => {
      const ports = {
        ...backend,
        ids: randomIds,
        logger: cliLogger(ctx.out, backend.config, 'validate-cli'),
      };
      const environment = ctx.flag(FLAGS.environment);
      const settings = validationSettings(backend.config, {
        ...(environment !== undefined ? { environment } : {}),
        options: {
          ...(minPredictions !== undefined ? { minPredictions } : {}),
          ...(concurrency !== undefined ? { concurrency } : {}),
        },
      });
      return runValidation(
        {
          ...(isbn !== undefined ? { isbn } : {}),
          ...(version !== undefined ? { version } : {}),
          act: !ctx.flag(FLAGS.reportOnly),
          by: ctx.flag(FLAGS.by) ?? ctx.env.USER ?? 'cli',
          correlationId: newCorrelationId(randomIds),
        },
        ports,
        settings,
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
