/**
 * Acting on a validation verdict (the plan is `planValidationOutcome`):
 * failed → quarantine first (so nothing can make the version last-known-good
 * meanwhile), then the rollback request, the critical alert and the
 * lifecycle events; passed → last-known-good, re-checking the quarantine
 * mark just before (a quarantined version never becomes last-known-good),
 * then the events and the resolution. Every step is idempotent, so a
 * redelivered deployment message may run it again.
 */
import { COLLECTIONS } from '../../contracts/collections';
import type { ValidationReport } from '../../contracts/documents/validation-report';
import { planValidationOutcome, type ValidationOutcome } from '../../domain/validation/outcome';
import { withCorrelation } from '../../logging/correlation';
import type { ValidationDeps } from './deps';
import type { PreparedTarget } from './prepare';

export interface AppliedOutcome extends ValidationOutcome {
  rollbackMessageId?: string;
  alertMessageId?: string;
}

/** Plans the outcome of `report` from the state read before validating, and applies it. */
export async function applyValidationOutcome(
  report: ValidationReport,
  prepared: PreparedTarget,
  deps: Pick<ValidationDeps, 'registry' | 'serving' | 'state' | 'bus' | 'clock' | 'logger' | 'environment'>,
  by: string,
): Promise<AppliedOutcome> {
  const { isbn, version, correlationId } = report;
  // Read again: the endpoint or the mark may have moved while the batch ran.
  const [current, serving] = await Promise.all([
    deps.registry.getVersion(isbn, version),
    deps.serving.getServing(isbn),
  ]);
  const outcome: AppliedOutcome = planValidationOutcome({
    report,
    environment: deps.environment,
    at: deps.clock.now().toISOString(),
    by,
    ...(current?.quarantine ? { quarantine: current.quarantine } : {}),
    book: {
      serving: serving ?? null,
      ...(prepared.lastKnownGood !== undefined ? { lastKnownGood: prepared.lastKnownGood } : {}),
      ...(prepared.productionAlias !== undefined ? { productionAlias: prepared.productionAlias } : {}),
      ...(prepared.target.previousVersion !== undefined
        ? { previousVersion: prepared.target.previousVersion }
        : {}),
    },
  });
  const log = deps.logger.child({ correlationId, isbn, version, reportId: report.reportId });
  const attrs = (extra: Record<string, string>) =>
    withCorrelation({ isbn, version, ...extra }, correlationId);

  if (outcome.quarantine) await deps.registry.setQuarantine(isbn, version, outcome.quarantine);
  if (outcome.lastKnownGood) {
    const mark = (await deps.registry.getVersion(isbn, version))?.quarantine;
    if (mark) {
      outcome.notes.push(`quarantined meanwhile (${mark.reason}): last-known-good left as it was`);
      delete outcome.lastKnownGood;
      delete outcome.alert;
    } else {
      await deps.state.set(COLLECTIONS.lastKnownGood, isbn, outcome.lastKnownGood);
    }
  }
  if (outcome.rollback) {
    outcome.rollbackMessageId = await deps.bus.publish('rollback-requests', {
      data: outcome.rollback,
      attributes: attrs({ requestId: outcome.rollback.requestId }),
    });
  }
  if (outcome.alert) {
    outcome.alertMessageId = await deps.bus.publish('alerts', {
      data: outcome.alert,
      attributes: attrs({ kind: outcome.alert.kind, severity: outcome.alert.severity }),
    });
  }
  for (const event of outcome.events) {
    await deps.bus.publish('model-lifecycle', { data: event, attributes: attrs({ type: event.type }) });
  }
  const say = outcome.verdict === 'passed' ? log.info.bind(log) : log.warning.bind(log);
  say(`validation ${outcome.verdict}: ${outcome.notes.join('; ')}`, {
    rollbackRequestId: outcome.rollback?.requestId,
    rollbackMessageId: outcome.rollbackMessageId,
    alertMessageId: outcome.alertMessageId,
  });
  return outcome;
}
