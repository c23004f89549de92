/**
 * Sales actuals read one book at a time (docs/sales-data.md): index a
 * generated 5,000-book file in the publisher's format, then read every book,
 * from a local file and from Cloud Storage (the local JSON API server, in its
 * own process so its copy of the object is not counted here). Each scenario
 * runs in a fresh process, so peak RSS is that scenario's alone.
 *
 * Goal: peak RSS under 256 MiB (a small Cloud Function) and peak heap far
 * below the file's size, i.e. memory set by one book's slice, not the fleet.
 * Figures: indexing time, per-book read medians and p95, peak RSS and heap.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Storage } from '@google-cloud/storage';
import { GcsObjectStore } from '../shared/adapters/gcp/gcs-object-store';
import { LocalObjectStore } from '../shared/adapters/sales/local-object-store';
import type { SalesObjectStore } from '../shared/adapters/sales/object-store';
import { SlicedSalesData } from '../shared/adapters/sales/sliced-sales-data';
import { isbn13CheckDigit } from '../shared/domain/isbn';
import { systemClock } from '../shared/ports/clock';
import { fmtMs, median, quantile, row } from './stats';

const BOOKS = Number(process.env.BENCH_SALES_BOOKS ?? 5000);
// The publisher's file has ~766 weeks per book (383,000 rows / 500 books); 156 keeps a
// 5,000-book file near 150 MB on a shared machine. Memory depends on one book's slice, not on this.
const WEEKS = Number(process.env.BENCH_SALES_WEEKS ?? 156);
const GOAL_RSS_MB = 256;
const MB = 1024 * 1024;

function isbnOf(i: number): string {
  const first12 = `978${String(100000000 + i).slice(-9)}`;
  return first12 + String(isbn13CheckDigit(first12));
}

/** The publisher's layout, grouped by book as its export is; every third ISBN hyphenated. */
async function generate(path: string): Promise<void> {
  const out = createWriteStream(path);
  out.write(
    'ISBN,Title,Author,Binding,Imprint,Publisher Group,Product Class,Source,End Date,Volume,Value,ASP,RRP\n',
  );
  const start = Date.UTC(2001, 0, 6); // a Saturday, as the publisher's range starts
  for (let b = 0; b < BOOKS; b++) {
    const isbn = isbnOf(b);
    const hyphenated = `${isbn.slice(0, 3)}-${isbn.slice(3, 4)}-${isbn.slice(4, 8)}-${isbn.slice(8, 12)}-${isbn.slice(12)}`;
    let chunk = '';
    for (let w = 0; w < WEEKS; w++) {
      const week = new Date(start + w * 7 * 86_400_000).toISOString().slice(0, 10);
      const volume = 100 + ((b * 31 + w * 7) % 900);
      chunk += `${w % 3 === 2 ? hyphenated : isbn},"Book ${b}, The","Author, A",Paperback,Imprint,Group,F1.1 General & Literary Fiction,"Y Children's, YA & Educational",${week},${volume},${(volume * 6.41).toFixed(2)},6.41,9.99\n`;
    }
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

interface Figures {
  indexMs: number;
  readMedianMs: number;
  readP95Ms: number;
  totalReadMs: number;
  peakRssMb: number;
  peakHeapMb: number;
  books: number;
}

/** Index + read every book through `store`, sampling memory as it goes. */
async function measure(store: SalesObjectStore): Promise<Figures> {
  let peakHeap = 0;
  const sample = () => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed));
  const timer = setInterval(sample, 10);
  const sales = new SlicedSalesData(store, { clock: systemClock });
  const t0 = performance.now();
  const isbns = await sales.listIsbns();
  const indexMs = performance.now() - t0;
  const times: number[] = [];
  let points = 0;
  const t1 = performance.now();
  for (const isbn of isbns) {
    const t = performance.now();
    points += (await sales.getSeries(isbn))?.points.length ?? 0;
    times.push(performance.now() - t);
    sample();
  }
  const totalReadMs = performance.now() - t1;
  clearInterval(timer);
  if (isbns.length !== BOOKS || points !== BOOKS * WEEKS)
    throw new Error(`read ${isbns.length} books / ${points} points, expected ${BOOKS} / ${BOOKS * WEEKS}`);
  return {
    indexMs,
    readMedianMs: median(times),
    readP95Ms: quantile(times, 0.95),
    totalReadMs,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    peakHeapMb: peakHeap / MB,
    books: isbns.length,
  };
}

/** The Cloud Storage server in a child process, serving `file` as gs://bench-sales/raw_data/UK_weekly_data.csv. */
async function startServer(file: string): Promise<{ host: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'sales-data-server.ts'), file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  return { host: line.toString().trim(), stop: () => void child.kill() };
}

async function scenario(kind: string, file: string): Promise<void> {
  if (kind === 'local') {
    process.stdout.write(JSON.stringify(await measure(new LocalObjectStore(file))) + '\n');
    return;
  }
  const server = await startServer(file);
  try {
    // A custom endpoint: the client sends no credentials, as the product's gs:// reader does with STORAGE_EMULATOR_HOST.
    const storage = new Storage({ projectId: 'bench', apiEndpoint: server.host });
    const store = new GcsObjectStore('gs://bench-sales/raw_data/UK_weekly_data.csv', { storage });
    process.stdout.write(JSON.stringify(await measure(store)) + '\n');
  } finally {
    server.stop();
  }
}

async function main(): Promise<void> {
  const [, , mode, kind, file] = process.argv;
  if (mode === '--scenario') return scenario(kind as string, file as string);

  const dir = mkdtempSync(join(tmpdir(), 'fg-bench-sales-'));
  try {
    const file = join(dir, 'UK_weekly_data.csv');
    const g = performance.now();
    await generate(file);
    const size = statSync(file).size;
    row(
      `generated ${BOOKS} books x ${WEEKS} weeks`,
      `${((BOOKS * WEEKS) / 1000).toFixed(0)}k rows`,
      `${(size / MB).toFixed(0)} MiB`,
      fmtMs(performance.now() - g),
    );
    for (const kind of ['local', 'gcs']) {
      const res = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--scenario', kind, file], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 16 * MB,
      });
      const f = JSON.parse(res.stdout.trim().split('\n').pop() ?? '{}') as Figures;
      const label = kind === 'local' ? 'local file' : 'gs:// (local server)';
      row(`${label}: index (one streaming pass)`, fmtMs(f.indexMs));
      row(`${label}: read one book, median / p95`, fmtMs(f.readMedianMs), fmtMs(f.readP95Ms));
      row(`${label}: read all ${f.books} books`, fmtMs(f.totalReadMs));
      row(
        `${label}: peak RSS / heap`,
        `${f.peakRssMb.toFixed(0)} MiB / ${f.peakHeapMb.toFixed(0)} MiB`,
        `goal RSS < ${GOAL_RSS_MB} MiB`,
        `file ${(size / MB).toFixed(0)} MiB`,
        f.peakRssMb < GOAL_RSS_MB ? 'ok' : 'OVER',
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
