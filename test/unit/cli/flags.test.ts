/**
 * The CLI's value rules, one per kind of value: each accepts what it should,
 * and each refusal is a UsageError (exit 2) naming the flag and the value.
 */
import { UsageError } from '../../../cli/exit-codes';
import { MAX_ISBNS_PER_REQUEST } from '../../../shared/contracts/primitives';
import {
  booleanFlag,
  choiceFlag,
  decimalFlag,
  durationFlag,
  integerFlag,
  isbnFlag,
  isbnListFlag,
  parseDurationFlag,
  parseIsbnList,
  parseNameList,
  parseNumber,
  repeatedTextFlag,
  required,
  splitIsbnList,
  textFlag,
} from '../../../cli/flags';

const ALCHEMIST = '9780722532935';
const CATERPILLAR = '9780241003008';

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error('expected a UsageError');
}

describe('parseNumber: decimal digits within the range, nothing else', () => {
  const whole = { integer: true, min: 1, max: 256 };
  const decimal = { integer: false, min: 0.5, max: 86_400 };

  it.each([
    ['1', 1],
    ['256', 256],
    ['016', 16],
  ])('reads the whole number %j', (text, value) => {
    expect(parseNumber(text, 'concurrency', whole)).toBe(value);
  });

  it.each([
    ['0.5', 0.5],
    ['2', 2],
    ['86400', 86_400],
  ])('reads the decimal number %j', (text, value) => {
    expect(parseNumber(text, 'tick', decimal)).toBe(value);
  });

  it.each(['', ' 5', '5 ', '1e2', '0x10', '+5', '-1', '1.0', 'five', '0', '257', 'Infinity', 'NaN'])(
    'refuses %j for a whole number from 1 to 256, naming flag, rule and value',
    (text) => {
      const err = usageError(() => parseNumber(text, 'concurrency', whole));
      expect(err.message).toBe(`--concurrency must be a whole number from 1 to 256 (got "${text}")`);
      expect(err.fields).toEqual(['concurrency']);
    },
  );

  it.each(['soon', '0.25', '1.', '.5', '1e3', '86400.5'])(
    'refuses %j for a number from 0.5 to 86400',
    (text) => {
      expect(usageError(() => parseNumber(text, 'tick', decimal)).message).toBe(
        `--tick must be a number from 0.5 to 86400 (got "${text}")`,
      );
    },
  );
});

describe('parseDurationFlag', () => {
  it('reads 30s, 2m, 1h and 1d as milliseconds', () => {
    expect(['30s', '2m', '1h', '1d'].map((d) => parseDurationFlag(d, 'for', false))).toEqual([
      30_000, 120_000, 3_600_000, 86_400_000,
    ]);
  });

  it('refuses zero unless allowed, and says so', () => {
    expect(usageError(() => parseDurationFlag('0s', 'for', false)).message).toBe(
      '--for must be a duration like 30m, 2h or 1d, greater than 0 (got "0s")',
    );
    expect(parseDurationFlag('0s', 'wait', true)).toBe(0);
  });

  it('refuses what is not a duration, naming the flag', () => {
    expect(usageError(() => parseDurationFlag('soon', 'wait', true)).message).toBe(
      '--wait must be a duration like 30m, 2h or 1d (got "soon")',
    );
  });
});

describe('ISBN lists', () => {
  it('separates by commas and spaces, and keeps an ISBN written with spaces whole', () => {
    expect(splitIsbnList([`${ALCHEMIST},${CATERPILLAR}`])).toEqual([ALCHEMIST, CATERPILLAR]);
    expect(splitIsbnList([`${ALCHEMIST} ${CATERPILLAR}`, ` , ${ALCHEMIST} ,`])).toEqual([
      ALCHEMIST,
      CATERPILLAR,
      ALCHEMIST,
    ]);
    expect(splitIsbnList(['978 0 7225 3293 5, 978-0-241-00300-8'])).toEqual([
      '978 0 7225 3293 5',
      '978-0-241-00300-8',
    ]);
    expect(splitIsbnList(['', ' , '])).toEqual([]);
  });

  it('normalises every ISBN with the domain rule', () => {
    expect(parseIsbnList(['978-0-7225-3293-5', `978 0 241 00300 8,${ALCHEMIST}`], 'isbn')).toEqual([
      ALCHEMIST,
      CATERPILLAR,
      ALCHEMIST,
    ]);
  });

  it('names the bad ISBN and what is wrong with it', () => {
    const err = usageError(() => parseIsbnList([`${ALCHEMIST},978-0-7225-3293-6`], 'isbn'));
    expect(err.message).toBe('--isbn: ISBN "978-0-7225-3293-6" has check digit 6, expected 5');
    expect(err.fields).toEqual(['isbn']);
    expect(usageError(() => parseIsbnList(['12345'], 'isbn')).message).toBe(
      '--isbn: ISBN "12345" must have 13 digits',
    );
  });

  it('counts before parsing: over the limit names the count and the hint, never the list', () => {
    const many = Array.from({ length: MAX_ISBNS_PER_REQUEST + 1 }, () => 'not-an-isbn');
    const err = usageError(() => parseIsbnList([many.join(',')], 'isbn', 'use --all-models'));
    expect(err.message).toBe(
      `--isbn: at most ${MAX_ISBNS_PER_REQUEST} ISBNs per request (got ${MAX_ISBNS_PER_REQUEST + 1}); use --all-models`,
    );
    expect(err.message).not.toContain('not-an-isbn');
    // Without a hint there is no limit (a deployment may name more books than one request).
    expect(() => parseIsbnList(many, 'isbn')).toThrow('--isbn: ISBN "not-an-isbn" must have 13 digits');
  });
});

