/**
 * Rollback and health-check requests name at most 5,000 ISBNs (the largest
 * fleet the product targets; `{all: true}` / leaving `isbns` out covers the
 * whole fleet). An oversized list is refused on its length alone: no item is
 * looked at, and the message names the count, never the list.
 */
import { HealthCheckRequest, RollbackRequest } from '../../../shared/contracts/messages';
import { safeParseWith } from '../../../shared/contracts/parse';
import { reportFigure } from '../../helpers/figures';
import * as samples from './samples';

const LIMIT = 5_000;
const isbns = (n: number) => Array.from({ length: n }, () => samples.ISBN);

/** An array whose items count their reads: proves a refusal looked at none of them. */
function countingArray(n: number): { list: string[]; reads: () => number } {
  let reads = 0;
  const list = new Proxy(isbns(n), {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^[0-9]+$/.test(key)) reads += 1;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { list, reads: () => reads };
}

describe('bounded ISBN lists', () => {
  it(`RollbackRequest: ${LIMIT} ISBNs pass, ${LIMIT + 1} are refused with a short message naming the count`, () => {
    const ok = safeParseWith(
      RollbackRequest,
      { ...samples.rollbackRequest(), scope: { isbns: isbns(LIMIT) } },
      'RollbackRequest',
    );
    expect(ok.ok).toBe(true);
    const res = safeParseWith(
      RollbackRequest,
      { ...samples.rollbackRequest(), scope: { isbns: isbns(120_000) } },
      'RollbackRequest',
    );
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.fields).toEqual(['scope.isbns']);
    expect(res.error.message).toBe(
      'RollbackRequest is invalid: scope.isbns: at most 5000 ISBNs per request (got 120000); use scope {all: true} for the whole fleet',
    );
    expect(res.error.message).not.toContain(samples.ISBN);
  });

  it('RollbackRequest: an oversized list is refused without reading a single item', () => {
    const { list, reads } = countingArray(120_000);
    const res = safeParseWith(
      RollbackRequest,
      { ...samples.rollbackRequest(), scope: { isbns: list } },
      'RollbackRequest',
    );
    expect(res.ok).toBe(false);
    expect(reads()).toBe(0);
  });

  it('reports what refusing 120,000 bad ISBNs costs (a figure, not an assertion)', () => {
    const request = {
      ...samples.rollbackRequest(),
      scope: { isbns: isbns(120_000).map(() => '9780722532936') },
    };
    const started = performance.now();
    const res = safeParseWith(RollbackRequest, request, 'RollbackRequest');
    const ms = performance.now() - started;
    expect(res.ok).toBe(false);
    reportFigure(
      'contracts',
      'oversized-isbn-list',
      `120000 ISBNs refused in ${ms.toFixed(1)} ms, ${res.ok ? 0 : res.error.message.length}-char message, ${res.ok ? 0 : res.error.fields.length} field(s)`,
    );
  });

  it(`HealthCheckRequest: ${LIMIT} ISBNs pass, more are refused on the count alone`, () => {
    expect(
      safeParseWith(HealthCheckRequest, { trigger: 'manual', isbns: isbns(LIMIT) }, 'HealthCheckRequest').ok,
    ).toBe(true);
    const { list, reads } = countingArray(LIMIT + 1);
    const res = safeParseWith(HealthCheckRequest, { trigger: 'manual', isbns: list }, 'HealthCheckRequest');
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(reads()).toBe(0);
    expect(res.error.fields).toEqual(['isbns']);
    expect(res.error.message).toBe(
      'HealthCheckRequest is invalid: isbns: at most 5000 ISBNs per request (got 5001); leave isbns out to check the whole fleet',
    );
  });

  it('keeps the per-item and empty-list messages for lists within the limit', () => {
    const bad = safeParseWith(
      RollbackRequest,
      { ...samples.rollbackRequest(), scope: { isbns: ['9780722532936'] } },
      'RollbackRequest',
    );
    expect(bad.ok || bad.error.fields).toEqual(['scope.isbns.0']);
    const empty = safeParseWith(HealthCheckRequest, { trigger: 'manual', isbns: [] }, 'HealthCheckRequest');
    expect(empty.ok || empty.error.message).toContain('isbns: must name at least one ISBN');
  });
});
