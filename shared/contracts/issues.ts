/**
 * Turns zod issues into one readable reason per field, for people reading a
 * log line or CLI output: `severity: must be one of critical|warning|info (got "urgent")`.
 * zod's own wording is kept only where a schema wrote its own message.
 */
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

/** One failing field: its dotted path (`scope.isbns.0`, `(root)` for the value itself) and why. */
export interface FieldProblem {
  path: string;
  reason: string;
}

/** Values are echoed at most this long, so a 5 MB payload never lands in a log line. */
export const PREVIEW_LIMIT = 80;

/** A short JSON-ish rendering of any value, truncated at `max` characters. */
export function preview(value: unknown, max = PREVIEW_LIMIT): string {
  let text: string;
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') text = `${value}n`;
  else if (typeof value === 'function' || typeof value === 'symbol') text = String(value);
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
  }
  return text.length > max ? `${text.slice(0, max - 1)}… (${text.length} chars)` : text;
}

/** `a.b.0.c`; keys that are not plain identifiers are quoted: `attributes["logging.googleapis.com/timestamp"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const key of path) {
    const k = typeof key === 'symbol' ? key.toString() : String(key);
    if (/^[A-Za-z_$@][\w$@-]*$/.test(k) || /^[0-9]+$/.test(k)) out += out ? `.${k}` : k;
    else out += `[${JSON.stringify(k)}]`;
  }
  return out;
}

/** Every problem in `issues`, in order, duplicates removed. */
export function describeIssues(issues: readonly Issue[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  for (const issue of issues) {
    for (const p of describeIssue(issue, [])) {
      const key = `${p.path}\u0000${p.reason}`;
      if (!seen.has(key)) {
        seen.add(key);
        problems.push(p);
      }
    }
  }
  return problems;
}

// zod's English defaults all start like this; anything else was written by a schema author and says more.
const ZOD_DEFAULT = /^(Invalid|Too (small|big)|Unrecognized|Expected)/;

function ownMessage(issue: Issue): string | undefined {
  return issue.message && !ZOD_DEFAULT.test(issue.message) ? issue.message : undefined;
}

function got(input: unknown): string {
  // Missing values are said as "is required" elsewhere; "(got undefined)" adds nothing.
  return input === undefined ? '' : ` (got ${preview(input)})`;
}

function describeIssue(issue: Issue, prefix: readonly PropertyKey[]): FieldProblem[] {
  const path = [...prefix, ...issue.path];
  const at = (reason: string): FieldProblem[] => [{ path: formatPath(path), reason }];
  const input = issue.input;
  const own = ownMessage(issue);
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined || issue.expected === 'nonoptional') return at('is required');
      return at(`${own ?? typeReason(issue.expected)}${got(input)}`);
    case 'invalid_value': {
      const allowed = issue.values.map((v) => (typeof v === 'string' ? v : preview(v))).join('|');
      const expected = issue.values.length === 1 ? `must be ${allowed}` : `must be one of ${allowed}`;
      if (input === undefined)
        return at(issue.values.length === 1 ? 'is required' : `is required (${allowed})`);
      return at(`${own ?? expected}${got(input)}`);
    }
    case 'too_small':
    case 'too_big':
      return at(`${own ?? sizeReason(issue)}${got(input)}`);
    case 'invalid_format':
      return at(`${own ?? formatReason(issue)}${got(input)}`);
    case 'not_multiple_of':
      return at(`${own ?? `must be a multiple of ${issue.divisor}`}${got(input)}`);
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        path: formatPath([...path, key]),
        reason: 'is not an allowed field',
      }));
    case 'invalid_key':
    case 'invalid_element': {
      const inner = describeIssues(issue.issues)
        .map((p) => p.reason)
        .join(', ');
      return at(`has an invalid ${issue.code === 'invalid_key' ? 'key' : 'element'}: ${inner}`);
    }
    case 'invalid_union':
      return describeUnion(issue, path);
    case 'custom':
    default:
      return at(`${own ?? 'is not valid'}${got(input)}`);
  }
}

