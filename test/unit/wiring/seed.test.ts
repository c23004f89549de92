/**
 * The embedded fleet's files, decided in wiring: seed and demo drift see only
 * ports (a sales file, a manifest store), and `--force` / `isSeeded` know the
 * file names.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SalesSeries } from '../../../shared/contracts/model';
import { NotFoundError } from '../../../shared/errors';
import type { SalesFile } from '../../../shared/ports/sales-file';
import { demoDrift } from '../../../shared/services/demo';
import {
  SEEDED_FILES,
  clearSeededState,
  embeddedSalesFile,
  isSeeded,
  manifestStore,
} from '../../../shared/wiring/seed';

const ALCHEMIST = '9780722532935';
const CATERPILLAR = '9780241003008';

function series(isbn: string, volumes: number[]): SalesSeries {
  const points = volumes.map((volume, i) => ({
    weekEnding: new Date(Date.UTC(2024, 0, 6 + 7 * i)).toISOString().slice(0, 10),
    volume,
  }));
  return { isbn, title: `Book ${isbn}`, points };
}

function memorySales(initial: SalesSeries[]): SalesFile & { written: SalesSeries[][] } {
  const written: SalesSeries[][] = [];
  return {
    location: 'memory:sales',
    written,
    readAll: async () => structuredClone(initial),
    writeAll: async (all) => void written.push(structuredClone([...all])),
  };
}

describe('demoDrift over a SalesFile', () => {
  it("scales only that book's last weeks and writes every book back in order", async () => {
    const sales = memorySales([series(ALCHEMIST, [10, 10, 10, 10]), series(CATERPILLAR, [5, 5])]);
    const result = await demoDrift(ALCHEMIST, { sales }, { weeks: 2, factor: 2 });
    expect(sales.written).toHaveLength(1);
    const [alchemist, caterpillar] = sales.written[0] ?? [];
    expect(alchemist?.points.map((p) => p.volume)).toEqual([10, 10, 20, 20]);
    expect(caterpillar?.points.map((p) => p.volume)).toEqual([5, 5]);
    expect(result).toMatchObject({ isbn: ALCHEMIST, action: 'drift' });
  });

  it('names the book and where it looked when the book has no sales', async () => {
    const sales = memorySales([series(CATERPILLAR, [5])]);
    const drift = demoDrift(ALCHEMIST, { sales });
    await expect(drift).rejects.toThrow(NotFoundError);
    await expect(drift).rejects.toThrow(`${ALCHEMIST} has no sales in memory:sales`);
    expect(sales.written).toHaveLength(0);
  });
});

describe('the state directory', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fg-seed-wiring-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the CSV sales file reads back what it wrote', async () => {
    const file = embeddedSalesFile(dir);
    expect(file.location).toBe(join(dir, 'sales.csv'));
    const all = [series(ALCHEMIST, [1, 2]), series(CATERPILLAR, [3])];
    await file.writeAll(all);
    expect(await file.readAll()).toEqual(all);
  });

  it('the manifest store writes fleet.json, which makes the directory seeded', () => {
    const store = manifestStore(join(dir, 'nested'));
    expect(store.read()).toBeUndefined();
    const manifest = {
      asOf: '2025-01-01T09:00:00.000Z',
      books: 3,
      seed: 42,
      seededAt: 'x',
      fingerprint: 'f',
    };
    store.write(manifest);
    expect(store.read()).toEqual(manifest);
    expect(isSeeded(join(dir, 'nested'))).toBe(true);
  });

  it("clearSeededState removes seed's files and their SQLite companions, nothing else", () => {
    for (const f of SEEDED_FILES) for (const s of ['', '-wal', '-shm']) writeFileSync(join(dir, f + s), '');
    writeFileSync(join(dir, 'keep.txt'), 'mine');
    clearSeededState(dir);
    expect(readdirSync(dir)).toEqual(['keep.txt']);
    expect(SEEDED_FILES).toEqual(
      expect.arrayContaining(['fleet.sqlite', 'state.sqlite', 'queue.sqlite', 'sales.csv', 'fleet.json']),
    );
    expect(existsSync(join(dir, 'fleet.json'))).toBe(false);
  });
});
