/**
 * How every command prints: a readable table for people, or with `--json`
 * exactly one JSON document on stdout and nothing else.
 */

export interface Output {
  readonly json: boolean;
  /** Human text (suppressed with --json). */
  line(text?: string): void;
  table(rows: Array<Record<string, unknown>>, columns?: string[]): void;
  /** The command's result: printed as JSON with --json, else ignored (the command printed its own text). */
  result(doc: unknown): void;
  /** Diagnostics always go to stderr, never mixing with the JSON document. */
  error(text: string): void;
}

export interface Streams {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export const processStreams: Streams = {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
};

function cell(value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(2);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.map(cell).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Renders rows as an aligned plain-text table. */
export function renderTable(rows: Array<Record<string, unknown>>, columns?: string[]): string {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cells = rows.map((r) => cols.map((c) => cell(r[c])));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const fmt = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [fmt(cols.map((c) => c.toUpperCase())), ...cells.map(fmt)].join('\n') + '\n';
}

export function createOutput(json: boolean, streams: Streams = processStreams): Output {
  return {
    json,
    line: (text = '') => {
      if (!json) streams.stdout(text + '\n');
    },
    table: (rows, columns) => {
      if (!json) streams.stdout(rows.length ? renderTable(rows, columns) : '(none)\n');
    },
    result: (doc) => {
      if (json) streams.stdout(JSON.stringify(doc, null, 2) + '\n');
    },
    error: (text) => streams.stderr(text + '\n'),
  };
}
