/**
 * The sliced sales reader against the local Cloud Storage server: the
 * publisher's file as it is, per-book ranged reads pinned to the indexed
 * generation, re-indexing when an object is replaced, drops where later wins,
 * and bad rows named by object, line and field.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GcsObjectStore } from '../../../shared/adapters/gcp/gcs-object-store';
import {
  SlicedSalesData,
  type SlicedSalesDataOptions,
} from '../../../shared/adapters/sales/sliced-sales-data';
import { parseSalesColumns } from '../../../shared/config/sales-columns';
import { NotFoundError, ValidationError } from '../../../shared/errors';
import type { Clock } from '../../../shared/ports/clock';
import { publisherCsv, publisherLine, PUBLISHER_HEADER } from '../../builders/publisher-sales';
import { startGcsServer, type GcsServer } from '../../helpers/gcs-server';
import { storageFor } from '../../helpers/gcs-client';

const SAMPLE = readFileSync(
  join(__dirname, '../../fixtures/gcp-formats/9-publisher-pipeline/UK_weekly_data.sample.csv'),
);
const ALCHEMIST = '9780722532935';
const CATERPILLAR = '9780241003008';
const POTTER = '9780747532743';

let server: GcsServer;
let seq = 0;
beforeAll(async () => {
  server = await startGcsServer();
});
afterAll(() => server.stop());

function manualClock(start = '2024-07-01T00:00:00Z'): Clock & { advance(ms: number): void } {
  let now = new Date(start).getTime();
  return { now: () => new Date(now), sleep: async () => undefined, advance: (ms) => (now += ms) };
}

function reader(uri: string, options: Partial<SlicedSalesDataOptions> = {}) {
  return new SlicedSalesData(new GcsObjectStore(uri, { storage: storageFor(server), pageSize: 2 }), {
    clock: manualClock(),
    ...options,
  });
}

function bucket(): string {
  const name = `sliced-${++seq}`;
  server.createBucket(name);
  return name;
}

const mediaReads = (b: string) =>
  server.requests.filter((r) => r.query.get('alt') === 'media' && r.path.includes(`/b/${b}/`));

describe('SlicedSalesData over Cloud Storage', () => {
  it('reads the publisher sample as it is: hyphenated ISBNs join their book, quoted commas stay in titles', async () => {
    const b = bucket();
    server.put(b, 'raw_data/UK_weekly_data.csv', SAMPLE);
    const sales = reader(`gs://${b}/raw_data/UK_weekly_data.csv`);
    expect(await sales.listIsbns()).toEqual([CATERPILLAR, ALCHEMIST, POTTER]);
    const alchemist = await sales.getSeries(ALCHEMIST);
    expect(alchemist?.title).toBe('Alchemist, The');
    // Ten Saturdays 2024-04-27 .. 2024-06-29, including the three hyphenated rows.
    expect(alchemist?.points.map((p) => p.volume)).toEqual([
      812, 790, 845, 901, 876, 833, 958, 1012, 964, 927,
    ]);
    expect(alchemist?.points[2]).toEqual({ weekEnding: '2024-05-11', volume: 845 });
  });

  it('reads one book with a ranged read of just its bytes, pinned to the indexed generation', async () => {
    const b = bucket();
    const generation = server.put(b, 'raw_data/UK_weekly_data.csv', SAMPLE);
    const sales = reader(`gs://${b}/raw_data/UK_weekly_data.csv`);
    await sales.listIsbns();
    const before = mediaReads(b).length;
    await sales.getSeries(CATERPILLAR);
    const reads = mediaReads(b).slice(before);
    expect(reads).toHaveLength(1);
    expect(reads[0]!.query.get('generation')).toBe(generation);
    const [, start, end] = /^bytes=(\d+)-(\d+)$/.exec(reads[0]!.range ?? '') ?? [];
    const slice = SAMPLE.subarray(Number(start), Number(end) + 1).toString();
    expect(slice.trim().split('\n')).toHaveLength(10); // the Caterpillar's ten rows, nothing else
    expect(slice).not.toContain('Alchemist');
    expect(slice).not.toContain('Potter');
  });

  it('reads a file ordered by week: every row a range, near ranges merged, line numbers kept', async () => {
    const b = bucket();
    const weeks = ['2024-04-27', '2024-05-04', '2024-05-11'];
    const rows = weeks.flatMap((week, w) =>
      [POTTER, ALCHEMIST, CATERPILLAR].map((isbn, i) => ({
        isbn,
        title: `T${i}`,
        week,
        volume: w === 2 && i === 1 ? '1.5' : 10 * w + i,
      })),
    );
    server.put(b, 'by-week.csv', publisherCsv(rows));
    const uri = `gs://${b}/by-week.csv`;
    const merged = reader(uri);
    const apart = reader(uri, { coalesceGapBytes: 0 });
    await merged.listIsbns();
    await apart.listIsbns();
    let before = mediaReads(b).length;
    expect((await merged.getSeries(POTTER))?.points.map((p) => p.volume)).toEqual([0, 10, 20]);
    expect(mediaReads(b).length - before).toBe(1); // three rows 2 rows apart: one request
    before = mediaReads(b).length;
    expect((await apart.getSeries(POTTER))?.points.map((p) => p.volume)).toEqual([0, 10, 20]);
    expect(mediaReads(b).length - before).toBe(3); // one request per row
    // The Alchemist's bad row is line 9 (header, then 3 rows per week), counted through its neighbours.
    await expect(merged.getSeries(ALCHEMIST)).rejects.toThrow(`${uri} line 9: volume "1.5"`);
    await expect(apart.getSeries(ALCHEMIST)).rejects.toThrow(`${uri} line 9: volume "1.5"`);
  });

  it('re-indexes when the object is replaced between indexing and reading (old generation → 404)', async () => {
    const b = bucket();
    const rows = (volume: number) =>
      publisherCsv([
        { isbn: POTTER, title: 'Potter', week: '2024-05-04', volume: 1 },
        { isbn: ALCHEMIST, title: 'Alchemist, The', week: '2024-05-04', volume },
      ]);
    server.put(b, 'sales.csv', rows(10));
    const sales = reader(`gs://${b}/sales.csv`);
    expect((await sales.getSeries(ALCHEMIST))?.points[0]?.volume).toBe(10);
    // A new upload: different bytes, different offsets, new generation; the listing is still cached.
    server.put(
      b,
      'sales.csv',
      `${PUBLISHER_HEADER.join(',')}\n` + rows(2000).split('\n').slice(1).reverse().join('\n'),
    );
    expect((await sales.getSeries(ALCHEMIST))?.points[0]?.volume).toBe(2000);
  });

  it('applies drops oldest first, so a later drop wins for the same book-week', async () => {
    const b = bucket();
    server.put(
      b,
      'drops/w18.csv',
      publisherCsv([
        { isbn: ALCHEMIST, title: 'Alchemist, The', week: '2024-04-27', volume: 812 },
        { isbn: ALCHEMIST, title: 'Alchemist, The', week: '2024-05-04', volume: 790 },
      ]),
    );
    server.put(
      b,
      'drops/correction.csv',
      publisherCsv([{ isbn: ALCHEMIST, title: 'Alchemist, The', week: '2024-05-04', volume: 795 }]),
    );
    const sales = reader(`gs://${b}/drops/`);
    expect((await sales.getSeries(ALCHEMIST))?.points).toEqual([
      { weekEnding: '2024-04-27', volume: 812 },
      { weekEnding: '2024-05-04', volume: 795 },
    ]);
  });

  it('names the ISBNs in one drop at its generation, and says NotFound once that generation is gone', async () => {
    const b = bucket();
    server.put(b, 'drops/a.csv', publisherCsv([{ isbn: POTTER, title: 'P', week: '2024-05-04', volume: 1 }]));
    const generation = server.put(
      b,
      'drops/b.csv',
      publisherCsv([
        { isbn: ALCHEMIST, title: 'A', week: '2024-05-04', volume: 1 },
        { isbn: CATERPILLAR, title: 'C', week: '2024-05-04', volume: 1 },
      ]),
    );
    const sales = reader(`gs://${b}/drops/`);
    expect(await sales.isbnsIn({ uri: `gs://${b}/drops/b.csv`, generation })).toEqual([
      CATERPILLAR,
      ALCHEMIST,
    ]);
    server.put(b, 'drops/b.csv', publisherCsv([{ isbn: POTTER, title: 'P', week: '2024-05-11', volume: 1 }]));
    await expect(sales.isbnsIn({ uri: `gs://${b}/drops/b.csv`, generation })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(await sales.isbnsIn({ uri: `gs://${b}/drops/b.csv` })).toEqual([POTTER]);
  });

  it('sees a new drop once the listing is older than its max age, and at once on listIsbns', async () => {
    const b = bucket();
    const clock = manualClock();
    server.put(b, 'drops/a.csv', publisherCsv([{ isbn: POTTER, title: 'P', week: '2024-05-04', volume: 1 }]));
    const sales = reader(`gs://${b}/drops/`, { clock, listingMaxAgeMs: 60_000 });
    expect(await sales.getSeries(ALCHEMIST)).toBeUndefined();
    server.put(
      b,
      'drops/b.csv',
      publisherCsv([{ isbn: ALCHEMIST, title: 'A', week: '2024-05-04', volume: 7 }]),
    );
    expect(await sales.getSeries(ALCHEMIST)).toBeUndefined(); // listing still fresh
    clock.advance(60_001);
    expect((await sales.getSeries(ALCHEMIST))?.points).toEqual([{ weekEnding: '2024-05-04', volume: 7 }]);
    server.put(
      b,
      'drops/c.csv',
      publisherCsv([{ isbn: CATERPILLAR, title: 'C', week: '2024-05-04', volume: 7 }]),
    );
    expect(await sales.listIsbns()).toEqual([CATERPILLAR, ALCHEMIST, POTTER]);
  });

  it('reads a new drop at once after isbnsIn names it, without waiting out the listing’s max age', async () => {
    const b = bucket();
    server.put(b, 'drops/a.csv', publisherCsv([{ isbn: POTTER, title: 'P', week: '2024-05-04', volume: 1 }]));
    const sales = reader(`gs://${b}/drops/`, { listingMaxAgeMs: 3_600_000 });
    expect((await sales.getSeries(POTTER))?.points).toHaveLength(1);
    const generation = server.put(
      b,
      'drops/b.csv',
      publisherCsv([{ isbn: POTTER, title: 'P', week: '2024-05-11', volume: 9 }]),
    );
    expect(await sales.isbnsIn({ uri: `gs://${b}/drops/b.csv`, generation })).toEqual([POTTER]);
    expect((await sales.getSeries(POTTER))?.points).toEqual([
      { weekEnding: '2024-05-04', volume: 1 },
      { weekEnding: '2024-05-11', volume: 9 },
    ]);
  });

  it('leaves a missing week missing (a late feed is not zero sales), and fills it only when asked', async () => {
    const b = bucket();
    server.put(
      b,
      's.csv',
      publisherCsv([
        { isbn: POTTER, title: 'P', week: '2024-05-25', volume: 3 },
        { isbn: POTTER, title: 'P', week: '2024-05-04', volume: 1 },
      ]),
    );
    expect((await reader(`gs://${b}/s.csv`).getSeries(POTTER))?.points).toEqual([
      { weekEnding: '2024-05-04', volume: 1 },
      { weekEnding: '2024-05-25', volume: 3 },
    ]);
    expect((await reader(`gs://${b}/s.csv`, { fillMissingWeeks: true }).getSeries(POTTER))?.points).toEqual([
      { weekEnding: '2024-05-04', volume: 1 },
      { weekEnding: '2024-05-11', volume: 0 },
      { weekEnding: '2024-05-18', volume: 0 },
      { weekEnding: '2024-05-25', volume: 3 },
    ]);
  });

  it('reads 812.0 as 812 and refuses a fractional or negative volume, naming object, line and field', async () => {
    const b = bucket();
    server.put(
      b,
      's.csv',
      publisherCsv([
        { isbn: POTTER, title: 'P', week: '2024-05-04', volume: '812.0' },
        { isbn: ALCHEMIST, title: 'A', week: '2024-05-04', volume: '812.5' },
        { isbn: CATERPILLAR, title: 'C', week: '2024-05-04', volume: '-3' },
      ]),
    );
    const sales = reader(`gs://${b}/s.csv`);
    expect((await sales.getSeries(POTTER))?.points[0]?.volume).toBe(812);
    await expect(sales.getSeries(ALCHEMIST)).rejects.toThrow(
      new ValidationError(
        `gs://${b}/s.csv line 3: volume "812.5" must be a whole, non-negative number of copies`,
      ),
    );
    await expect(sales.getSeries(CATERPILLAR)).rejects.toThrow(/line 4: volume "-3"/);
  });

  it('refuses the same book-week twice in one object, naming both lines', async () => {
    const b = bucket();
    server.put(
      b,
      's.csv',
      publisherCsv([
        { isbn: POTTER, title: 'P', week: '2024-05-04', volume: 1 },
        { isbn: ALCHEMIST, title: 'A', week: '2024-05-04', volume: 1 },
        { isbn: POTTER, title: 'P', week: '2024-05-04', volume: 2 }, // written hyphenated: still the same book
      ]),
    );
    await expect(reader(`gs://${b}/s.csv`).getSeries(POTTER)).rejects.toThrow(
      `gs://${b}/s.csv line 4: ISBN ${POTTER} week 2024-05-04 already appears on line 2`,
    );
  });

  it('refuses a bad ISBN or a non-Saturday week with the object, line and field', async () => {
    const b = bucket();
    const header = `${PUBLISHER_HEADER.join(',')}\n`;
    server.put(
      b,
      'isbn.csv',
      header + publisherLine({ isbn: '9780722532936', title: 'A', week: '2024-05-04', volume: 1 }, false),
    );
    await expect(reader(`gs://${b}/isbn.csv`).listIsbns()).rejects.toThrow(
      new ValidationError(`gs://${b}/isbn.csv line 2: ISBN "9780722532936" has check digit 6, expected 5`),
    );
    server.put(
      b,
      'week.csv',
      header + publisherLine({ isbn: ALCHEMIST, title: 'A', week: '2024-05-05', volume: 1 }, false),
    );
    await expect(reader(`gs://${b}/week.csv`).getSeries(ALCHEMIST)).rejects.toThrow(
      `gs://${b}/week.csv line 2: week 2024-05-05 is not a Saturday`,
    );
  });

  it('follows FG_SALES_COLUMNS, and refuses a header it cannot place', async () => {
    const b = bucket();
    server.put(b, 'custom.csv', 'Book,Week Ending,Units\n978-0-7225-3293-5,2024-05-04,5\n');
    const mapped = reader(`gs://${b}/custom.csv`, {
      columns: parseSalesColumns('isbn=Book,week=Week Ending,volume=Units'),
    });
    expect(await mapped.getSeries(ALCHEMIST)).toEqual({
      isbn: ALCHEMIST,
      title: '',
      points: [{ weekEnding: '2024-05-04', volume: 5 }],
    });
    await expect(reader(`gs://${b}/custom.csv`).listIsbns()).rejects.toThrow(
      /custom\.csv line 1: header is neither the publisher's/,
    );
    await expect(
      reader(`gs://${b}/custom.csv`, {
        columns: parseSalesColumns('isbn=ISBN,week=Week Ending,volume=Units'),
      }).listIsbns(),
    ).rejects.toThrow(/header has no "ISBN" column \(FG_SALES_COLUMNS maps isbn to it\)/);
  });

  it('reads forecast-guard’s own sales.csv header too', async () => {
    const b = bucket();
    server.put(
      b,
      'sales.csv',
      'isbn,title,week_ending,volume\r\n9780722532935,"Alchemist, The",2024-05-04,9\r\n',
    );
    expect(await reader(`gs://${b}/sales.csv`).getSeries(ALCHEMIST)).toEqual({
      isbn: ALCHEMIST,
      title: 'Alchemist, The',
      points: [{ weekEnding: '2024-05-04', volume: 9 }],
    });
  });

  it('says NotFound for a missing object, and refuses a source outside its prefix', async () => {
    const b = bucket();
    await expect(reader(`gs://${b}/raw_data/UK_weekly_data.csv`).listIsbns()).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(reader(`gs://${b}/drops/`).isbnsIn({ uri: `gs://${b}/other/x.csv` })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(
      reader(`gs://${b}/drops/`).isbnsIn({ uri: `gs://another-bucket/drops/x.csv` }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});
