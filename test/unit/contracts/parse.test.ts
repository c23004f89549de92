import { z } from 'zod';
import { formatPath, preview } from '../../../shared/contracts/issues';
import { MAX_LISTED_PROBLEMS, parseWith, safeParseWith } from '../../../shared/contracts/parse';
import { isbn13 } from '../../../shared/contracts/primitives';
import { ValidationError } from '../../../shared/errors';

const Book = z.object({
  isbn: isbn13,
  severity: z.enum(['critical', 'warning', 'info']),
  weeks: z.array(z.number().int().min(0)).min(1),
  title: z.string().min(1),
  meta: z.strictObject({ owner: z.string() }).optional(),
});

function errorOf(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('expected a ValidationError');
}

describe('parseWith', () => {
  it('returns the typed, parsed value for valid input', () => {
    const value = parseWith(
      Book,
      { isbn: '9780722532935', severity: 'info', weeks: [1, 2], title: 'The Alchemist' },
      'Book',
    );
    expect(value).toEqual({ isbn: '9780722532935', severity: 'info', weeks: [1, 2], title: 'The Alchemist' });
  });

  it('names every failing field by dotted path with its reason, in one message', () => {
    const err = errorOf(() =>
      parseWith(
        Book,
        { isbn: '123', severity: 'urgent', weeks: [1, -2], meta: { owner: 'x', extra: 1 } },
        'Book',
      ),
    );
    expect(err.message).toBe(
      'Book is invalid: ' +
        'isbn: must be a valid ISBN-13 (13 digits, 978/979 prefix, correct check digit) (got "123"); ' +
        'severity: must be one of critical|warning|info (got "urgent"); ' +
        'weeks.1: must be >= 0 (got -2); ' +
        'title: is required; ' +
        'meta.extra: is not an allowed field',
    );
    expect(err.fields).toEqual(['isbn', 'severity', 'weeks.1', 'title', 'meta.extra']);
    expect(err.retryable).toBe(false);
    expect(err.name).toBe('ValidationError');
  });

  it('says which check digit an ISBN should have', () => {
    const err = errorOf(() => parseWith(z.object({ isbn: isbn13 }), { isbn: '9780722532936' }, 'Book'));
    expect(err.message).toContain(
      'isbn: must be a valid ISBN-13 (check digit is 6, expected 5) (got "9780722532936")',
    );
  });

  it('words type, size and format problems for people', () => {
    const S = z.object({
      n: z.number(),
      i: z.number().int(),
      b: z.boolean(),
      s: z.string().max(3),
      list: z.array(z.string()).min(2),
      at: z.iso.datetime(),
      day: z.iso.date(),
      code: z.string().regex(/^[A-Z]+$/),
      flag: z.literal(true),
    });
    const err = errorOf(() =>
      parseWith(
        S,
        {
          n: '5',
          i: 1.5,
          b: 'yes',
          s: 'abcd',
          list: ['a'],
          at: 'now',
          day: '2024-1-1',
          code: 'ab',
          flag: false,
        },
        'S',
      ),
    );
    expect(err.message).toContain('n: must be a number (got "5")');
    expect(err.message).toContain('i: must be an integer (got 1.5)');
    expect(err.message).toContain('b: must be true or false (got "yes")');
    expect(err.message).toContain('s: must be at most 3 characters (got "abcd")');
    expect(err.message).toContain('list: must have at least 2 items (got ["a"])');
    expect(err.message).toContain('at: must be an ISO 8601 date-time, e.g. 2024-05-01T10:00:00Z (got "now")');
    expect(err.message).toContain('day: must be an ISO date, YYYY-MM-DD (got "2024-1-1")');
    expect(err.message).toContain('code: must match /^[A-Z]+$/ (got "ab")');
    expect(err.message).toContain('flag: must be true (got false)');
  });

  it("keeps a schema author's own message", () => {
    const S = z.object({ version: z.string().regex(/^[0-9]+$/, 'must be a decimal version id') });
    expect(errorOf(() => parseWith(S, { version: 'v2' }, 'S')).message).toBe(
      'S is invalid: version: must be a decimal version id (got "v2")',
    );
  });

  it('names the value itself as (root) when it is not an object at all', () => {
    for (const [value, reason] of [
      [null, '(root): must be an object (got null)'],
      [undefined, '(root): is required'],
      ['text', '(root): must be an object (got "text")'],
      [[1], '(root): must be an object (got [1])'],
    ] as const) {
      const err = errorOf(() => parseWith(Book, value, 'Book'));
      expect(err.message).toBe(`Book is invalid: ${reason}`);
      expect(err.fields).toEqual(['(root)']);
    }
  });

  it('never echoes a long value in full', () => {
    const huge = 'x'.repeat(5000);
    const err = errorOf(() =>
      parseWith(Book, { isbn: huge, severity: huge, weeks: [1], title: 't' }, 'Book'),
    );
    expect(err.message.length).toBeLessThan(450);
    expect(err.message).toContain('… (5002 chars)');
    expect(err.message).not.toContain('x'.repeat(100));
  });

  it('lists at most a handful of problems but keeps every field path', () => {
    const S = z.object({ isbns: z.array(isbn13) });
    const isbns = Array.from({ length: 25 }, (_, i) => `bad-${i}`);
    const err = errorOf(() => parseWith(S, { isbns }, 'S'));
    expect(err.message).toContain(`; and ${25 - MAX_LISTED_PROBLEMS} more`);
    expect(err.message).not.toContain('isbns.10:');
    expect(err.fields).toHaveLength(25);
    expect(err.fields[24]).toBe('isbns.24');
  });

  it('keeps the zod error as the cause', () => {
    const err = errorOf(() => parseWith(Book, {}, 'Book'));
    expect(err.cause).toBeInstanceOf(z.ZodError);
  });
});

