import type { ValidationReport } from '../../../../shared/contracts/documents/validation-report';
import { Alert } from '../../../../shared/contracts/messages/alert';
import { LifecycleEvent } from '../../../../shared/contracts/messages/lifecycle-event';
import { RollbackRequest } from '../../../../shared/contracts/messages/rollback-request';
import { check, summariseChecks } from '../../../../shared/domain/validation/check';
import { planValidationOutcome, type OutcomeContext } from '../../../../shared/domain/validation/outcome';

const ISBN = '9780722532935';
const AT = '2025-01-01T09:30:00.000Z';

function report(passed: boolean): ValidationReport {
  const checks = passed
    ? [check('values', true, 'every value finite'), check('latency', true, 'p95 3 ms')]
    : [
        check('values', false, '40 of 1040 requests hold a NaN'),
        check('range.history', false, '4 × highest week'),
        check('latency', true, 'p95 3 ms'),
      ];
  return {
    reportId: 'vr-9780722532935-v4-abc',
    isbn: ISBN,
    version: '4',
    passed,
    predictions: 1040,
    checks,
    latency: { p50: 1, p95: 3 },
    startedAt: AT,
    durationMs: 900,
    correlationId: 'corr-1',
  };
}

function ctx(
  passed: boolean,
  over: Partial<OutcomeContext> = {},
  book: Partial<OutcomeContext['book']> = {},
): OutcomeContext {
  return {
    report: report(passed),
    environment: 'production',
    at: AT,
    by: 'post-deploy-validation',
    book: {
      lastKnownGood: '3',
      productionAlias: '4',
      serving: {
        isbn: ISBN,
        updatedAt: AT,
        deployments: [
          { version: '3', trafficPercent: 0 },
          { version: '4', trafficPercent: 100 },
        ],
      },
      previousVersion: '3',
      ...book,
    },
    ...over,
  };
}

describe('planValidationOutcome', () => {
  it('failed and serving: quarantine, a rollback to last-known-good, one critical alert, two events', () => {
    const out = planValidationOutcome(ctx(false));
    expect(out.verdict).toBe('failed');
    expect(out.quarantine).toEqual({
      reason: 'post-deploy validation failed: values, range.history',
      at: AT,
      by: 'post-deploy-validation',
      reportId: 'vr-9780722532935-v4-abc',
    });
    expect(RollbackRequest.parse(out.rollback)).toMatchObject({
      requestId: 'rb-vr-9780722532935-v4-abc',
      scope: { isbns: [ISBN] },
      target: { kind: 'last-known-good' },
      correlationId: 'corr-1',
    });
    const alert = Alert.parse(out.alert);
    expect(alert).toMatchObject({
      kind: 'validation_failed',
      severity: 'critical',
      status: 'firing',
      isbn: ISBN,
      modelVersion: '4',
    });
    expect(alert.summary).toContain(summariseChecks(report(false).checks).slice(0, 40));
    expect(alert.details).toMatchObject({
      failedChecks: ['values', 'range.history'],
      rollbackRequestId: 'rb-vr-9780722532935-v4-abc',
    });
    expect(out.events.map((e) => LifecycleEvent.parse(e).type)).toEqual([
      'validation.failed',
      'model.quarantined',
    ]);
    expect(out.lastKnownGood).toBeUndefined();
  });

  it('failed but not serving: quarantined, no rollback', () => {
    const out = planValidationOutcome(
      ctx(
        false,
        {},
        {
          productionAlias: '3',
          serving: {
            isbn: ISBN,
            updatedAt: AT,
            deployments: [
              { version: '3', trafficPercent: 100 },
              { version: '4', trafficPercent: 0 },
            ],
          },
        },
      ),
    );
    expect(out.quarantine).toBeDefined();
    expect(out.rollback).toBeUndefined();
    expect(out.notes).toContain('version 4 serves no traffic: no rollback needed');
  });

  it('goes back to the previous version when the failed one is itself last-known-good', () => {
    expect(planValidationOutcome(ctx(false, {}, { lastKnownGood: '4' })).rollback!.target).toEqual({
      kind: 'version',
      version: '3',
    });
    expect(
      planValidationOutcome(ctx(false, {}, { lastKnownGood: '4', previousVersion: undefined })).rollback!
        .target,
    ).toEqual({ kind: 'previous' });
  });

  it('passed and serving: becomes last-known-good and resolves the alert', () => {
    const out = planValidationOutcome(ctx(true));
    expect(out.lastKnownGood).toEqual({
      isbn: ISBN,
      version: '4',
      validatedAt: AT,
      reportId: 'vr-9780722532935-v4-abc',
      setBy: 'post-deploy-validation',
    });
    expect(Alert.parse(out.alert)).toMatchObject({
      status: 'resolved',
      severity: 'info',
      kind: 'validation_failed',
    });
    expect(out.events.map((e) => e.type)).toEqual(['validation.passed']);
    expect(out.quarantine).toBeUndefined();
    expect(out.rollback).toBeUndefined();
  });

  it('a passing 10 % canary does not become last-known-good; a failing one is still rolled back', () => {
    const canary = {
      productionAlias: '3',
      serving: {
        isbn: ISBN,
        updatedAt: AT,
        deployments: [
          { version: '3', trafficPercent: 90 },
          { version: '4', trafficPercent: 10 },
        ],
      },
    };
    const passed = planValidationOutcome(ctx(true, {}, canary));
    expect(passed.lastKnownGood).toBeUndefined();
    expect(passed.notes[0]).toContain('is not what production serves');
    expect(planValidationOutcome(ctx(false, {}, canary)).rollback).toBeDefined();
  });

  it('a quarantined version never becomes last-known-good, even when it passes', () => {
    const out = planValidationOutcome(
      ctx(true, { quarantine: { reason: 'earlier failure', at: AT, by: 'x' } }),
    );
    expect(out.lastKnownGood).toBeUndefined();
    expect(out.notes[0]).toContain('does not become last-known-good');
  });
});

describe('summariseChecks', () => {
  it('says how many failed and which, within 500 characters', () => {
    expect(summariseChecks(report(true).checks)).toBe('all 2 checks passed');
    const long = Array.from({ length: 40 }, (_, i) => check(`c${i}`, false, 'x'.repeat(40)));
    const text = summariseChecks(long);
    expect(text.startsWith('40 of 40 checks failed: c0 (')).toBe(true);
    expect(text.length).toBe(500);
  });
});
