/**
 * The part of Vertex AI's list-filter language (AIP-160) the adapters use:
 * clauses joined by AND, each `field op value` with `=`, `!=`, `<`, `<=`,
 * `>`, `>=`, label equality (`labels.app="forecast-guard"`) and label
 * presence (`labels.app:*`, `labels:app`). Field names may be snake_case or
 * camelCase; `*_time` fields compare as instants. Anything else (OR,
 * parentheses, wildcards) is refused with INVALID_ARGUMENT, so an adapter
 * never silently gets an unfiltered list.
 */
import { invalid } from './rpc';

interface Clause {
  field: string;
  op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'has';
  value: string;
}

/** What a filter can look at in one resource. */
export interface Filterable {
  labels?: Record<string, string> | null;
  /** Plain fields by snake_case name, as text (times in RFC 3339). */
  fields: Record<string, string | undefined>;
}

const CLAUSE = /^([A-Za-z_][\w.]*|labels\.("[^"]+"|[\w-]+))\s*(!=|<=|>=|=|<|>|:)\s*(.+)$/;

/** Parses a filter; an empty one matches everything. */
export function parseFilter(filter: unknown): Clause[] {
  if (typeof filter !== 'string' || filter.trim() === '') return [];
  if (/\bOR\b|[()]/.test(filter))
    throw invalid(
      `filter ${JSON.stringify(filter)}: OR and parentheses are not supported by the local server`,
    );
  return filter.split(/\s+AND\s+/).map((text) => {
    const match = CLAUSE.exec(text.trim());
    if (!match) throw invalid(`filter ${JSON.stringify(filter)}: cannot parse ${JSON.stringify(text)}`);
    const [, rawField, , op, rawValue] = match as unknown as [string, string, string, string, string];
    const field = snake(rawField.replace(/"/g, ''));
    const value = unquote(rawValue.trim());
    if (op === ':') {
      // `labels.key:*` and `labels:key` both ask whether a label is present.
      if (field === 'labels') return { field: `labels.${value}`, op: 'has', value: '' };
      if (value === '*') return { field, op: 'has', value: '' };
      throw invalid(`filter ${JSON.stringify(filter)}: ':' only tests label presence here`);
    }
    return { field, op: op as Clause['op'], value };
  });
}

/** True when the resource satisfies every clause. */
export function matches(clauses: Clause[], resource: Filterable): boolean {
  return clauses.every((clause) => {
    const actual = clause.field.startsWith('labels.')
      ? resource.labels?.[clause.field.slice('labels.'.length)]
      : resource.fields[clause.field];
    if (clause.op === 'has') return actual !== undefined;
    if (actual === undefined) return clause.op === '!=';
    const diff = compare(clause.field, actual, clause.value);
    switch (clause.op) {
      case '=':
        return diff === 0;
      case '!=':
        return diff !== 0;
      case '<':
        return diff < 0;
      case '<=':
        return diff <= 0;
      case '>':
        return diff > 0;
      default:
        return diff >= 0;
    }
  });
}

/** `create_time desc, end_time` → sort keys; unknown fields are refused. */
export function parseOrderBy(
  orderBy: unknown,
  allowed: string[],
  fallback: string,
): Array<{ field: string; desc: boolean }> {
  const text = typeof orderBy === 'string' && orderBy.trim() !== '' ? orderBy : fallback;
  return text.split(',').map((part) => {
    const [rawField = '', direction = 'asc'] = part.trim().split(/\s+/);
    const field = snake(rawField);
    if (!allowed.includes(field) || !/^(asc|desc)$/i.test(direction)) {
      throw invalid(
        `order_by ${JSON.stringify(text)}: supported fields are ${allowed.join(', ')}, each optionally followed by desc`,
      );
    }
    return { field, desc: direction.toLowerCase() === 'desc' };
  });
}

/** Orders two field values: `*_time` fields as instants, everything else as text. */
function compare(field: string, actual: string, wanted: string): number {
  if (!field.endsWith('_time')) return actual < wanted ? -1 : actual > wanted ? 1 : 0;
  const [a, b] = [Date.parse(actual), Date.parse(wanted)];
  if (Number.isNaN(b))
    throw invalid(`filter: ${field} wants an RFC 3339 time, got ${JSON.stringify(wanted)}`);
  return a - b;
}

function snake(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function unquote(value: string): string {
  return /^".*"$/.test(value) ? value.slice(1, -1) : value;
}