describe('unions', () => {
  const Scope = z.union(
    [z.strictObject({ isbns: z.array(isbn13).min(1) }), z.strictObject({ all: z.literal(true) })],
    { error: 'must be {isbns: [...]} or {all: true}' },
  );
  const Target = z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('version'), version: z.string() }),
    z.object({ kind: z.literal('previous') }),
  ]);
  const S = z.object({ scope: Scope, target: Target });

  it('follows the one branch the value aims at', () => {
    const err = errorOf(() => parseWith(S, { scope: { isbns: ['nope'] }, target: { kind: 'version' } }, 'S'));
    expect(err.message).toBe(
      'S is invalid: scope.isbns.0: must be a valid ISBN-13 (13 digits, 978/979 prefix, correct check digit) (got "nope"); ' +
        'target.version: is required',
    );
  });

  it('says which shapes are allowed when no single branch fits', () => {
    for (const scope of [{}, { isbns: ['9780722532935'], all: true }, 'all']) {
      const err = errorOf(() => parseWith(S, { scope, target: { kind: 'previous' } }, 'S'));
      expect(err.message).toBe(
        `S is invalid: scope: must be {isbns: [...]} or {all: true} (got ${JSON.stringify(scope)})`,
      );
      expect(err.fields).toEqual(['scope']);
    }
  });

  it('names the tag of a discriminated union and its allowed values', () => {
    expect(
      errorOf(() => parseWith(S, { scope: { all: true }, target: { kind: 'latest' } }, 'S')).message,
    ).toBe('S is invalid: target.kind: must be one of version|previous (got "latest")');
    expect(errorOf(() => parseWith(S, { scope: { all: true }, target: {} }, 'S')).message).toBe(
      'S is invalid: target.kind: is required (version|previous)',
    );
  });
});

describe('safeParseWith', () => {
  it('returns ok with the value, or the same error parseWith would throw', () => {
    const good = safeParseWith(
      Book,
      { isbn: '9780722532935', severity: 'info', weeks: [0], title: 't' },
      'Book',
    );
    expect(good).toEqual({
      ok: true,
      value: { isbn: '9780722532935', severity: 'info', weeks: [0], title: 't' },
    });
    const bad = safeParseWith(Book, { severity: 'loud' }, 'Book');
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error).toBeInstanceOf(ValidationError);
    expect(bad.error.message).toBe(errorOf(() => parseWith(Book, { severity: 'loud' }, 'Book')).message);
  });
});

describe('formatPath and preview', () => {
  it('quotes keys that are not plain names', () => {
    expect(formatPath([])).toBe('(root)');
    expect(formatPath(['message', 'attributes', 'logging.googleapis.com/timestamp'])).toBe(
      'message.attributes["logging.googleapis.com/timestamp"]',
    );
    expect(formatPath(['models', 0, 'isbn'])).toBe('models.0.isbn');
    expect(formatPath(['message', '@type'])).toBe('message.@type');
  });

  it('renders any value briefly', () => {
    expect(preview(Number.NaN)).toBe('NaN');
    expect(preview(10n)).toBe('10n');
    expect(preview(undefined)).toBe('undefined');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(preview(circular)).toBe('[object Object]');
    expect(preview('y'.repeat(200))).toMatch(/^"y{78}… \(202 chars\)$/);
  });
});
