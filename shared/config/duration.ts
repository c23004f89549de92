/**
 * Durations as operators write them in environment variables: `90s`, `30m`,
 * `4h`, `8d`, `1w`, compounds like `1h30m`, and `0`. Milliseconds inside.
 */

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const WHOLE = /^(?:[0-9]+(?:ms|s|m|h|d|w))+$/;
const PART = /([0-9]+)(ms|s|m|h|d|w)/g;

/** Milliseconds for `text`, or undefined when it is not a duration this accepts. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === '0') return 0;
  if (!WHOLE.test(s)) return undefined;
  let total = 0;
  for (const [, n, unit] of s.matchAll(PART)) total += Number(n) * UNIT_MS[unit!]!;
  return Number.isSafeInteger(total) ? total : undefined;
}

/** The shortest exact form of `ms` in the same notation: 14_400_000 → `4h`, 5_400_000 → `1h30m`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  // Weeks are left out: "8d" reads better than "1w1d" for the pipeline stale age.
  for (const unit of ['d', 'h', 'm', 's', 'ms']) {
    const size = UNIT_MS[unit]!;
    const n = Math.floor(rest / size);
    if (n > 0) {
      parts.push(`${n}${unit}`);
      rest -= n * size;
    }
  }
  return parts.join('');
}
