import { itemRecord } from '../../../../shared/domain/rollback/run';
import { at, ISBN } from './books';

const run = { rollbackId: 'rb-1', requestId: 'req-1', requestedBy: 'oncall', reason: 'bad forecasts' };

describe('itemRecord', () => {
  it('names the run, the book and its outcome, verified only when it succeeded', () => {
    expect(
      itemRecord(run, { isbn: ISBN, from: '3', to: '1', status: 'succeeded', backupId: 'bk-1' }, at),
    ).toEqual({
      rollbackId: 'rb-1',
      requestId: 'req-1',
      isbn: ISBN,
      requestedBy: 'oncall',
      reason: 'bad forecasts',
      from: '3',
      to: '1',
      status: 'succeeded',
      verified: true,
      durationMs: 0,
      backupId: 'bk-1',
      at,
    });
    for (const status of ['failed', 'restored', 'skipped'] as const)
      expect(itemRecord(run, { isbn: ISBN, from: '3', to: '1', status }, at).verified).toBe(false);
  });

  it('leaves out what the outcome does not say (Firestore refuses undefined fields)', () => {
    const record = itemRecord(
      { ...run, verifiedCaller: undefined },
      { isbn: ISBN, from: null, to: null, status: 'failed', forced: false, error: undefined },
      at,
    );
    for (const field of ['verifiedCaller', 'forced', 'error', 'note', 'backupId'])
      expect(record).not.toHaveProperty(field);
    expect(Object.values(record)).not.toContain(undefined);
  });

  it('keeps the verified caller, a forced switch, the error and the note when given', () => {
    expect(
      itemRecord(
        { ...run, verifiedCaller: 'local-token' },
        {
          isbn: ISBN,
          from: '3',
          to: '1',
          status: 'restored',
          forced: true,
          error: 'canary failed',
          note: 'n',
        },
        at,
      ),
    ).toMatchObject({ verifiedCaller: 'local-token', forced: true, error: 'canary failed', note: 'n' });
  });
});
