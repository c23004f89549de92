/**
 * ISBN-13: 13 digits, prefix 978 or 979, and a check digit where the digits
 * weighted 1,3,1,3,… sum to a multiple of 10. Hyphens and spaces are allowed
 * on input and removed by `parseIsbn13`.
 */
import { ValidationError } from '../errors';

/** The check digit for the first 12 digits of an ISBN-13. */
export function isbn13CheckDigit(first12: string): number {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (i % 2 === 0 ? 1 : 3);
  return (10 - (sum % 10)) % 10;
}

/** True for a canonical (digits only) valid ISBN-13. */
export function isValidIsbn13(value: string): boolean {
  if (!/^97[89][0-9]{10}$/.test(value)) return false;
  return isbn13CheckDigit(value.slice(0, 12)) === Number(value[12]);
}

/** Normalises and checks an ISBN-13, or throws a ValidationError saying what is wrong. */
export function parseIsbn13(input: string): string {
  const digits = input.replace(/[\s-]/g, '');
  if (!/^[0-9]{13}$/.test(digits)) {
    throw new ValidationError(`ISBN "${input}" must have 13 digits`, ['isbn']);
  }
  if (!/^97[89]/.test(digits)) {
    throw new ValidationError(`ISBN "${input}" must start with 978 or 979`, ['isbn']);
  }
  const expected = isbn13CheckDigit(digits.slice(0, 12));
  if (expected !== Number(digits[12])) {
    throw new ValidationError(`ISBN "${input}" has check digit ${digits[12]}, expected ${expected}`, [
      'isbn',
    ]);
  }
  return digits;
}
