/**
 * Requests a healthy endpoint must refuse, and how: steps 0, negative, above
 * the maximum, not whole, missing; no instances at all; an ISBN nobody
 * serves. Each passes only when the serving side answers the clean error
 * (ValidationError naming the field, or NotFoundError), never a forecast,
 * never a crash. Pure: the service sends them and hands the outcomes back.
 */
import { MAX_FORECAST_STEPS } from '../../contracts/model';
import { describeError, NotFoundError, ValidationError } from '../../errors';
import { isbn13CheckDigit } from '../isbn';
import { check, listSome, type ValidationCheck } from './check';

export interface EdgeCase {
  name: string;
  /** `self`: the book under test; `unknown`: an ISBN with no model. */
  target: 'self' | 'unknown';
  instances: unknown[];
  /** The clean error expected: a ValidationError naming `field`, or a NotFoundError. */
  expect: { kind: 'invalid'; field: string } | { kind: 'not-found' };
}

export const EDGE_CASES: readonly EdgeCase[] = Object.freeze([
  {
    name: 'steps 0',
    target: 'self',
    instances: [{ steps: 0 }],
    expect: { kind: 'invalid', field: 'instances[0].steps' },
  },
  {
    name: 'negative steps',
    target: 'self',
    instances: [{ steps: -4 }],
    expect: { kind: 'invalid', field: 'instances[0].steps' },
  },
  {
    name: `steps above ${MAX_FORECAST_STEPS}`,
    target: 'self',
    instances: [{ steps: MAX_FORECAST_STEPS + 1 }],
    expect: { kind: 'invalid', field: 'instances[0].steps' },
  },
  {
    name: 'fractional steps',
    target: 'self',
    instances: [{ steps: 2.5 }],
    expect: { kind: 'invalid', field: 'instances[0].steps' },
  },
  {
    name: 'steps missing',
    target: 'self',
    instances: [{ return_confidence_intervals: true }],
    expect: { kind: 'invalid', field: 'instances[0].steps' },
  },
  { name: 'no instances', target: 'self', instances: [], expect: { kind: 'invalid', field: 'instances' } },
  { name: 'unknown ISBN', target: 'unknown', instances: [{ steps: 4 }], expect: { kind: 'not-found' } },
]);

/** What one edge-case request got back. */
export interface EdgeCaseOutcome {
  edgeCase: EdgeCase;
  response?: unknown;
  error?: unknown;
}

/** Whether the outcome is the clean refusal the case expects, and why not when it is not. */
export function judgeEdgeCase(outcome: EdgeCaseOutcome): { passed: boolean; detail: string } {
  const { edgeCase, error } = outcome;
  if (error === undefined) {
    return { passed: false, detail: `${edgeCase.name}: answered with a forecast instead of refusing` };
  }
  if (edgeCase.expect.kind === 'not-found') {
    return error instanceof NotFoundError
      ? { passed: true, detail: `${edgeCase.name}: NotFoundError` }
      : { passed: false, detail: `${edgeCase.name}: expected NotFoundError, got ${describeError(error)}` };
  }
  const field = edgeCase.expect.field;
  if (!(error instanceof ValidationError)) {
    return {
      passed: false,
      detail: `${edgeCase.name}: expected a ValidationError naming ${field}, got ${describeError(error)}`,
    };
  }
  if (!error.fields.includes(field) && !error.message.includes(field)) {
    return {
      passed: false,
      detail: `${edgeCase.name}: the ValidationError does not name ${field} ("${error.message}")`,
    };
  }
  return { passed: true, detail: `${edgeCase.name}: ValidationError naming ${field}` };
}

/** One check over every edge case: passed only when each got its clean error. */
export function edgeCaseCheck(outcomes: readonly EdgeCaseOutcome[]): ValidationCheck {
  const judged = outcomes.map(judgeEdgeCase);
  const failed = judged.filter((j) => !j.passed);
  return check(
    'edge-cases',
    failed.length === 0 && judged.length > 0,
    failed.length === 0
      ? `${judged.length} of ${judged.length} bad requests refused cleanly (${outcomes.map((o) => o.edgeCase.name).join(', ')})`
      : `${failed.length} of ${judged.length} bad requests not refused cleanly: ${listSome(
          failed.map((f) => f.detail),
          3,
        )}`,
    judged.length - failed.length,
  );
}

/** A valid ISBN-13 (979 prefix, correct check digit) that is not in `known`, for the unknown-ISBN case. */
export function unknownIsbn(known: ReadonlySet<string>): string {
  for (let n = 0; ; n++) {
    const first12 = `979${String(999_999_999 - n).padStart(9, '0')}`;
    const isbn = first12 + String(isbn13CheckDigit(first12));
    if (!known.has(isbn)) return isbn;
  }
}
