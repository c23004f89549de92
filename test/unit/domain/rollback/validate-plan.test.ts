import { NotFoundError, ValidationError } from '../../../../shared/errors';
import { planRollback } from '../../../../shared/domain/rollback/plan';
import { planCounts, planProblems, refusalError } from '../../../../shared/domain/rollback/validate-plan';
import type { RollbackPlan } from '../../../../shared/domain/rollback/types';
import { isbnFor } from '../../../builders/model';
import { aBook, ISBN } from './books';

const base = { requestId: 'r', reason: 'x', requestedBy: 'a', correlationId: 'c' };

describe('refusalError', () => {
  it('is undefined when no named book is refused', () => {
    expect(
      refusalError(
        planRollback({ ...base, scope: { isbns: [ISBN] }, target: { kind: 'version', version: '1' } }, [
          aBook(),
        ]),
      ),
    ).toBeUndefined();
  });

  it('NotFoundError for unknown books or versions, naming each', () => {
    const plan = planRollback(
      { ...base, scope: { isbns: [ISBN] }, target: { kind: 'version', version: '9' } },
      [aBook()],
    );
    const err = refusalError(plan);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err?.message).toBe(
      `rollback refused, nothing was changed: ISBN ${ISBN} has no version "9" (versions: 1, 2, 3)`,
    );
  });

  it('ValidationError naming the field for a quarantined target or an unserved book', () => {
    const other = isbnFor(5);
    const plan = planRollback(
      { ...base, scope: { isbns: [ISBN, other] }, target: { kind: 'version', version: '1' } },
      [aBook({ quarantined: ['1'] }), { ...aBook(), isbn: other, serving: null }],
    );
    const err = refusalError(plan) as ValidationError;
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.fields).toEqual(['target.version', 'scope.isbns.1']);
    expect(planCounts(plan)).toEqual({ switch: 0, skip: 0, refuse: 2 });
  });

  it('never refuses a fleet-wide plan as a whole', () => {
    const plan = planRollback({ ...base, scope: { all: true }, target: { kind: 'last-known-good' } }, [
      aBook({ lastKnownGood: '1', quarantined: ['1'] }),
    ]);
    expect(plan.items[0]?.action).toBe('refuse');
    expect(refusalError(plan)).toBeUndefined();
  });
});

describe('planProblems', () => {
  it('finds a split that does not sum to 100, a twice-planned book, an alias that would miss the target', () => {
    const plan = planRollback(
      { ...base, scope: { isbns: [ISBN] }, target: { kind: 'version', version: '1' } },
      [aBook()],
    );
    expect(planProblems(plan)).toEqual([]);
    const item = plan.items[0]!;
    if (item.action !== 'switch') throw new Error('expected a switch');
    const broken: RollbackPlan = {
      ...plan,
      items: [
        {
          ...item,
          desired: { ...item.desired, productionAlias: '2', split: [{ version: '1', trafficPercent: 60 }] },
        },
        item,
      ],
    };
    expect(planProblems(broken)).toEqual([
      `ISBN ${ISBN}: the split sums to 60, not 100`,
      `ISBN ${ISBN}: the production alias would not name 1`,
      `ISBN ${ISBN} is planned twice`,
    ]);
  });
});
