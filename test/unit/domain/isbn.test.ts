import fc from 'fast-check';
import { isbn13CheckDigit, isValidIsbn13, parseIsbn13 } from '../../../shared/domain/isbn';
import { ValidationError } from '../../../shared/errors';

const validIsbn = fc
  .tuple(fc.constantFrom('978', '979'), fc.stringMatching(/^[0-9]{9}$/))
  .map(([prefix, body]) => prefix + body + String(isbn13CheckDigit(prefix + body)));

describe('ISBN-13', () => {
  it('accepts the books the publisher names', () => {
    expect(parseIsbn13('9780722532935')).toBe('9780722532935');
    expect(parseIsbn13('978-0-241-00300-8')).toBe('9780241003008');
  });

  it('parses every generated valid ISBN', () => {
    fc.assert(fc.property(validIsbn, (isbn) => parseIsbn13(isbn) === isbn && isValidIsbn13(isbn)));
  });

  it('rejects every single-digit corruption', () => {
    fc.assert(
      fc.property(validIsbn, fc.nat(12), fc.integer({ min: 1, max: 9 }), (isbn, pos, delta) => {
        const digit = (Number(isbn[pos]) + delta) % 10;
        const corrupted = isbn.slice(0, pos) + String(digit) + isbn.slice(pos + 1);
        return !isValidIsbn13(corrupted);
      }),
    );
  });

  it('names what is wrong', () => {
    expect(() => parseIsbn13('978072253293')).toThrow('must have 13 digits');
    expect(() => parseIsbn13('1230722532935')).toThrow('must start with 978 or 979');
    expect(() => parseIsbn13('9780722532936')).toThrow('has check digit 6, expected 5');
    expect(() => parseIsbn13('x')).toThrow(ValidationError);
  });
});
