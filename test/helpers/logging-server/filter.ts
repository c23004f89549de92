/**
 * The Logging query language as the stand-in understands it
 * (https://cloud.google.com/logging/docs/view/logging-query-language):
 * comparisons `FIELD OP VALUE` with = != < <= > >= and `:` (has), string
 * values double-quoted with `\"` and `\\` escapes or bare words, value lists
 * `FIELD=("a" OR "b")`, parentheses, AND / OR / NOT (upper case, as the
 * language requires) and the implicit AND between adjacent expressions.
 * Anything else is refused as unparseable (INVALID_ARGUMENT), so a query the
 * adapter sends outside this subset fails its test instead of passing
 * unread. Fields are paths into the entry (`resource.labels.service_name`,
 * `labels.correlationId`, `jsonPayload.x`); `timestamp` compares as a time,
 * `severity` by its rank.
 */

type Token = { kind: 'str' | 'word' | 'op' | '(' | ')'; text: string };
export type Expr =
  | { kind: 'and' | 'or'; parts: Expr[] }
  | { kind: 'not'; part: Expr }
  | { kind: 'cmp'; field: string; op: string; values: string[] };

export class FilterError extends Error {}

const OPS = ['>=', '<=', '!=', '=~', '!~', '=', '<', '>', ':'];
const SEVERITY_RANK: Record<string, number> = {
  DEFAULT: 0,
  DEBUG: 100,
  INFO: 200,
  NOTICE: 300,
  WARNING: 400,
  ERROR: 500,
  CRITICAL: 600,
  ALERT: 700,
  EMERGENCY: 800,
};

function readString(text: string, start: number): { value: string; end: number } {
  let value = '';
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      const next = text[i + 1];
      if (next === undefined) break;
      value += next;
      i++;
    } else if (c === '"') return { value, end: i + 1 };
    else value += c;
  }
  throw new FilterError(`unterminated string at ${start}`);
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) i++;
    else if (c === '(' || c === ')') {
      tokens.push({ kind: c, text: c });
      i++;
    } else if (c === '"') {
      const s = readString(text, i);
      tokens.push({ kind: 'str', text: s.value });
      i = s.end;
    } else {
      const op = OPS.find((o) => text.startsWith(o, i));
      if (op) {
        tokens.push({ kind: 'op', text: op });
        i += op.length;
        continue;
      }
      const word = /^[A-Za-z0-9_.\-/@*]+/.exec(text.slice(i));
      if (!word) throw new FilterError(`unexpected character ${JSON.stringify(c)} at ${i}`);
      tokens.push({ kind: 'word', text: word[0] });
      i += word[0].length;
    }
  }
  return tokens;
}

class Parser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Expr {
    const expr = this.or();
    if (this.at < this.tokens.length) throw new FilterError(`unexpected ${this.tokens[this.at]!.text}`);
    return expr;
  }

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private isWord(w: string): boolean {
    const t = this.peek();
    return t?.kind === 'word' && t.text === w;
  }

  private or(): Expr {
    const parts = [this.and()];
    while (this.isWord('OR')) {
      this.at++;
      parts.push(this.and());
    }
    return parts.length === 1 ? (parts[0] as Expr) : { kind: 'or', parts };
  }

  private and(): Expr {
    const parts = [this.not()];
    for (;;) {
      const t = this.peek();
      if (!t || t.kind === ')' || this.isWord('OR')) break;
      if (this.isWord('AND')) this.at++;
      parts.push(this.not());
    }
    return parts.length === 1 ? (parts[0] as Expr) : { kind: 'and', parts };
  }

  private not(): Expr {
    if (this.isWord('NOT')) {
      this.at++;
      return { kind: 'not', part: this.not() };
    }
    if (this.peek()?.kind === '(') {
      this.at++;
      const inner = this.or();
      this.expect(')');
      return inner;
    }
    return this.comparison();
  }

  private expect(kind: Token['kind']): Token {
    const t = this.tokens[this.at];
    if (t?.kind !== kind) throw new FilterError(`expected ${kind} but found ${t ? t.text : 'the end'}`);
    this.at++;
    return t;
  }

  private value(): string {
    const t = this.tokens[this.at];
    if (t?.kind !== 'str' && t?.kind !== 'word')
      throw new FilterError(`expected a value but found ${t ? t.text : 'the end'}`);
    if (t.kind === 'word' && ['AND', 'OR', 'NOT'].includes(t.text))
      throw new FilterError(`expected a value but found ${t.text}`);
    this.at++;
    return t.text;
  }

  private comparison(): Expr {
    const field = this.expect('word').text;
    if (['AND', 'OR', 'NOT'].includes(field)) throw new FilterError(`expected a field but found ${field}`);
    const op = this.expect('op').text;
    if (this.peek()?.kind !== '(') return { kind: 'cmp', field, op, values: [this.value()] };
    this.at++;
    const values = [this.value()];
    while (this.isWord('OR')) {
      this.at++;
      values.push(this.value());
    }
    this.expect(')');
    return { kind: 'cmp', field, op, values };
  }
}

export function parseFilter(text: string): Expr | undefined {
  if (text.trim() === '') return undefined;
  return new Parser(tokenize(text)).parse();
}

function lookup(entry: Record<string, unknown>, field: string): unknown {
  let value: unknown = entry;
  for (const part of field.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function compare(field: string, actual: unknown, op: string, expected: string): boolean {
  if (actual === undefined || actual === null) return false;
  let a: number | string = String(actual);
  let e: number | string = expected;
  if (field === 'timestamp') {
    a = Date.parse(a);
    e = Date.parse(e);
    if (Number.isNaN(e)) throw new FilterError(`invalid timestamp ${expected}`);
  } else if (field === 'severity') {
    a = SEVERITY_RANK[a] ?? -1;
    e = SEVERITY_RANK[e.toUpperCase()] ?? Number.NaN;
    if (Number.isNaN(e)) throw new FilterError(`invalid severity ${expected}`);
  }
  switch (op) {
    case '=':
      return a === e;
    case '!=':
      return a !== e;
    case '<':
      return a < e;
    case '<=':
      return a <= e;
    case '>':
      return a > e;
    case '>=':
      return a >= e;
    case ':':
      return String(a).includes(String(e));
    default:
      throw new FilterError(`operator ${op} is not supported by this stand-in`);
  }
}

/** Whether an entry (plain object: resource, labels, jsonPayload, timestamp as ISO, severity name) matches. */
export function matches(expr: Expr | undefined, entry: Record<string, unknown>): boolean {
  if (!expr) return true;
  switch (expr.kind) {
    case 'and':
      return expr.parts.every((p) => matches(p, entry));
    case 'or':
      return expr.parts.some((p) => matches(p, entry));
    case 'not':
      return !matches(expr.part, entry);
    case 'cmp':
      return expr.values.some((v) => compare(expr.field, lookup(entry, expr.field), expr.op, v));
  }
}
