import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvSalesData, parseSalesCsv } from '../../../../shared/adapters/local/csv-sales-data';
import { BackendUnavailableError, NotFoundError, ValidationError } from '../../../../shared/errors';
import { DEFAULT_BOOKS } from '../../../../shared/fleet/catalogue';
import { parseCsv } from '../../../../shared/fleet/csv';
import { toSalesRows, writeSalesCsv } from '../../../../shared/fleet/sales-csv';
import { generateFleetSales } from '../../../../shared/fleet/sales-generator';

const header = 'isbn,title,week_ending,volume';

describe('CsvSalesData', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fg-csv-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back exactly what the generator wrote, titles with commas included', async () => {
    const fleet = generateFleetSales(DEFAULT_BOOKS.slice(0, 12), { seed: 7, from: '2022', to: '2024' });
    const file = join(dir, 'sales.csv');
    await writeSalesCsv(file, toSalesRows(fleet));
    const sales = new CsvSalesData(file);
    expect(await sales.listIsbns()).toEqual(fleet.map((s) => s.isbn).sort());
    for (const series of fleet) expect(await sales.getSeries(series.isbn)).toEqual(series);
    expect((await sales.getSeries('9781529105100'))?.title).toBe('The Boy, the Mole, the Fox and the Horse');
    expect(await sales.getSeries('9780000000002')).toBeUndefined();
  });

  it('sorts weeks, accepts LF endings, a BOM, extra columns and quoted quotes', async () => {
    const file = join(dir, 'sales.csv');
    writeFileSync(
      file,
      '\ufeffweek_ending,volume,isbn,title,store\n' +
        '2024-01-13,7,9780722532935,"The ""Alchemist""",x\n' +
        '2024-01-06,5,9780722532935,"The ""Alchemist""",y\n',
    );
    const series = await new CsvSalesData(file).getSeries('9780722532935');
    expect(series).toEqual({
      isbn: '9780722532935',
      title: 'The "Alchemist"',
      points: [
        { weekEnding: '2024-01-06', volume: 5 },
        { weekEnding: '2024-01-13', volume: 7 },
      ],
    });
  });

  it('parses once, and re-reads when the file changes', async () => {
    const file = join(dir, 'sales.csv');
    writeFileSync(file, `${header}\r\n9780722532935,The Alchemist,2024-01-06,5\r\n`);
    const sales = new CsvSalesData(file);
    const first = await sales.getSeries('9780722532935');
    first!.points.push({ weekEnding: '2030-01-05', volume: 1 }); // callers get a copy
    expect((await sales.getSeries('9780722532935'))!.points).toHaveLength(1);
    writeFileSync(
      file,
      `${header}\r\n9780722532935,The Alchemist,2024-01-06,5\r\n9780722532935,The Alchemist,2024-01-13,9\r\n`,
    );
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    expect((await sales.getSeries('9780722532935'))!.points).toHaveLength(2);
  });

  it.each([
    ['9780722532936,T,2024-01-06,5', 'line 2: isbn is not a valid ISBN-13', 'line 2.isbn'],
    ['978072253293,T,2024-01-06,5', 'line 2: isbn "978072253293" must be 13 digits', 'line 2.isbn'],
    [
      '9780722532935,T,2024-01-05,5',
      'line 2: week_ending 2024-01-05 is not a Saturday',
      'line 2.week_ending',
    ],
    [
      '9780722532935,T,2024-02-30,5',
      'line 2: week_ending "2024-02-30" must be an ISO date',
      'line 2.week_ending',
    ],
    ['9780722532935,T,2024-01-06,-3', 'line 2: volume -3 must not be negative', 'line 2.volume'],
    [
      '9780722532935,T,2024-01-06,2.5',
      'line 2: volume 2.5 must be a whole number of copies',
      'line 2.volume',
    ],
    ['9780722532935,T,2024-01-06,', 'line 2: volume "" must be a whole number of copies', 'line 2.volume'],
    ['9780722532935,T,2024-01-06', 'line 2: has 3 fields, header has 4', 'line 2'],
  ])('rejects %p naming the line and field', (row, message, field) => {
    const act = () => parseSalesCsv(`${header}\n${row}\n`, 'sales.csv');
    expect(act).toThrow(ValidationError);
    expect(act).toThrow(`sales.csv ${message}`);
    try {
      act();
    } catch (err) {
      expect((err as ValidationError).fields).toEqual([field]);
    }
  });

  it('rejects a duplicate week for the same book, naming the later line', () => {
    const text = `${header}\n9780722532935,T,2024-01-06,5\n9780241003008,C,2024-01-06,5\n9780722532935,T,2024-01-06,6\n`;
    expect(() => parseSalesCsv(text, 'sales.csv')).toThrow(
      'sales.csv line 4: week_ending 2024-01-06 appears twice for ISBN 9780722532935',
    );
  });

  it('streams a file: a week repeated out of order fails the read naming the later line; huge volumes read back exactly', async () => {
    const file = join(dir, 'sales.csv');
    const rows = [
      '9780722532935,T,2024-01-20,5',
      '9780241003008,C,2024-01-06,5',
      '9780722532935,T,2024-01-06,6',
      '9780722532935,T,2024-01-20,7',
    ];
    writeFileSync(file, `${header}\n${rows.join('\n')}\n`);
    await expect(new CsvSalesData(file).getSeries('9780241003008')).rejects.toThrow(
      `${file} line 5: week_ending 2024-01-20 appears twice for ISBN 9780722532935`,
    );
    writeFileSync(file, `${header}\n9780722532935,T,2024-01-13,5000000000\n9780722532935,T,2024-01-06,1\n`);
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    const sales = new CsvSalesData(file);
    expect((await sales.getSeries('9780722532935'))?.points).toEqual([
      { weekEnding: '2024-01-06', volume: 1 },
      { weekEnding: '2024-01-13', volume: 5_000_000_000 },
    ]);
    expect(await sales.getSeriesFor(['9780722532935', '9780241003008'])).toEqual(
      new Map([['9780722532935', await sales.getSeries('9780722532935')]]),
    );
  });

  it('rejects a missing column, an empty file and an unclosed quote', () => {
    expect(() => parseSalesCsv('isbn,title,volume\n', 'f.csv')).toThrow(
      'f.csv line 1: header has no "week_ending" column',
    );
    expect(() => parseSalesCsv('', 'f.csv')).toThrow('f.csv is empty');
    expect(() => parseSalesCsv(`${header}\n9780722532935,"T,2024-01-06,5\n`, 'f.csv')).toThrow(
      'f.csv line 2: quote is never closed',
    );
  });

  it('fails a read of a bad file with the ValidationError, and a missing file with NotFoundError', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, `${header}\n9780722532935,T,2024-01-05,5\n`);
    await expect(new CsvSalesData(bad).listIsbns()).rejects.toThrow(
      `${bad} line 2: week_ending 2024-01-05 is not a Saturday`,
    );
    await expect(new CsvSalesData(join(dir, 'none.csv')).listIsbns()).rejects.toBeInstanceOf(NotFoundError);
    await expect(new CsvSalesData(dir).listIsbns()).rejects.toBeInstanceOf(BackendUnavailableError); // a directory
  });
});

describe('parseCsv', () => {
  it('keeps line breaks inside quotes and reports the line each record starts on', () => {
    expect(parseCsv('a,b\r\n"x\ny",2\r\n\r\nlast,"q"""')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x\ny', '2'] },
      { line: 5, fields: ['last', 'q"'] },
    ]);
    expect(() => parseCsv('"a"b,c', 'x.csv')).toThrow('x.csv line 1: unexpected text after a closing quote');
  });
});
