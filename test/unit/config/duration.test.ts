import fc from 'fast-check';
import { formatDuration, parseDuration } from '../../../shared/config/duration';

describe('durations', () => {
  it.each([
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['4h', 14_400_000],
    ['8d', 691_200_000],
    ['1w', 604_800_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['0', 0],
    ['0s', 0],
    [' 5m ', 300_000],
  ])('%j is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '4', '4 hours', '4H', '-5m', '1.5h', 'h', '30m ago', '99999999999999999d'])(
    'rejects %j',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );

  it('formats to the shortest exact form', () => {
    expect(formatDuration(14_400_000)).toBe('4h');
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(691_200_000)).toBe('8d');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(1_500)).toBe('1s500ms');
  });

  it('formats what it parses back to the same milliseconds', () => {
    fc.assert(fc.property(fc.nat(10 ** 12), (ms) => parseDuration(formatDuration(ms)) === ms));
  });
});
