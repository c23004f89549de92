/**
 * `validate` as operators run it: one book (its serving version, or a named
 * one), or the whole fleet (every version taking traffic), then the verdicts
 * acted on (unless `act` is false) and, for the fleet, the registry
 * consistency check after the verdicts. One result document for the CLI.
 */
import { parseIsbn13 } from '../../domain/isbn';
import type { ValidationCheck } from '../../domain/validation/check';
import { check } from '../../domain/validation/check';
import { servingVersionOf } from '../../domain/validation/registry-consistency';
import { NotFoundError } from '../../errors';
import { applyValidationOutcome, type AppliedOutcome } from './apply-outcome';
import type { ValidationDeps, ValidationPorts, ValidationSettings } from './deps';
import { checkRegistryConsistency } from './registry-check';
import { validateVersions, type VersionValidation } from './validate-versions';

export interface RunValidationRequest {
  /** One book, or all when absent. */
  isbn?: string;
  /** With `isbn`: this version instead of the one serving. */
  version?: string;
  /** Quarantine / roll back / set last-known-good on the verdicts (default true). */
  act?: boolean;
  by: string;
  correlationId: string;
}

export interface RunValidationResult {
  passed: boolean;
  predictions: number;
  /** A single book: its report's checks; the fleet: one check per version and the registry checks. */
  checks: ValidationCheck[];
  validations: Array<VersionValidation & { outcome?: AppliedOutcome }>;
  registry: ValidationCheck[];
}

export async function runValidation(
  request: RunValidationRequest,
  ports: ValidationPorts,
  settings: ValidationSettings,
): Promise<RunValidationResult> {
  const deps: ValidationDeps = { ...ports, ...settings };
  const targets: Array<{ isbn: string; version: string; correlationId: string }> = [];
  if (request.isbn !== undefined) {
    const isbn = parseIsbn13(request.isbn);
    const version = request.version ?? servingVersionOf(await deps.serving.getServing(isbn));
    if (version === undefined)
      throw new NotFoundError(`ISBN ${isbn} serves no version; name one with --version`);
    targets.push({ isbn, version, correlationId: request.correlationId });
  } else {
    for (const state of await deps.serving.listServing()) {
      for (const d of state.deployments) {
        if (d.trafficPercent > 0)
          targets.push({ isbn: state.isbn, version: d.version, correlationId: request.correlationId });
      }
    }
  }
  const validations: RunValidationResult['validations'] = targets.length
    ? await validateVersions(targets, deps)
    : [];
  if (request.act !== false) {
    for (const v of validations)
      v.outcome = await applyValidationOutcome(v.report, v.prepared, deps, request.by);
  }
  const registry = request.isbn === undefined ? await checkRegistryConsistency(deps) : [];
  const predictions = validations.reduce((s, v) => s + v.report.predictions, 0);
  const checks =
    request.isbn !== undefined
      ? validations[0]!.report.checks
      : [
          ...validations.map((v) => {
            const failed = v.report.checks.filter((c) => !c.passed).map((c) => c.name);
            return check(
              `${v.report.isbn} v${v.report.version}`,
              v.report.passed,
              v.report.passed
                ? `passed ${v.report.checks.length} checks over ${v.report.predictions} predictions (report ${v.report.reportId})`
                : `failed ${failed.join(', ')} (report ${v.report.reportId})`,
            );
          }),
          ...registry,
        ];
  return {
    passed: validations.every((v) => v.report.passed) && registry.every((c) => c.passed),
    predictions,
    checks,
    validations,
    registry,
  };
}
