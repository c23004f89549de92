/** Small shared schemas: ISBN-13, environment names, ids. */
import { z } from 'zod';
import { isValidIsbn13 } from '../domain/isbn';

export const isbn13 = z.string().refine(isValidIsbn13, {
  message: 'must be a valid ISBN-13 (13 digits, 978/979 prefix, correct check digit)',
});

export const Environment = z.enum(['development', 'staging', 'production']);
export type Environment = z.infer<typeof Environment>;

export const Severity = z.enum(['critical', 'warning', 'info']);
export type Severity = z.infer<typeof Severity>;
