import fc from 'fast-check';
import { CsvRecordScanner, type ScannedRecord } from '../../../../shared/adapters/sales/csv-scan';
import { formatCsv, parseCsv } from '../../../../shared/fleet/csv';
import { ValidationError } from '../../../../shared/errors';

/** Feeds `bytes` cut at `cuts` and collects the records. */
function scan(bytes: Buffer, cuts: number[] = [], start = 0, line = 1): ScannedRecord[] {
  const out: ScannedRecord[] = [];
  const scanner = new CsvRecordScanner('s.csv', start, line);
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    scanner.push(bytes.subarray(at, cut), (r) => out.push(r));
    at = cut;
  }
  scanner.push(bytes.subarray(at), (r) => out.push(r));
  scanner.finish((r) => out.push(r));
  return out;
}

describe('CsvRecordScanner', () => {
  it('gives each record its byte range and starting line, across quoted commas, quotes and line breaks', () => {
    const text = 'ISBN,Title\r\n978,"Alchemist, The"\r\n979,"Say ""hi""\nthere"\n\n980,é\n';
    const bytes = Buffer.from(text);
    const records = scan(bytes);
    expect(records.map((r) => [r.line, r.fields])).toEqual([
      [1, ['ISBN', 'Title']],
      [2, ['978', 'Alchemist, The']],
      [3, ['979', 'Say "hi"\nthere']],
      [6, ['980', 'é']], // line 5 is blank
    ]);
    for (const r of records)
      expect(bytes.subarray(r.start, r.end).toString().trim().startsWith(r.fields[0]!)).toBe(true);
    expect(records[3]!.end).toBe(bytes.length);
  });

  it('reads the same records whatever the chunk boundaries, as parseCsv does the whole text', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'é', ',', '"', '\n', ' ', '7') });
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (rows, rawCuts) => {
          const bytes = Buffer.from(formatCsv(rows));
          const cuts = rawCuts.map((c) => c % (bytes.length + 1));
          const expected = parseCsv(bytes.toString()).map((r) => ({ line: r.line, fields: r.fields }));
          expect(scan(bytes, cuts).map((r) => ({ line: r.line, fields: r.fields }))).toEqual(expected);
        },
      ),
    );
  });

  it('resumes mid-object at a record boundary with the right line numbers (a ranged read)', () => {
    const text = 'h\n1\n"a\nb"\n2\n';
    const bytes = Buffer.from(text);
    const all = scan(bytes);
    const third = all[2]!;
    const tail = scan(bytes.subarray(third.start), [], third.start, third.line);
    expect(tail).toEqual(all.slice(2));
  });

  it('takes a last record without a line break, and strips a byte-order mark', () => {
    expect(scan(Buffer.from('\ufeffISBN,V\n978,1')).map((r) => r.fields)).toEqual([
      ['ISBN', 'V'],
      ['978', '1'],
    ]);
  });

  it('refuses a quote that is never closed, naming the line it opened on', () => {
    expect(() => scan(Buffer.from('h\n1\n"open,\nstill\n'))).toThrow(
      new ValidationError('s.csv line 3: quote is never closed'),
    );
  });
});
