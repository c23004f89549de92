/** The outbox rules a sender follows: claiming, losing a claim, and what a failed send leaves behind. */
import {
  afterFailure,
  CLAIM_LEASE_MS,
  claimed,
  closed,
  isDue,
  lostClaim,
  newDelivery,
} from '../../../../shared/domain/alerting/outbox';
import { RETRY_BASE_MS, RETRY_MAX_MS } from '../../../../shared/domain/alerting/backoff';
import { at, T0 } from './builders';

const notification = {
  id: 'n-1',
  severity: 'critical' as const,
  kind: 'firing' as const,
  title: 'RMSE above the limit',
  lines: [],
  correlationId: 'corr-1',
};
const delivery = () => newDelivery(notification, ['fp'], 'slack', T0);

describe('claiming a delivery', () => {
  it('counts the attempt and holds the document for the lease', () => {
    const doc = delivery();
    const mine = claimed(doc, at(1000));
    expect(mine.attempts).toBe(doc.attempts + 1);
    expect(mine.nextAttemptAt).toBe(at(1000 + CLAIM_LEASE_MS).toISOString());
    expect(isDue(mine, at(1000))).toBe(false);
    expect(isDue(mine, at(1000 + CLAIM_LEASE_MS))).toBe(true);
  });
});

describe('lostClaim', () => {
  it('keeps the claim while the stored document is open with the same attempt', () => {
    const doc = delivery();
    expect(lostClaim(doc, doc)).toBeUndefined();
  });

  it('says why the claim is lost: gone, closed, or taken over', () => {
    const doc = delivery();
    expect(lostClaim(undefined, doc)).toBe('the document is gone');
    expect(lostClaim(closed(doc, 'delivered', T0, true), doc)).toBe('already delivered');
    expect(lostClaim(claimed(doc, T0), doc)).toBe(
      "another sender took it over after this one's lease ran out",
    );
  });
});

describe('afterFailure', () => {
  it('gives up, closed with the error, when retrying cannot help', () => {
    const after = afterFailure(delivery(), { retryable: false, lastError: 'HTTP 400' }, T0);
    expect(after.status).toBe('gave-up');
    expect(after.doc).toMatchObject({
      lastError: 'HTTP 400',
      payload: { closed: true, outcome: 'gave up: HTTP 400' },
    });
    expect(after.doc.deliveredAt).toBeUndefined();
    expect(isDue(after.doc, at(RETRY_MAX_MS * 100))).toBe(false);
  });

  it('retries after the backoff, or after the Retry-After the channel asked for when longer', () => {
    const first = afterFailure(delivery(), { retryable: true, lastError: 'HTTP 500' }, T0);
    expect(first).toMatchObject({ status: 'retrying', nextAttemptAt: at(RETRY_BASE_MS).toISOString() });
    expect(first.doc).toMatchObject({
      lastError: 'HTTP 500',
      nextAttemptAt: at(RETRY_BASE_MS).toISOString(),
    });
    const slow = afterFailure(
      delivery(),
      { retryable: true, retryAfterMs: 60_000, lastError: 'HTTP 429' },
      T0,
    );
    expect(slow).toMatchObject({ status: 'retrying', nextAttemptAt: at(60_000).toISOString() });
  });
});
