/** Which digest a daily-summary request sends, and which alerts its outbox documents name. */
import {
  DIGEST_MAX_FINGERPRINTS,
  digestFingerprints,
  digestId,
} from '../../../../shared/domain/alerting/digest';

describe('digestId', () => {
  it('is one per environment and day for scheduled requests, whatever the correlation id', () => {
    expect(digestId('production', '2024-05-01', { trigger: 'schedule', correlationId: 'a' })).toBe(
      'digest-production-2024-05-01',
    );
    expect(digestId('production', '2024-05-01', { trigger: 'schedule', correlationId: 'b' })).toBe(
      'digest-production-2024-05-01',
    );
  });

  it('gives each manual request its own digest', () => {
    const a = digestId('staging', '2024-05-01', { trigger: 'manual', correlationId: 'a' });
    const b = digestId('staging', '2024-05-01', { trigger: 'manual', correlationId: 'b' });
    expect(a).toMatch(/^digest-staging-2024-05-01-[0-9a-f]{12}$/);
    expect(b).not.toBe(a);
    expect(digestId('staging', '2024-05-01', { trigger: 'manual', correlationId: 'a' })).toBe(a);
  });
});

describe('digestFingerprints', () => {
  const state = (fingerprint: string) => ({ fingerprint }) as never;

  it('names open criticals first, then warnings, capped', () => {
    expect(digestFingerprints({ criticals: [state('c')], warnings: [state('w1'), state('w2')] })).toEqual([
      'c',
      'w1',
      'w2',
    ]);
    const many = Array.from({ length: DIGEST_MAX_FINGERPRINTS + 5 }, (_, i) => state(`w${i}`));
    expect(digestFingerprints({ criticals: [], warnings: many })).toHaveLength(DIGEST_MAX_FINGERPRINTS);
  });

  it('names `digest` when there is nothing to tell about', () => {
    expect(digestFingerprints({ criticals: [], warnings: [] })).toEqual(['digest']);
  });
});