function typeReason(expected: string): string {
  switch (expected) {
    case 'object':
    case 'record':
      return 'must be an object';
    case 'array':
      return 'must be an array';
    case 'int':
      return 'must be an integer';
    case 'boolean':
      return 'must be true or false';
    default:
      return `must be a ${expected}`;
  }
}

function sizeReason(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === 'too_small';
  const limit = small
    ? (issue as z.core.$ZodIssueTooSmall).minimum
    : (issue as z.core.$ZodIssueTooBig).maximum;
  const n = Number(limit);
  switch (issue.origin) {
    case 'string':
      if (small && n === 1) return 'must not be empty';
      return `must be ${issue.exact ? 'exactly' : small ? 'at least' : 'at most'} ${n} characters`;
    case 'array':
    case 'set':
      if (small && n === 1) return 'must have at least 1 item';
      return `must have ${issue.exact ? 'exactly' : small ? 'at least' : 'at most'} ${n} items`;
    default: {
      const op = small ? (issue.inclusive === false ? '>' : '>=') : issue.inclusive === false ? '<' : '<=';
      return `must be ${op} ${String(limit)}`;
    }
  }
}

function formatReason(issue: z.core.$ZodIssueInvalidStringFormat): string {
  const detail = issue as z.core.$ZodStringFormatIssues;
  switch (detail.format) {
    case 'datetime':
      return 'must be an ISO 8601 date-time, e.g. 2024-05-01T10:00:00Z';
    case 'date':
      return 'must be an ISO date, YYYY-MM-DD';
    case 'regex':
      return `must match ${detail.pattern}`;
    case 'starts_with':
      return `must start with "${detail.prefix}"`;
    case 'ends_with':
      return `must end with "${detail.suffix}"`;
    case 'includes':
      return `must include "${detail.includes}"`;
    default:
      return `must be a valid ${detail.format}`;
  }
}

/**
 * A union names the branch the value was clearly aiming at (all its keys
 * known, none missing) and that branch's problems; when no single branch
 * fits, it says which shapes are allowed. A discriminated union names its tag.
 */
function describeUnion(issue: z.core.$ZodIssueInvalidUnion, path: PropertyKey[]): FieldProblem[] {
  const input = issue.input;
  if (input === undefined) return [{ path: formatPath(path), reason: 'is required' }];
  if (issue.discriminator !== undefined) {
    // `options` is only on the no-match variant of the issue type.
    const listed = 'options' in issue ? (issue.options ?? []) : [];
    const options = listed.map((o) => (typeof o === 'string' ? o : preview(o))).join('|');
    const tag = isRecord(input) ? input[issue.discriminator] : undefined;
    // zod already puts the tag on the path; when the value is not an object the tag is never reached.
    const tagPath = path[path.length - 1] === issue.discriminator ? path : [...path, issue.discriminator];
    if (!isRecord(input)) return [{ path: formatPath(path), reason: `must be an object${got(input)}` }];
    const reason = tag === undefined ? `is required (${options})` : `must be one of ${options}${got(tag)}`;
    return [{ path: formatPath(tagPath), reason }];
  }
  const branches = issue.errors;
  const fitting = branches.filter((branch) => branch.every((i) => !missesOwnKey(i)));
  if (branches.length > 0 && fitting.length === 1 && isRecord(input)) {
    return (fitting[0] ?? []).flatMap((i) => describeIssue(i, path));
  }
  const own = ownMessage(issue);
  return [{ path: formatPath(path), reason: `${own ?? 'matches none of the allowed shapes'}${got(input)}` }];
}

// A branch "misses" when it lacks one of its own top-level keys, has keys it does not know, or wants another type.
// A custom issue is a refinement of a value that is there (it may leave out its input on purpose, not to echo it).
function missesOwnKey(issue: Issue): boolean {
  if (issue.code === 'unrecognized_keys') return issue.path.length === 0;
  if (issue.path.length === 0) return true;
  if (issue.path.length === 1 && issue.input === undefined && issue.code !== 'custom') return true;
  return false;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
