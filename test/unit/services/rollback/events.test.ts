import type { RollbackRecord } from '../../../../shared/contracts/documents/rollback';
import { Alert } from '../../../../shared/contracts/messages/alert';
import { LifecycleEvent } from '../../../../shared/contracts/messages/lifecycle-event';
import { parseWith } from '../../../../shared/contracts/parse';
import { alertFor, lifecycleEventFor } from '../../../../shared/services/rollback/events';
import { isbnFor } from '../../../builders/model';

const record = (overrides: Partial<RollbackRecord> = {}): RollbackRecord => ({
  rollbackId: 'rb-1',
  requestId: 'req-1',
  isbn: isbnFor(7),
  from: '3',
  to: '1',
  status: 'succeeded',
  verified: true,
  durationMs: 12,
  requestedBy: 'alice',
  reason: 'spike',
  at: '2024-05-01T10:00:00.000Z',
  ...overrides,
});

describe('rollback events', () => {
  it('a success is a rollback.succeeded lifecycle event and no alert', () => {
    const event = lifecycleEventFor(record(), 'corr-1')!;
    expect(parseWith(LifecycleEvent, event, 'LifecycleEvent')).toEqual(
      expect.objectContaining({
        type: 'rollback.succeeded',
        fromVersion: '3',
        toVersion: '1',
        rollbackId: 'rb-1',
        correlationId: 'corr-1',
      }),
    );
    expect(alertFor(record(), 'corr-1', {})).toBeUndefined();
  });

  it('a failure or a restore is rollback.failed plus one critical rollback_failed alert; a skip is nothing', () => {
    for (const status of ['failed', 'restored'] as const) {
      const r = record({ status, verified: false, error: 'canary failed', from: null });
      expect(lifecycleEventFor(r, 'c')).toEqual(
        expect.objectContaining({
          type: 'rollback.failed',
          detail: expect.stringContaining('canary failed'),
        }),
      );
      expect(lifecycleEventFor(r, 'c')?.fromVersion).toBeUndefined();
      const alert = parseWith(Alert, alertFor(r, 'c', { environment: 'production' }), 'Alert');
      expect(alert).toEqual(
        expect.objectContaining({
          kind: 'rollback_failed',
          severity: 'critical',
          status: 'firing',
          isbn: r.isbn,
          modelVersion: '1',
          source: 'rollback',
          environment: 'production',
        }),
      );
    }
    expect(lifecycleEventFor(record({ status: 'skipped' }), 'c')).toBeUndefined();
  });
});
