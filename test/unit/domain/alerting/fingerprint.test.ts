import { alertFingerprint, isFingerprint } from '../../../../shared/domain/alerting/fingerprint';
import { ISBN, ISBN_2 } from './builders';

describe('alertFingerprint', () => {
  const base = { environment: 'production', kind: 'rmse_spike', isbn: ISBN } as const;

  it('is 16 hex characters and the same on every call (a stored state must be found again)', () => {
    const fp = alertFingerprint(base);
    expect(fp).toMatch(/^[0-9a-f]{16}$/);
    expect(alertFingerprint({ ...base })).toBe(fp);
    // Pinned: a release that changed the hash would orphan every stored AlertState.
    expect(fp).toBe('6e6a2f8b29a974ba');
    expect(alertFingerprint({ isbn: ISBN, kind: 'rmse_spike', environment: 'production' })).toBe(fp);
    expect(isFingerprint(fp)).toBe(true);
    expect(isFingerprint('not-a-fingerprint')).toBe(false);
  });

  it('differs by environment, kind and isbn', () => {
    const fp = alertFingerprint(base);
    expect(alertFingerprint({ ...base, environment: 'staging' })).not.toBe(fp);
    expect(alertFingerprint({ ...base, kind: 'mape_increase' })).not.toBe(fp);
    expect(alertFingerprint({ ...base, isbn: ISBN_2 })).not.toBe(fp);
    expect(alertFingerprint({ environment: 'production', kind: 'rmse_spike' })).not.toBe(fp);
  });

  it('keeps parts apart (no ambiguity from joining strings)', () => {
    const fleet = alertFingerprint({ environment: 'production', kind: 'pipeline_failed' });
    const withEmpty = alertFingerprint({ environment: 'production', kind: 'pipeline_failed', isbn: '' });
    expect(fleet).not.toBe(withEmpty);
  });
});
