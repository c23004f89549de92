/**
 * How a flag is declared and how its value is read: one rule per kind of
 * value (a number, a duration, an ISBN list, one of a few words), each
 * failing with a UsageError (exit 2) that names the flag and the value.
 * Every flag of every command is declared once, with these, in
 * `flag-table.ts`; `main` builds node's parseArgs options and `--help` from
 * the same declarations.
 */
import { MAX_ISBNS_PER_REQUEST, tooManyIsbns } from '../shared/contracts/primitives';
import { parseDuration } from '../shared/config/duration';
import { parseIsbn13 } from '../shared/domain/isbn';
import { UsageError } from './exit-codes';

/** A flag's value as node's parseArgs hands it over (undefined when absent). */
export type RawFlag = string | boolean | Array<string | boolean> | undefined;

export interface Flag<T = unknown> {
  /** The long name, without `--`. */
  readonly name: string;
  /** Other spellings: a single letter is a short flag (`-h`), anything longer another long name. */
  readonly aliases: readonly string[];
  /** `boolean` takes no value; `string` takes one; `multiple` lets a string flag repeat. */
  readonly type: 'boolean' | 'string';
  readonly multiple: boolean;
  /** The value's placeholder in --help (`N`, `ID`). */
  readonly placeholder?: string;
  readonly description: string;
  /** The value's rule in words, for --help (`a whole number from 1 to 256`). */
  readonly rule?: string;
  /** What an absent flag means, as --help shows it; undefined when absence means nothing. */
  readonly default?: string;
  /** The value the command reads: raw → checked and converted, or UsageError naming the flag. */
  parse(raw: RawFlag): T;
}

interface Common {
  aliases?: readonly string[];
  description: string;
}

/** A string value, with '' counting as absent (a script passing "$EMPTY" means "not given"). */
function text(raw: RawFlag): string | undefined {
  return typeof raw === 'string' && raw !== '' ? raw : undefined;
}

function strings(raw: RawFlag): string[] {
  if (raw === undefined) return [];
  return (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
}

/** Decimal digits only: no sign, exponent, hex, blank or padding. */
const WHOLE = /^[0-9]+$/;
const DECIMAL = /^[0-9]+(\.[0-9]+)?$/;

export interface NumberRule {
  integer: boolean;
  min: number;
  max: number;
}

/**
 * The CLI's one number rule: decimal digits (with a fractional part only
 * where `integer` is false) within [min, max]; anything else is a
 * UsageError naming the flag, the rule and the value.
 */
export function parseNumber(value: string, flag: string, rule: NumberRule): number {
  const n = (rule.integer ? WHOLE : DECIMAL).test(value) ? Number(value) : Number.NaN;
  if (!(n >= rule.min && n <= rule.max)) {
    const kind = rule.integer ? 'a whole number' : 'a number';
    throw new UsageError(`--${flag} must be ${kind} from ${rule.min} to ${rule.max} (got "${value}")`, [
      flag,
    ]);
  }
  return n;
}

/** A duration like 30s, 2m, 1h or 1d in milliseconds; zero only when `allowZero`. */
export function parseDurationFlag(value: string, flag: string, allowZero: boolean): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms < 0 || (ms === 0 && !allowZero)) {
    const bound = allowZero ? '' : ', greater than 0';
    throw new UsageError(`--${flag} must be a duration like 30m, 2h or 1d${bound} (got "${value}")`, [flag]);
  }
  return ms;
}

/** One ISBN-13, normalised (hyphens and spaces removed), or a UsageError naming the flag. */
export function parseIsbnFlag(value: string, flag: string): string {
  try {
    return parseIsbn13(value);
  } catch (err) {
    throw new UsageError(`--${flag}: ${(err as Error).message}`, [flag]);
  }
}

/**
 * Splits ISBN-list text: commas always separate; whitespace separates too,
 * except inside one ISBN written with spaces (a piece holding exactly 13
 * digits is one ISBN, as `978 0 7225 3293 5` is).
 */
export function splitIsbnList(values: readonly string[]): string[] {
  return values.flatMap((value) =>
    value.split(',').flatMap((piece) => {
      const trimmed = piece.trim();
      if (trimmed === '') return [];
      return trimmed.replace(/[\s-]/g, '').length === 13 ? [trimmed] : trimmed.split(/\s+/);
    }),
  );
}

/**
 * The CLI's one ISBN-list rule: every value of a repeated flag, split by
 * `splitIsbnList`; with `tooManyHint` (what to do instead), counted against
 * MAX_ISBNS_PER_REQUEST before any is parsed, as the request schemas count
 * (the count is reported, never the list); then each checked with the
 * domain's ISBN-13 rule, the first bad one named.
 */
export function parseIsbnList(values: readonly string[], flag: string, tooManyHint?: string): string[] {
  const pieces = splitIsbnList(values);
  if (tooManyHint !== undefined && pieces.length > MAX_ISBNS_PER_REQUEST) {
    throw new UsageError(`--${flag}: ${tooManyIsbns(pieces.length, tooManyHint)}`, [flag]);
  }
  return pieces.map((piece) => parseIsbnFlag(piece, flag));
}

/** A comma-separated list of names (`--only a,b`), blanks dropped; undefined when absent. */
export function parseNameList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

type Declaration<T> = Omit<Flag<T>, 'aliases' | 'multiple' | 'type'> & {
  aliases?: readonly string[] | undefined;
  multiple?: boolean;
  type?: Flag['type'];
};

/** Fills in what most flags share: a single string value, no aliases. */
function declare<T>(d: Declaration<T>): Flag<T> {
  return { ...d, type: d.type ?? 'string', aliases: d.aliases ?? [], multiple: d.multiple ?? false };
}

