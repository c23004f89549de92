/**
 * What a validation verdict leads to (plan, then act). Passed: the version
 * becomes last-known-good — if it serves and is not quarantined (a
 * quarantined version never does) — and any earlier validation alert for
 * the book is resolved. Failed: the version is quarantined with the report,
 * and, when it takes traffic or holds the production alias, a rollback to
 * last-known-good is requested and a critical `validation_failed` alert
 * carries the report's summary. Lifecycle events record each step. Pure.
 */
import type { LastKnownGood } from '../../contracts/documents/last-known-good';
import type { ValidationReport } from '../../contracts/documents/validation-report';
import type { Alert } from '../../contracts/messages/alert';
import type { LifecycleEvent } from '../../contracts/messages/lifecycle-event';
import type { RollbackRequest, RollbackTarget } from '../../contracts/messages/rollback-request';
import type { Quarantine, ServingState } from '../../contracts/model';
import type { Environment } from '../../contracts/primitives';
import { failedChecks, summariseChecks } from './check';
import { servingVersionOf } from './registry-consistency';

/** Who acts on a validation verdict, in quarantine marks and requests. */
export const VALIDATION_ACTOR = 'post-deploy-validation';

export interface OutcomeContext {
  report: ValidationReport;
  environment: Environment;
  /** ISO time of the verdict. */
  at: string;
  /** Who acts: the function, or the operator running `validate`. */
  by: string;
  /** The version's quarantine mark before this verdict, if any. */
  quarantine?: Quarantine;
  book: {
    lastKnownGood?: string;
    productionAlias?: string;
    serving: ServingState | null;
    /** What served before the deployment being validated (ModelDeployed.previousVersion). */
    previousVersion?: string;
  };
}

export interface ValidationOutcome {
  verdict: 'passed' | 'failed';
  lastKnownGood?: LastKnownGood;
  quarantine?: Quarantine;
  rollback?: RollbackRequest;
  alert?: Alert;
  events: LifecycleEvent[];
  /** What was decided and why, in words (for the CLI and logs). */
  notes: string[];
}

/** The rollback request id for a report: one report asks for at most one rollback, however often it is retried. */
export function rollbackRequestIdFor(reportId: string): string {
  return `rb-${reportId}`.slice(0, 200);
}

/** Where a failed version's book goes back to: last-known-good unless that is the failed version itself. */
export function rollbackTargetFor(version: string, book: OutcomeContext['book']): RollbackTarget {
  if (book.lastKnownGood !== undefined && book.lastKnownGood !== version) return { kind: 'last-known-good' };
  if (book.previousVersion !== undefined && book.previousVersion !== version) {
    return { kind: 'version', version: book.previousVersion };
  }
  return { kind: 'previous' };
}

/** Takes any traffic or holds the alias: a failure must be rolled back. */
function isLive(version: string, book: OutcomeContext['book']): boolean {
  const traffic = book.serving?.deployments.find((d) => d.version === version)?.trafficPercent ?? 0;
  return traffic > 0 || book.productionAlias === version;
}

/** What production serves (the alias, or most of the traffic): only that becomes last-known-good, never a 10 % canary. */
function servesProduction(version: string, book: OutcomeContext['book']): boolean {
  return book.productionAlias === version || servingVersionOf(book.serving) === version;
}

/** The actions a verdict calls for. */
export function planValidationOutcome(ctx: OutcomeContext): ValidationOutcome {
  const { report, at, by, book } = ctx;
  const { isbn, version, reportId, correlationId } = report;
  const event = (type: LifecycleEvent['type'], detail: string): LifecycleEvent => ({
    type,
    isbn,
    version,
    reportId,
    detail: detail.slice(0, 2000),
    at,
    correlationId,
  });
  const summary = summariseChecks(report.checks);
  const live = isLive(version, book);

  if (report.passed) {
    const out: ValidationOutcome = {
      verdict: 'passed',
      events: [event('validation.passed', summary)],
      notes: [],
    };
    if (ctx.quarantine) {
      out.notes.push(
        `version ${version} passed but is quarantined (${ctx.quarantine.reason}); it does not become last-known-good`,
      );
    } else if (!servesProduction(version, book)) {
      out.notes.push(
        `version ${version} passed but is not what production serves; last-known-good stays ${book.lastKnownGood ?? 'unset'}`,
      );
    } else {
      out.lastKnownGood = { isbn, version, validatedAt: at, reportId, setBy: by };
      out.notes.push(
        `version ${version} is now last-known-good${book.lastKnownGood && book.lastKnownGood !== version ? ` (was ${book.lastKnownGood})` : ''}`,
      );
      out.alert = {
        kind: 'validation_failed',
        severity: 'info',
        status: 'resolved',
        isbn,
        modelVersion: version,
        summary: `ISBN ${isbn} version ${version} passed post-deploy validation`,
        details: { reportId, predictions: report.predictions },
        source: VALIDATION_ACTOR,
        observedAt: at,
        correlationId,
        runId: reportId,
        environment: ctx.environment,
      };
    }
    return out;
  }

  const failedNames = failedChecks(report.checks).map((c) => c.name);
  const out: ValidationOutcome = {
    verdict: 'failed',
    events: [event('validation.failed', summary)],
    notes: [],
  };
  if (ctx.quarantine) {
    out.notes.push(`version ${version} was already quarantined (${ctx.quarantine.reason})`);
  } else {
    out.quarantine = { reason: `post-deploy validation failed: ${failedNames.join(', ')}`, at, by, reportId };
    out.events.push(event('model.quarantined', `failed ${failedNames.join(', ')} (report ${reportId})`));
    out.notes.push(`version ${version} is quarantined`);
  }
  let target: RollbackTarget | undefined;
  if (live) {
    target = rollbackTargetFor(version, book);
    out.rollback = {
      requestId: rollbackRequestIdFor(reportId),
      scope: { isbns: [isbn] },
      target,
      reason:
        `version ${version} failed post-deploy validation (report ${reportId}): ${failedNames.join(', ')}`.slice(
          0,
          1000,
        ),
      requestedBy: by,
      correlationId,
    };
    out.notes.push(
      `rollback requested to ${target.kind === 'version' ? `version ${target.version}` : target.kind}${target.kind === 'last-known-good' ? ` (v${book.lastKnownGood})` : ''}`,
    );
  } else {
    out.notes.push(`version ${version} serves no traffic: no rollback needed`);
  }
  out.alert = {
    kind: 'validation_failed',
    severity: 'critical',
    status: 'firing',
    isbn,
    modelVersion: version,
    summary: `ISBN ${isbn} version ${version} failed post-deploy validation: ${summary}`.slice(0, 500),
    details: {
      reportId,
      failedChecks: failedNames,
      predictions: report.predictions,
      lastKnownGood: book.lastKnownGood ?? null,
      rollbackRequestId: out.rollback?.requestId ?? null,
      rollbackTarget: target ?? null,
    },
    source: VALIDATION_ACTOR,
    observedAt: at,
    correlationId,
    runId: reportId,
    environment: ctx.environment,
  };
  return out;
}
