/**
 * CSV records from a byte stream, each with the byte range it occupies and
 * the line it starts on, so an index can point back into the object and a
 * later ranged read can resume at a record boundary with its line numbers
 * right. RFC 4180 as shared/fleet/csv.ts reads it (quoted fields may hold
 * commas, doubled quotes and line breaks; CRLF or LF). Scanning is bytewise:
 * `"`, `,`, CR and LF never occur inside a UTF-8 multibyte sequence, so no
 * decoding happens until a record is complete.
 */
import { ValidationError } from '../../errors';

const LF = 0x0a;
const QUOTE = 0x22;

export interface ScannedRecord {
  /** Byte offset of the record's first byte in the object. */
  start: number;
  /** Byte offset just past the record's line break (or the end of the object). */
  end: number;
  /** 1-based line the record starts on. */
  line: number;
  fields: string[];
}

export class CsvRecordScanner {
  private pending: Buffer[] = [];
  private chunkOffset: number;
  private recordStart: number;
  private recordLine: number;
  private newlinesInQuotes = 0;
  private inQuotes = false;

  /** `startOffset`/`startLine`: where in the object the bytes fed begin (a record boundary). */
  constructor(
    private readonly source: string,
    startOffset = 0,
    startLine = 1,
  ) {
    this.chunkOffset = startOffset;
    this.recordStart = startOffset;
    this.recordLine = startLine;
  }

  /** Feeds the next bytes; calls `onRecord` for every record they complete. */
  push(chunk: Buffer, onRecord: (record: ScannedRecord) => void): void {
    let i = 0;
    let segment = 0; // where the current record's bytes begin in this chunk
    const len = chunk.length;
    while (i < len) {
      if (this.inQuotes) {
        const q = chunk.indexOf(QUOTE, i);
        const stop = q < 0 ? len : q;
        for (let nl = chunk.indexOf(LF, i); nl >= 0 && nl < stop; nl = chunk.indexOf(LF, nl + 1))
          this.newlinesInQuotes++;
        if (q < 0) break;
        // A doubled quote closes here and reopens on the next byte, so "" needs no special case.
        this.inQuotes = false;
        i = q + 1;
        continue;
      }
      const nl = chunk.indexOf(LF, i);
      const q = chunk.indexOf(QUOTE, i);
      if (q >= 0 && (nl < 0 || q < nl)) {
        this.inQuotes = true;
        i = q + 1;
        continue;
      }
      if (nl < 0) break;
      this.emit(chunk.subarray(segment, nl + 1), this.chunkOffset + nl + 1, onRecord);
      i = nl + 1;
      segment = i;
    }
    if (segment < len) this.pending.push(chunk.subarray(segment));
    this.chunkOffset += len;
  }

  /** Ends the input: a last record without a line break is emitted; an open quote is a ValidationError. */
  finish(onRecord: (record: ScannedRecord) => void): void {
    if (this.inQuotes)
      throw new ValidationError(`${this.source} line ${this.recordLine}: quote is never closed`, [
        `line ${this.recordLine}`,
      ]);
    if (this.pending.length) this.emit(Buffer.alloc(0), this.chunkOffset, onRecord);
  }

  private emit(tail: Buffer, end: number, onRecord: (record: ScannedRecord) => void): void {
    const bytes = this.pending.length ? Buffer.concat([...this.pending, tail]) : tail;
    this.pending = [];
    let text = bytes.toString('utf8');
    if (this.recordStart === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1); // spreadsheet BOM
    text = text.replace(/\r?\n$/, '');
    const line = this.recordLine;
    const start = this.recordStart;
    this.recordLine += 1 + this.newlinesInQuotes;
    this.newlinesInQuotes = 0;
    this.recordStart = end;
    if (text === '' || text === '\r') return; // blank line
    onRecord({ start, end, line, fields: splitRecord(text, this.source, line) });
  }
}

/** One record's text into fields; quotes only cost a slow path when present. */
export function splitRecord(text: string, source: string, line: number): string[] {
  if (!text.includes('"')) return text.split(',');
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0)
          throw new ValidationError(`${source} line ${line}: quote is never closed`, [`line ${line}`]);
        field += text.slice(i, q);
        if (text[q + 1] === '"') {
          field += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      if (i < text.length && text[i] !== ',')
        throw new ValidationError(`${source} line ${line}: unexpected text after a closing quote`, [
          `line ${line}`,
        ]);
    } else {
      const comma = text.indexOf(',', i);
      field = text.slice(i, comma < 0 ? text.length : comma);
      i = comma < 0 ? text.length : comma;
    }
    fields.push(field);
    if (i >= text.length) return fields;
    i++; // the comma
    if (i === text.length) {
      fields.push('');
      return fields;
    }
  }
}
