/**
 * Which columns of a sales file hold the ISBN, the week, the volume and the
 * title (FG_SALES_COLUMNS). Unset, a header is recognised as either the
 * publisher's BookScan-style export (`ISBN, Title, …, End Date, Volume, …`)
 * or forecast-guard's own `isbn,title,week_ending,volume`.
 */
import { ValidationError } from '../errors';

export const SALES_FIELDS = ['isbn', 'week', 'volume', 'title'] as const;
export type SalesField = (typeof SALES_FIELDS)[number];
/** Field → column name in the file's header. `title` may be absent (titles then read ''). */
export type SalesColumns = Readonly<Partial<Record<SalesField, string>>>;

const REQUIRED: readonly SalesField[] = ['isbn', 'week', 'volume'];

/** The two layouts recognised without FG_SALES_COLUMNS. */
export const KNOWN_LAYOUTS: readonly { name: string; columns: Required<SalesColumns> }[] = [
  { name: 'publisher', columns: { isbn: 'ISBN', week: 'End Date', volume: 'Volume', title: 'Title' } },
  {
    name: 'forecast-guard',
    columns: { isbn: 'isbn', week: 'week_ending', volume: 'volume', title: 'title' },
  },
];

/**
 * Parses `isbn=ISBN,week=End Date,volume=Volume,title=Title`. Column names are
 * taken as written (spaces inside kept, around `=` and `,` trimmed).
 */
export function parseSalesColumns(text: string, variable = 'FG_SALES_COLUMNS'): SalesColumns {
  const out: Partial<Record<SalesField, string>> = {};
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=');
    const field = (eq < 0 ? pair : pair.slice(0, eq)).trim();
    const column = eq < 0 ? '' : pair.slice(eq + 1).trim();
    if (!(SALES_FIELDS as readonly string[]).includes(field)) {
      throw new ValidationError(
        `${variable}: "${field}" is not a sales field (expected ${SALES_FIELDS.join(', ')} as field=Column)`,
        [variable],
      );
    }
    if (!column)
      throw new ValidationError(`${variable}: ${field} names no column (write ${field}=Column)`, [variable]);
    if (out[field as SalesField] !== undefined)
      throw new ValidationError(`${variable}: ${field} is mapped twice`, [variable]);
    out[field as SalesField] = column;
  }
  const missing = REQUIRED.filter((f) => out[f] === undefined);
  if (missing.length)
    throw new ValidationError(
      `${variable}: must map ${missing.join(', ')} (e.g. isbn=ISBN,week=End Date,volume=Volume)`,
      [variable],
    );
  return out;
}

/** Field → index in `header`, from the mapping or (none given) a recognised layout; else a ValidationError naming `source`. */
export function resolveColumns(
  header: readonly string[],
  mapping: SalesColumns | undefined,
  source: string,
): { isbn: number; week: number; volume: number; title: number | undefined } {
  const index = new Map(header.map((name, i) => [name.trim(), i]));
  const pick = (cols: SalesColumns) => ({
    isbn: index.get(cols.isbn ?? ''),
    week: index.get(cols.week ?? ''),
    volume: index.get(cols.volume ?? ''),
    title: cols.title === undefined ? undefined : index.get(cols.title),
  });
  if (mapping) {
    const got = pick(mapping);
    for (const field of SALES_FIELDS) {
      if (mapping[field] !== undefined && got[field] === undefined)
        throw new ValidationError(
          `${source} line 1: header has no "${mapping[field]}" column (FG_SALES_COLUMNS maps ${field} to it)`,
          ['header'],
        );
    }
    return got as { isbn: number; week: number; volume: number; title: number | undefined };
  }
  for (const layout of KNOWN_LAYOUTS) {
    const got = pick(layout.columns);
    if (got.isbn !== undefined && got.week !== undefined && got.volume !== undefined)
      return got as { isbn: number; week: number; volume: number; title: number | undefined };
  }
  throw new ValidationError(
    `${source} line 1: header is neither the publisher's (ISBN, End Date, Volume) nor forecast-guard's (isbn, week_ending, volume); set FG_SALES_COLUMNS, e.g. isbn=ISBN,week=End Date,volume=Volume`,
    ['header'],
  );
}
