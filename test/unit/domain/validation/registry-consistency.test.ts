import {
  registryConsistencyChecks,
  servingVersionOf,
  type BookRegistryState,
} from '../../../../shared/domain/validation/registry-consistency';

const AT = '2025-01-01T09:00:00.000Z';
const serving = (isbn: string, split: Record<string, number>) => ({
  isbn,
  updatedAt: AT,
  deployments: Object.entries(split).map(([version, trafficPercent]) => ({ version, trafficPercent })),
});
const versions = (...ids: string[]) => ids.map((version) => ({ version, quarantined: false }));

function book(over: Partial<BookRegistryState> & { isbn: string }): BookRegistryState {
  return {
    versions: versions('1', '2', '3'),
    productionAlias: '3',
    serving: serving(over.isbn, { '2': 0, '3': 100 }),
    lastKnownGood: '3',
    ...over,
  };
}

const byName = (checks: Array<{ name: string; passed: boolean; detail: string }>) =>
  Object.fromEntries(checks.map((c) => [c.name, c]));

describe('registryConsistencyChecks', () => {
  it('passes a fleet where alias, serving version and last-known-good agree', () => {
    const checks = registryConsistencyChecks(
      [book({ isbn: '9780722532935' }), book({ isbn: '9780241003008' })],
      { environment: 'production' },
    );
    expect(checks.every((c) => c.passed)).toBe(true);
    expect(byName(checks)['registry.alias']!.detail).toContain('all 2 deployed books');
  });

  it('names each disagreeing book', () => {
    const checks = byName(
      registryConsistencyChecks(
        [
          book({ isbn: '9780722532935', productionAlias: '4', versions: versions('1', '2', '3', '4') }),
          book({ isbn: '9780241003008', lastKnownGood: '2' }),
          book({
            isbn: '9780141439518',
            versions: [...versions('1', '2'), { version: '3', quarantined: true }],
            lastKnownGood: '3',
          }),
          book({ isbn: '9780007215997', serving: serving('9780007215997', { '3': 60, '2': 30 }) }),
        ],
        { environment: 'production', overrides: { '9780747532743': { rmseMax: 120 } } },
      ),
    );
    expect(checks['registry.alias']!.detail).toContain('9780722532935: alias v4, serving v3');
    expect(checks['registry.last-known-good']!.detail).toContain(
      '9780241003008: last-known-good v2, serving v3',
    );
    expect(checks['registry.last-known-good']!.detail).toContain(
      '9780141439518: last-known-good v3 is quarantined',
    );
    expect(checks['registry.quarantine']!.detail).toContain(
      '9780141439518: quarantined v3 takes 100 % of traffic',
    );
    expect(checks['registry.traffic']!.detail).toContain('9780007215997: traffic sums to 90 %');
    expect(checks['config.thresholds']).toMatchObject({ passed: true });
    expect(checks['config.thresholds']!.detail).toContain('overrides for unregistered ISBNs: 9780747532743');
  });

  it('fails a threshold override that does not validate', () => {
    const checks = byName(
      registryConsistencyChecks([book({ isbn: '9780722532935' })], {
        environment: 'production',
        overrides: { '9780722532935': { rmseMax: -5 } },
      }),
    );
    expect(checks['config.thresholds']).toMatchObject({ passed: false });
    expect(checks['config.thresholds']!.detail).toContain('9780722532935: rmseMax must be greater than 0');
  });

  it('takes the version with most traffic as the serving one', () => {
    expect(servingVersionOf(serving('9780722532935', { '3': 90, '4': 10 }))).toBe('3');
    expect(servingVersionOf(serving('9780722532935', { '3': 0 }))).toBeUndefined();
  });
});
