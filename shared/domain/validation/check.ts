/**
 * The one shape every validation check and deployment gate takes (the
 * report's `ValidationCheck`: name, verdict, one line a person reads, and the
 * figure judged), with the small helpers every rule file uses to build and
 * summarise them. Pure.
 */
import type { ValidationCheck } from '../../contracts/documents/validation-report';

export type { ValidationCheck };

/** A check with its verdict; `figure` is left out when there is none (or it is not a finite number). */
export function check(name: string, passed: boolean, detail: string, figure?: number): ValidationCheck {
  const out: ValidationCheck = { name, passed, detail };
  // Documents hold no NaN or Infinity (Firestore's rule), so such a figure is said in the detail only.
  if (figure !== undefined && Number.isFinite(figure)) out.figure = figure;
  return out;
}

/** Names of the checks that failed, in order. */
export function failedChecks(checks: readonly ValidationCheck[]): ValidationCheck[] {
  return checks.filter((c) => !c.passed);
}

/**
 * One line for an alert or a log: `3 of 17 checks failed: values (…); range.history (…)`,
 * cut to `max` characters (an Alert summary holds 500).
 */
export function summariseChecks(checks: readonly ValidationCheck[], max = 500): string {
  const failed = failedChecks(checks);
  if (failed.length === 0) return `all ${checks.length} checks passed`;
  const head = `${failed.length} of ${checks.length} checks failed: `;
  const text = head + failed.map((c) => `${c.name} (${c.detail})`).join('; ');
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** At most two decimals, no trailing zeros: 84, 84.5, 84.33; NaN and ±Infinity as words. */
export function fmt(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  return String(Number(n.toFixed(2)));
}

/** "a, b, c" for the first `shown` items and "(and N more)" for the rest. */
export function listSome(items: readonly string[], shown = 5): string {
  const head = items.slice(0, shown).join(', ');
  return items.length > shown ? `${head} (and ${items.length - shown} more)` : head;
}
