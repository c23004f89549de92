/**
 * The one way to check a payload against its contract. Bad input becomes a
 * `ValidationError` (never retryable) whose message names every failing field
 * and why, e.g. `Alert is invalid: severity: must be one of critical|warning|info (got "urgent")`,
 * so a dead-lettered message explains itself in one log line.
 */
import type { z } from 'zod';
import { ValidationError } from '../errors';
import { describeIssues, type FieldProblem } from './issues';

/** A message lists at most this many problems; `error.fields` always holds them all. */
export const MAX_LISTED_PROBLEMS = 10;

export type SafeParseResult<T> = { ok: true; value: T } | { ok: false; error: ValidationError };

/**
 * Parses `value` with `schema`, or throws a ValidationError naming every
 * failing field (`error.fields` holds their dotted paths). `what` names the
 * payload in the message: `"Alert"`, `"RollbackRequest from rollback-requests"`.
 */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = safeParseWith(schema, value, what);
  if (!result.ok) throw result.error;
  return result.value;
}

/** As `parseWith`, but returns `{ok:false, error}` instead of throwing. */
export function safeParseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
): SafeParseResult<z.output<S>> {
  // reportInput puts the offending value on each issue, so the message can say what it got.
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, error: validationErrorFrom(result.error.issues, what, result.error) };
}

/** Builds the ValidationError for a list of zod issues, e.g. from a schema used outside `parseWith`. */
export function validationErrorFrom(
  issues: readonly z.core.$ZodIssue[],
  what: string,
  cause?: unknown,
): ValidationError {
  const problems = describeIssues(issues);
  return new ValidationError(
    `${what} is invalid: ${listProblems(problems)}`,
    [...new Set(problems.map((p) => p.path))],
    { cause },
  );
}

/** `a: reason; b: reason` with at most MAX_LISTED_PROBLEMS entries and a count of the rest. */
export function listProblems(problems: readonly FieldProblem[]): string {
  const shown = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => `${p.path}: ${p.reason}`);
  const rest = problems.length - shown.length;
  return rest > 0 ? `${shown.join('; ')}; and ${rest} more` : shown.join('; ');
}
