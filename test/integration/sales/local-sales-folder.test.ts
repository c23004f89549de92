/**
 * The sliced reader over a local folder of drops, as the local stack uses it
 * (a drop is a file written into the folder): a rewritten file is a new
 * generation and is re-indexed, a temporary dot-file is not a drop, and
 * isbnsIn answers for one drop at the generation it names.
 */
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../../shared/adapters/sales/local-object-store';
import { SlicedSalesData } from '../../../shared/adapters/sales/sliced-sales-data';
import { NotFoundError, ValidationError } from '../../../shared/errors';
import type { Clock } from '../../../shared/ports/clock';
import { publisherCsv } from '../../builders/publisher-sales';

const ALCHEMIST = '9780722532935';
const POTTER = '9780747532743';
const frozen: Clock = { now: () => new Date('2024-07-01T00:00:00Z'), sleep: async () => undefined };

describe('SlicedSalesData over a local folder of drops', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'fg-sales-drops-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes a drop with an explicit modification time, so drop order and generations do not hang on the clock. */
  function drop(name: string, csv: string, mtimeSec: number): string {
    const path = join(dir, name);
    writeFileSync(path, csv);
    utimesSync(path, mtimeSec, mtimeSec);
    // What the local stack's watcher announces: the nanosecond mtime in whole microseconds.
    return String(statSync(path, { bigint: true }).mtimeNs / 1000n);
  }

  it('re-indexes a rewritten drop even while the listing is fresh, and skips dot-files', async () => {
    drop(
      'a.csv',
      publisherCsv([{ isbn: ALCHEMIST, title: 'A', week: '2024-05-04', volume: 1 }]),
      1_700_000_000,
    );
    drop('.a.csv.tmp', 'not,a,drop\n', 1_700_000_001);
    const sales = new SlicedSalesData(new LocalObjectStore(dir), { clock: frozen });
    expect(await sales.listIsbns()).toEqual([ALCHEMIST]);
    drop(
      'a.csv',
      publisherCsv([{ isbn: ALCHEMIST, title: 'A', week: '2024-05-04', volume: 42 }]),
      1_700_000_100,
    );
    expect((await sales.getSeries(ALCHEMIST))?.points).toEqual([{ weekEnding: '2024-05-04', volume: 42 }]);
  });

  it('orders drops by modification time, so the later one wins', async () => {
    drop(
      'z-first.csv',
      publisherCsv([{ isbn: POTTER, title: 'P', week: '2024-05-04', volume: 1 }]),
      1_700_000_000,
    );
    drop(
      'a-second.csv',
      publisherCsv([{ isbn: POTTER, title: 'P', week: '2024-05-04', volume: 2 }]),
      1_700_000_100,
    );
    const sales = new SlicedSalesData(new LocalObjectStore(dir), { clock: frozen });
    expect((await sales.getSeries(POTTER))?.points).toEqual([{ weekEnding: '2024-05-04', volume: 2 }]);
  });

  it('names a generation exactly as the watcher does: the nanosecond mtime in whole microseconds', async () => {
    // The write's own mtime (no utimes, which keeps only microseconds): from the float mtimeMs a
    // generation can come out one off (seen with the clock two years ahead), and the drop reads as gone.
    const path = join(dir, 'b.csv');
    writeFileSync(path, publisherCsv([{ isbn: POTTER, title: 'P', week: '2024-05-04', volume: 3 }]));
    const generation = String(statSync(path, { bigint: true }).mtimeNs / 1000n);
    const sales = new SlicedSalesData(new LocalObjectStore(dir), { clock: frozen });
    expect(await sales.isbnsIn({ uri: path, generation })).toEqual([POTTER]);
  });

  it('answers isbnsIn for one drop at its generation; NotFound once rewritten; ValidationError outside the folder', async () => {
    const generation = drop(
      'b.csv',
      publisherCsv([{ isbn: POTTER, title: 'P', week: '2024-05-04', volume: 1 }]),
      1_700_000_000,
    );
    const sales = new SlicedSalesData(new LocalObjectStore(dir), { clock: frozen });
    expect(await sales.isbnsIn({ uri: join(dir, 'b.csv'), generation })).toEqual([POTTER]);
    drop(
      'b.csv',
      publisherCsv([{ isbn: ALCHEMIST, title: 'A', week: '2024-05-04', volume: 1 }]),
      1_700_000_200,
    );
    await expect(sales.isbnsIn({ uri: join(dir, 'b.csv'), generation })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(await sales.isbnsIn({ uri: join(dir, 'b.csv') })).toEqual([ALCHEMIST]);
    await expect(sales.isbnsIn({ uri: join(tmpdir(), 'elsewhere.csv') })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});
