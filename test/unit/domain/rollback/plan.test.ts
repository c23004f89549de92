import fc from 'fast-check';
import type { RollbackRequest } from '../../../../shared/contracts/messages/rollback-request';
import { backupIdFor, rollbackIdFor } from '../../../../shared/domain/rollback/ids';
import { planBook, planRestore, planRollback } from '../../../../shared/domain/rollback/plan';
import { matchesDesired } from '../../../../shared/domain/rollback/serving';
import type { BookSnapshot } from '../../../../shared/domain/rollback/types';
import { isbnFor } from '../../../builders/model';
import { aBook, ISBN, servingWith } from './books';

function request(overrides: Partial<RollbackRequest> = {}): RollbackRequest {
  return {
    requestId: 'req-1',
    scope: { isbns: [ISBN] },
    target: { kind: 'version', version: '1' },
    reason: 'RMSE spike',
    requestedBy: 'alice',
    correlationId: 'corr-1',
    ...overrides,
  };
}

describe('planBook', () => {
  it('switches to the target: alias on it, 100 % of traffic, others left deployed', () => {
    expect(planBook(request(), aBook(), false)).toEqual({
      isbn: ISBN,
      action: 'switch',
      from: '3',
      to: '1',
      desired: { productionAlias: '1', split: [{ version: '1', trafficPercent: 100 }], exact: false },
      forced: false,
      via: 'version 1',
    });
  });

  it('skips a book already there (alias and traffic), but not one whose alias lags', () => {
    const there = aBook({ productionAlias: '1', serving: servingWith({ '1': 100, '3': 0 }) });
    expect(planBook(request(), there, false)).toEqual(
      expect.objectContaining({
        action: 'skip',
        reason: expect.stringContaining('already serving version 1'),
      }),
    );
    const aliasLags = aBook({ productionAlias: '3', serving: servingWith({ '1': 100, '3': 0 }) });
    expect(planBook(request(), aliasLags, false).action).toBe('switch');
  });

  it('refuses a book that is not registered or serves nothing', () => {
    expect(planBook(request(), aBook({ registered: false }), false)).toEqual(
      expect.objectContaining({ action: 'refuse', problem: 'not-registered' }),
    );
    expect(planBook(request(), aBook({ serving: servingWith({ '3': 0 }) }), false)).toEqual(
      expect.objectContaining({ action: 'refuse', problem: 'not-served' }),
    );
    expect(planBook(request(), aBook({ serving: null }), false)).toEqual(
      expect.objectContaining({ action: 'refuse', problem: 'not-served' }),
    );
  });

  it('fleet-wide, nothing to go back to is a skip; a quarantined pointer stays a refusal', () => {
    const lkgRequest = request({ target: { kind: 'last-known-good' } });
    expect(planBook(lkgRequest, aBook({ lastKnownGood: undefined }), true).action).toBe('skip');
    expect(planBook(lkgRequest, aBook({ lastKnownGood: undefined }), false).action).toBe('refuse');
    expect(planBook(lkgRequest, aBook({ lastKnownGood: '2', quarantined: ['2'] }), true).action).toBe(
      'refuse',
    );
  });
});

describe('planRollback', () => {
  it('derives its ids from the requestId and plans each book once, in scope order', () => {
    const other = isbnFor(1);
    const books = [
      aBook(),
      { ...aBook(), isbn: other, serving: servingWith({ '2': 0, '3': 100 }, other) },
      aBook(),
    ];
    const plan = planRollback(request({ scope: { isbns: [ISBN, other] } }), books);
    expect(plan.rollbackId).toBe(rollbackIdFor('req-1'));
    expect(plan.backupId).toBe(backupIdFor('req-1'));
    expect(plan.rollbackId).toMatch(/^rb-[0-9a-f]{24}$/);
    expect(planRollback(request(), [aBook()]).rollbackId).toBe(plan.rollbackId);
    expect(plan.items.map((i) => i.isbn)).toEqual([ISBN, other]);
    expect(plan.scope).toBe('isbns');
  });

  it('never switches to a quarantined version without force, and a switch always reaches its own desired state', () => {
    const arbitraryBook = fc
      .record({
        count: fc.integer({ min: 1, max: 6 }),
        quarantined: fc.subarray(['1', '2', '3', '4', '5', '6']),
        lkg: fc.option(fc.integer({ min: 1, max: 6 }).map(String), { nil: undefined }),
        history: fc.array(fc.integer({ min: 1, max: 6 }).map(String), { maxLength: 5 }),
      })
      .map(({ count, quarantined, lkg, history }): BookSnapshot =>
        aBook({
          count,
          quarantined,
          lastKnownGood: lkg,
          history: history.map((version) => ({
            version,
            at: '2024-05-01T10:00:00.000Z',
            via: 'deploy' as const,
          })),
        }),
      );
    const arbitraryTarget = fc.constantFrom<RollbackRequest['target']>(
      { kind: 'previous' },
      { kind: 'last-known-good' },
      { kind: 'version', version: '1' },
      { kind: 'version', version: '2' },
    );
    fc.assert(
      fc.property(arbitraryBook, arbitraryTarget, fc.boolean(), (book, target, force) => {
        const item = planBook({ target, force }, book, false);
        if (item.action !== 'switch') return;
        const quarantined = book.versions.find((v) => v.version === item.to)?.quarantined ?? true;
        expect(quarantined && !(force && target.kind === 'version')).toBe(false);
        const after = servingWith(
          Object.fromEntries(item.desired.split.map((s) => [s.version, s.trafficPercent])),
        );
        expect(matchesDesired(item.desired.productionAlias, after, item.desired)).toBe(true);
      }),
    );
  });
});

describe('planRestore', () => {
  it('puts each book back exactly, skips one already so, refuses one that cannot be restored', () => {
    const changed = aBook({ productionAlias: '1', serving: servingWith({ '1': 100, '2': 0, '3': 0 }) });
    const same = { ...aBook(), isbn: isbnFor(2), serving: servingWith({ '2': 0, '3': 100 }, isbnFor(2)) };
    const noEndpoint = { ...aBook(), isbn: isbnFor(3) };
    const plan = planRestore(
      { requestId: 'restore-1', backupId: 'bk-x' },
      [
        { isbn: ISBN, productionAlias: '3', serving: servingWith({ '2': 0, '3': 100 }) },
        { isbn: same.isbn, productionAlias: '3', serving: servingWith({ '2': 0, '3': 100 }, same.isbn) },
        { isbn: noEndpoint.isbn, serving: null },
      ],
      [changed, same, noEndpoint],
    );
    expect(plan.kind).toBe('restore-backup');
    expect(plan.items.map((i) => i.action)).toEqual(['switch', 'skip', 'refuse']);
    expect(plan.items[0]).toEqual(
      expect.objectContaining({
        from: '1',
        to: '3',
        desired: expect.objectContaining({ exact: true, productionAlias: '3' }),
      }),
    );
  });
});
