import {
  desiredForVersion,
  desiredFromEntry,
  describeServing,
  matchesDesired,
  servingVersion,
  splitRecord,
} from '../../../../shared/domain/rollback/serving';
import { ISBN, servingWith } from './books';

describe('servingVersion', () => {
  it('is the version with the most traffic, the newer one on a tie, null without traffic', () => {
    expect(servingVersion(servingWith({ '3': 90, '4': 10 }))).toBe('3');
    expect(servingVersion(servingWith({ '9': 50, '10': 50 }))).toBe('10');
    expect(servingVersion(servingWith({ '2': 0 }))).toBeNull();
    expect(servingVersion(null)).toBeNull();
  });
});

describe('matchesDesired', () => {
  const rollbackTo2 = desiredForVersion('2');

  it('accepts the target at 100 % with others deployed at 0 % and the alias on it', () => {
    expect(matchesDesired('2', servingWith({ '1': 0, '2': 100, '3': 0 }), rollbackTo2)).toBe(true);
  });

  it('rejects a wrong alias, a missing alias, traffic left elsewhere, no endpoint', () => {
    expect(matchesDesired('3', servingWith({ '2': 100 }), rollbackTo2)).toBe(false);
    expect(matchesDesired(undefined, servingWith({ '2': 100 }), rollbackTo2)).toBe(false);
    expect(matchesDesired('2', servingWith({ '2': 90, '3': 10 }), rollbackTo2)).toBe(false);
    expect(matchesDesired('2', null, rollbackTo2)).toBe(false);
  });

  it('an exact state (a restore) also refuses versions deployed beyond it', () => {
    const entry = { isbn: ISBN, productionAlias: '3', serving: servingWith({ '2': 0, '3': 100 }) };
    const exact = desiredFromEntry(entry)!;
    expect(exact).toEqual({
      productionAlias: '3',
      split: [
        { version: '2', trafficPercent: 0 },
        { version: '3', trafficPercent: 100 },
      ],
      exact: true,
    });
    expect(matchesDesired('3', servingWith({ '2': 0, '3': 100 }), exact)).toBe(true);
    expect(matchesDesired('3', servingWith({ '1': 0, '2': 0, '3': 100 }), exact)).toBe(false);
    expect(splitRecord(exact)).toEqual({ '2': 0, '3': 100 });
  });

  it('a backup entry without an endpoint, or without traffic, cannot be a desired state', () => {
    expect(desiredFromEntry({ isbn: ISBN, serving: null })).toBeUndefined();
    expect(desiredFromEntry({ isbn: ISBN, serving: servingWith({ '1': 0 }) })).toBeUndefined();
    expect(desiredFromEntry({ isbn: ISBN, serving: servingWith({ '1': 100 }) })?.productionAlias).toBeNull();
  });

  it('describes a state in one line', () => {
    expect(describeServing('3', servingWith({ '2': 0, '3': 100 }))).toBe('alias 3, traffic 2=0 3=100');
    expect(describeServing(undefined, null)).toBe('alias unset, traffic no endpoint');
  });
});