/** A flag that is there or not. */
export function booleanFlag(name: string, o: Common): Flag<boolean> {
  return declare({ name, type: 'boolean', ...o, parse: (raw) => raw === true });
}

/** A free-text value ('' counts as absent); undefined when absent. */
export function textFlag(name: string, placeholder: string, o: Common): Flag<string | undefined>;
/** A free-text value ('' counts as absent); `default` when absent. */
export function textFlag(name: string, placeholder: string, o: Common & { default: string }): Flag<string>;
export function textFlag(
  name: string,
  placeholder: string,
  o: Common & { default?: string },
): Flag<string | undefined> {
  return declare({ name, placeholder, ...o, parse: (raw) => text(raw) ?? o.default });
}

/** A free-text value that may repeat (`--attr k=v --attr k2=v2`). */
export function repeatedTextFlag(name: string, placeholder: string, o: Common): Flag<string[]> {
  return declare({ name, placeholder, multiple: true, ...o, parse: strings });
}

type NumberOptions = Common & { min: number; max: number };

function numeric(name: string, placeholder: string, o: NumberOptions, integer: boolean) {
  const rule: NumberRule = { integer, min: o.min, max: o.max };
  return declare<number | undefined>({
    name,
    placeholder,
    aliases: o.aliases,
    description: o.description,
    rule: `${integer ? 'a whole number' : 'a number'} from ${o.min} to ${o.max}`,
    parse: (raw) => (typeof raw === 'string' ? parseNumber(raw, name, rule) : undefined),
  });
}

/** A whole number in [min, max]; undefined when absent. */
export function integerFlag(name: string, placeholder: string, o: NumberOptions): Flag<number | undefined>;
/** A whole number in [min, max]; `default` when absent. */
export function integerFlag(
  name: string,
  placeholder: string,
  o: NumberOptions & { default: number },
): Flag<number>;
export function integerFlag(
  name: string,
  placeholder: string,
  o: NumberOptions & { default?: number },
): Flag<number | undefined> {
  const flag = numeric(name, placeholder, o, true);
  const fallback = o.default;
  if (fallback === undefined) return flag;
  return { ...flag, default: String(fallback), parse: (raw) => flag.parse(raw) ?? fallback };
}

/** A decimal number in [min, max]; undefined when absent. */
export function decimalFlag(name: string, placeholder: string, o: NumberOptions): Flag<number | undefined> {
  return numeric(name, placeholder, o, false);
}

type DurationOptions = Common & { allowZero?: boolean };

/** A duration (30s, 2m, 1h, 1d) in milliseconds; undefined when absent. */
export function durationFlag(name: string, o: DurationOptions): Flag<number | undefined>;
/** A duration in milliseconds; `default` (a duration text) when absent. */
export function durationFlag(name: string, o: DurationOptions & { default: string }): Flag<number>;
export function durationFlag(
  name: string,
  o: Common & { default?: string; allowZero?: boolean },
): Flag<number | undefined> {
  const allowZero = o.allowZero ?? false;
  return declare({
    name,
    placeholder: 'D',
    aliases: o.aliases,
    description: o.description,
    default: o.default,
    parse: (raw) => {
      const value = typeof raw === 'string' ? raw : o.default;
      return value === undefined ? undefined : parseDurationFlag(value, name, allowZero);
    },
  });
}

/** One of a fixed set of words; undefined when absent. */
export function choiceFlag<const C extends string>(
  name: string,
  choices: readonly C[],
  o: Common,
): Flag<C | undefined>;
/** One of a fixed set of words; `default` when absent. */
export function choiceFlag<const C extends string>(
  name: string,
  choices: readonly C[],
  o: Common & { default: C },
): Flag<C>;
export function choiceFlag<const C extends string>(
  name: string,
  choices: readonly C[],
  o: Common & { default?: C },
): Flag<C | undefined> {
  return declare({
    name,
    placeholder: choices.join('|'),
    aliases: o.aliases,
    description: o.description,
    default: o.default,
    parse: (raw) => {
      const value = typeof raw === 'string' ? raw : o.default;
      if (value === undefined) return undefined;
      if (!(choices as readonly string[]).includes(value)) {
        throw new UsageError(`--${name} must be one of ${choices.join('|')} (got "${value}")`, [name]);
      }
      return value as C;
    },
  });
}

/** One ISBN-13, normalised; undefined when absent. */
export function isbnFlag(name: string, o: Common): Flag<string | undefined> {
  return declare({
    name,
    placeholder: 'X',
    ...o,
    parse: (raw) => {
      const value = text(raw);
      return value === undefined ? undefined : parseIsbnFlag(value, name);
    },
  });
}

/**
 * Any number of ISBN-13s: the flag repeated, or values separated by commas or
 * spaces; with `tooManyHint`, at most MAX_ISBNS_PER_REQUEST of them.
 */
export function isbnListFlag(name: string, o: Common & { tooManyHint?: string }): Flag<string[]> {
  return declare({
    name,
    placeholder: 'X...',
    multiple: true,
    aliases: o.aliases,
    description: o.description,
    parse: (raw) => parseIsbnList(strings(raw), name, o.tooManyHint),
  });
}

/** The value of a flag the command cannot run without; UsageError naming it (and `hint`) otherwise. */
export function required<T>(value: T | undefined, flag: Flag<unknown>, hint?: string): T {
  if (value === undefined) {
    throw new UsageError(`--${flag.name} is required${hint ? ` (${hint})` : ''}`, [flag.name]);
  }
  return value;
}
