import fc from 'fast-check';
import { compareVersions, pickByTraffic, validateTrafficSplit } from '../../../shared/domain/traffic';
import { ValidationError } from '../../../shared/errors';
import { mulberry32 } from '../../../shared/fleet/prng';

/** A split of whole percents over versions "1".."n" that sums to 100. */
const validSplit = fc
  .array(fc.nat(100), { minLength: 1, maxLength: 6 })
  .filter((weights) => weights.some((w) => w > 0))
  .map((weights) => {
    const total = weights.reduce((a, b) => a + b, 0);
    const percents = weights.map((w) => Math.floor((w * 100) / total));
    const firstLive = percents.findIndex((_, i) => weights[i]! > 0);
    percents[firstLive]! += 100 - percents.reduce((a, b) => a + b, 0);
    return Object.fromEntries(percents.map((p, i) => [String(i + 1), p]));
  });

describe('validateTrafficSplit', () => {
  it('returns the shares in numeric version order', () => {
    expect(validateTrafficSplit({ '10': 10, '2': 90, '9': 0 })).toEqual([
      { version: '2', trafficPercent: 90 },
      { version: '9', trafficPercent: 0 },
      { version: '10', trafficPercent: 10 },
    ]);
  });

  it('accepts every whole-percent split summing to 100', () => {
    fc.assert(
      fc.property(validSplit, (split) => {
        const shares = validateTrafficSplit(split);
        return (
          shares.length === Object.keys(split).length &&
          shares.every((s) => split[s.version] === s.trafficPercent)
        );
      }),
    );
  });

  it('names each bad entry and the reason', () => {
    const cases: Array<[unknown, string[], RegExp]> = [
      [{ '1': 50, '2': 40 }, ['split'], /must sum to 100 \(got 90: 1=50, 2=40\)/],
      [
        { '1': 50.5, '2': 49.5 },
        ['split["1"]', 'split["2"]'],
        /split\["1"\]: percent must be a whole number from 0 to 100 \(got 50.5\)/,
      ],
      [{ '1': 110, '2': -10 }, ['split["1"]', 'split["2"]'], /got 110.*got -10/],
      [{ '1': '100' }, ['split["1"]'], /got "100"/],
      [{ v1: 100 }, ['split["v1"]'], /version must be a decimal id/],
      [{}, ['split'], /at least one version/],
      [null, ['split'], /must be an object/],
      [[100], ['split'], /must be an object/],
    ];
    for (const [split, fields, message] of cases) {
      let caught: unknown;
      try {
        validateTrafficSplit(split);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ValidationError);
      expect((caught as ValidationError).fields).toEqual(fields);
      expect((caught as Error).message).toMatch(message);
    }
  });
});

describe('pickByTraffic', () => {
  const split = [
    { version: '1', trafficPercent: 90 },
    { version: '2', trafficPercent: 10 },
    { version: '3', trafficPercent: 0 },
  ];

  it('maps [0, 1) onto bands in version order', () => {
    expect(pickByTraffic(split, () => 0)).toBe('1');
    expect(pickByTraffic(split, () => 0.8999)).toBe('1');
    expect(pickByTraffic(split, () => 0.9)).toBe('2');
    expect(pickByTraffic(split, () => 0.999999999)).toBe('2');
  });

  it('is undefined when nothing has traffic', () => {
    expect(pickByTraffic([], () => 0.5)).toBeUndefined();
    expect(pickByTraffic([{ version: '1', trafficPercent: 0 }], () => 0.5)).toBeUndefined();
  });

  it('never picks a version at 0 %, whatever the random value', () => {
    fc.assert(
      fc.property(validSplit, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (s, r) => {
        const shares = validateTrafficSplit(s);
        const picked = pickByTraffic(shares, () => r);
        return shares.find((x) => x.version === picked)!.trafficPercent > 0;
      }),
    );
  });

  it('follows the split over many seeded picks', () => {
    const random = mulberry32(7).next;
    const counts = new Map<string, number>();
    const calls = 20_000;
    for (let i = 0; i < calls; i++) {
      const v = pickByTraffic(split, random)!;
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    expect(Math.abs((counts.get('2') ?? 0) / calls - 0.1)).toBeLessThan(0.01);
    expect(counts.has('3')).toBe(false);
  });
});

describe('compareVersions', () => {
  it('sorts decimal ids as numbers', () => {
    expect(['10', '2', '1', '22'].sort(compareVersions)).toEqual(['1', '2', '10', '22']);
  });
});
