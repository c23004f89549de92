/**
 * Input checks every model-world adapter makes before touching its backend,
 * so the embedded, MLflow and Vertex registries name a bad field the same
 * way (`metrics.rmse: …`, `isbn: …`), which the shared contract suites assert.
 */
import type { z } from 'zod';
import { describeIssues } from '../contracts/issues';
import { isValidIsbn13 } from '../domain/isbn';
import { ValidationError } from '../errors';

/**
 * Parses input with a contract schema, or throws a ValidationError whose
 * message names each field (prefixed with `what`) and the reason.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  // reportInput puts the offending value in each issue, so the message can say what was received.
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const problems = describeIssues(result.error.issues).map((p) => ({
    field: p.path === '(root)' ? what || 'input' : what ? `${what}.${p.path}` : p.path,
    reason: p.reason,
  }));
  throw new ValidationError(
    problems.map((p) => `${p.field}: ${p.reason}`).join('; '),
    problems.map((p) => p.field),
  );
}

/** Throws a ValidationError naming `isbn` unless it is a canonical, valid ISBN-13. */
export function requireIsbn(isbn: string): void {
  if (typeof isbn !== 'string' || !isValidIsbn13(isbn)) {
    throw new ValidationError(
      `isbn: must be a valid ISBN-13 (13 digits, 978/979 prefix, correct check digit), got ${JSON.stringify(isbn)}`,
      ['isbn'],
    );
  }
}
