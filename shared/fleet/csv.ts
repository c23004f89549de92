/**
 * RFC 4180 CSV, the small part of it sales files need: fields quoted when
 * they hold a comma, quote or line break, quotes doubled inside quotes, CRLF
 * between records (LF accepted on input). Titles such as "The Boy, the Mole,
 * the Fox and the Horse" are why this is not `split(',')`.
 */
import { ValidationError } from '../errors';

/** One field, quoted only when it must be. */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Records to CSV text, CRLF-terminated as RFC 4180 writes it. */
export function formatCsv(records: Iterable<readonly (string | number)[]>): string {
  let out = '';
  for (const record of records) out += `${record.map(csvField).join(',')}\r\n`;
  return out;
}

/** A parsed record and the line it started on (1-based), for error messages. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * Parses CSV text into records. Blank lines are skipped; a quote left open or
 * text after a closing quote is a ValidationError naming the line. `source`
 * names the file in messages.
 */
export function parseCsv(text: string, source = 'csv'): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a UTF-8 BOM from spreadsheet exports
  let quotedField = false;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '' && !quotedField))
      records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    quotedField = false;
  };
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '"' && field === '' && !quotedField) {
      // Quoted field: read to the closing quote, un-doubling "" on the way.
      quotedField = true;
      const openedOn = line;
      i++;
      for (;;) {
        if (i >= text.length)
          throw new ValidationError(`${source} line ${openedOn}: quote is never closed`, [
            `line ${openedOn}`,
          ]);
        const c = text[i] as string;
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === '\n') line++;
        field += c;
        i++;
      }
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        throw new ValidationError(`${source} line ${line}: unexpected text after a closing quote`, [
          `line ${line}`,
        ]);
      }
      continue;
    }
    if (ch === ',') {
      fields.push(field);
      field = '';
      quotedField = false;
      i++;
    } else if (ch === '\r' || ch === '\n') {
      endRecord();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
    } else {
      field += ch;
      i++;
    }
  }
  if (field !== '' || fields.length > 0 || quotedField) endRecord();
  return records;
}