describe('declared flags', () => {
  it('booleans are true only when given', () => {
    const f = booleanFlag('force', { description: 'x' });
    expect([f.parse(true), f.parse(undefined)]).toEqual([true, false]);
    expect(f.type).toBe('boolean');
  });

  it('text counts an empty value as absent and falls back to its default', () => {
    const plain = textFlag('reason', 'TEXT', { description: 'x' });
    const defaulted = textFlag('defect', 'D', { description: 'x', default: 'x10' });
    expect([plain.parse('why'), plain.parse(''), plain.parse(undefined)]).toEqual([
      'why',
      undefined,
      undefined,
    ]);
    expect([defaulted.parse('nan'), defaulted.parse(undefined)]).toEqual(['nan', 'x10']);
  });

  it('repeated text keeps every value in order', () => {
    expect(repeatedTextFlag('attr', 'k=v', { description: 'x' }).parse(['a=1', 'b=2'])).toEqual([
      'a=1',
      'b=2',
    ]);
  });

  it('numbers apply the one number rule and their default, and say their rule in --help', () => {
    const books = integerFlag('books', 'N', { description: 'x', min: 1, max: 500, default: 12 });
    expect([books.parse('3'), books.parse(undefined)]).toEqual([3, 12]);
    expect(books.rule).toBe('a whole number from 1 to 500');
    expect(books.default).toBe('12');
    expect(usageError(() => books.parse('1e1')).message).toBe(
      '--books must be a whole number from 1 to 500 (got "1e1")',
    );
    const tick = decimalFlag('tick', 'S', { description: 'x', min: 0.5, max: 10 });
    expect([tick.parse('2.5'), tick.parse(undefined)]).toEqual([2.5, undefined]);
  });

  it('durations apply their default text', () => {
    const wait = durationFlag('wait', { description: 'x', default: '30s' });
    expect([wait.parse('2m'), wait.parse(undefined)]).toEqual([120_000, 30_000]);
    expect(durationFlag('for', { description: 'x' }).parse(undefined)).toBeUndefined();
  });

  it('choices name the accepted words', () => {
    const severity = choiceFlag('severity', ['critical', 'warning', 'info'], {
      description: 'x',
      default: 'critical',
    });
    expect([severity.parse('info'), severity.parse(undefined)]).toEqual(['info', 'critical']);
    expect(usageError(() => severity.parse('urgent')).message).toBe(
      '--severity must be one of critical|warning|info (got "urgent")',
    );
  });

  it('one ISBN is normalised or refused naming the flag', () => {
    const isbn = isbnFlag('isbn', { description: 'x' });
    expect([isbn.parse('978-0-7225-3293-5'), isbn.parse(undefined)]).toEqual([ALCHEMIST, undefined]);
    expect(usageError(() => isbn.parse('9780722532936')).message).toContain('--isbn: ISBN "9780722532936"');
  });

  it('an ISBN list flag reads every repetition, and no flag as none', () => {
    const isbns = isbnListFlag('isbn', { description: 'x', tooManyHint: 'use --all-models' });
    expect(isbns.parse([ALCHEMIST, `${CATERPILLAR},${ALCHEMIST}`])).toEqual([
      ALCHEMIST,
      CATERPILLAR,
      ALCHEMIST,
    ]);
    expect(isbns.parse(undefined)).toEqual([]);
    expect(isbns.multiple).toBe(true);
  });

  it('a required flag that is absent is named, with its hint', () => {
    const f = textFlag('model-version', 'N|latest', { description: 'x' });
    expect(required('3', f)).toBe('3');
    expect(usageError(() => required(undefined, f, 'a number or latest')).message).toBe(
      '--model-version is required (a number or latest)',
    );
    expect(usageError(() => required(undefined, f)).message).toBe('--model-version is required');
  });
});

describe('parseNameList', () => {
  it('splits on commas and drops blanks', () => {
    expect(parseNameList(' health-check, ,alert-dispatch ')).toEqual(['health-check', 'alert-dispatch']);
    expect(parseNameList(undefined)).toBeUndefined();
  });
});
