import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GcsObjectStore } from '../../shared/adapters/gcp/gcs-object-store';
import { LocalObjectStore } from '../../shared/adapters/sales/local-object-store';
import { SlicedSalesData } from '../../shared/adapters/sales/sliced-sales-data';
import { systemClock } from '../../shared/ports/clock';
import { publisherCsv } from '../builders/publisher-sales';
import { startGcsServer, type GcsServer } from '../helpers/gcs-server';
import { storageFor } from '../helpers/gcs-client';
import { describeSalesDataContract } from './sales-data.contract';

let server: GcsServer;
let bucketSeq = 0;
beforeAll(async () => {
  server = await startGcsServer();
});
afterAll(() => server.stop());

/** A fresh bucket per test, so tests share the server but not its objects. */
function freshBucket(): string {
  const name = `sales-contract-${++bucketSeq}`;
  server.createBucket(name);
  return name;
}

describeSalesDataContract('Cloud Storage, one object in the publisher format', async (rows) => {
  const bucket = freshBucket();
  server.put(bucket, 'raw_data/UK_weekly_data.csv', publisherCsv(rows));
  const uri = `gs://${bucket}/raw_data/UK_weekly_data.csv`;
  const sales = new SlicedSalesData(new GcsObjectStore(uri, { storage: storageFor(server) }), {
    clock: systemClock,
  });
  return { sales, source: { uri }, foreign: { uri: `gs://${bucket}/raw_data/ISBN_data.csv` } };
});

describeSalesDataContract('Cloud Storage, a prefix of two drops', async (rows) => {
  const bucket = freshBucket();
  const half = Math.ceil(rows.length / 2);
  server.put(bucket, 'drops/2024-05-11.csv', publisherCsv(rows.slice(0, half)));
  server.put(bucket, 'drops/2024-05-25.csv', publisherCsv(rows.slice(half)));
  const sales = new SlicedSalesData(
    new GcsObjectStore(`gs://${bucket}/drops/`, { storage: storageFor(server), pageSize: 1 }),
    {
      clock: systemClock,
    },
  );
  // Each drop holds all three books (rows interleave books), so either names the three.
  return {
    sales,
    source: { uri: `gs://${bucket}/drops/2024-05-11.csv` },
    foreign: { uri: `gs://${bucket}/elsewhere/a.csv` },
  };
});

describeSalesDataContract('a local file in the publisher format', async (rows) => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-sales-file-'));
  const path = join(dir, 'UK_weekly_data.csv');
  writeFileSync(path, publisherCsv(rows));
  return {
    sales: new SlicedSalesData(new LocalObjectStore(path), { clock: systemClock }),
    source: { uri: path },
    foreign: { uri: join(dir, 'elsewhere.csv') },
    close: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describeSalesDataContract('a local folder of drops', async (rows) => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-sales-dir-'));
  mkdirSync(join(dir, 'drops'));
  writeFileSync(join(dir, 'drops', 'a.csv'), publisherCsv(rows.slice(0, 7)));
  writeFileSync(join(dir, 'drops', 'b.csv'), publisherCsv(rows.slice(7)));
  return {
    sales: new SlicedSalesData(new LocalObjectStore(join(dir, 'drops')), { clock: systemClock }),
    source: { uri: join(dir, 'drops', 'b.csv') },
    foreign: { uri: join(dir, 'other.csv') },
    close: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
