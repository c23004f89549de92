/**
 * A health check whose actuals come from Cloud Storage: a seeded embedded
 * fleet's sales, rewritten in the publisher's format (hyphenated ISBNs,
 * quoted titles), uploaded to the local Cloud Storage server under a prefix,
 * and read through FG_SALES_URI. The live accuracy it computes equals the one
 * computed from the local sales.csv; a later drop that changes one book's
 * recent weeks makes exactly that book fire, read in ranged slices.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/main';
import { loadConfig } from '../../../shared/config';
import { parseCsv } from '../../../shared/fleet/csv';
import { seedEmbeddedFleet } from '../../../shared/wiring/seed';
import { openBackend, SALES_CSV_FILE } from '../../../shared/wiring/backend';
import { ensureTopology } from '../../../shared/wiring/topology-setup';
import { publisherCsv, type PublisherRow } from '../../builders/publisher-sales';
import { startGcsServer, type GcsServer } from '../../helpers/gcs-server';

const ALCHEMIST = '9780722532935';

interface RunDoc {
  status: string;
  models: Array<{ isbn: string; status: string; rmse?: number }>;
  alerts: Array<{ kind: string; isbn?: string }>;
}

async function healthRun(
  env: Record<string, string>,
): Promise<{ code: number; doc: RunDoc; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['health', 'run', '--json'], {
    env,
    streams: { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) },
  });
  return { code, doc: JSON.parse(stdout) as RunDoc, stderr };
}

describe('health check with actuals from Cloud Storage', () => {
  let server: GcsServer;
  let csvDir: string;
  let gcsDir: string;
  let rows: PublisherRow[];

  beforeAll(async () => {
    server = await startGcsServer();
    server.createBucket('acme-book-sales');
    // Two identical seeded worlds: one reads its sales.csv, the other Cloud Storage.
    csvDir = mkdtempSync(join(tmpdir(), 'fg-health-csv-'));
    gcsDir = mkdtempSync(join(tmpdir(), 'fg-health-gcs-'));
    for (const stateDir of [csvDir, gcsDir]) {
      const backend = openBackend(loadConfig({ FG_STATE_DIR: stateDir, FG_LOG_LEVEL: 'error' }));
      await seedEmbeddedFleet(
        { stateDir, salesCsv: join(stateDir, SALES_CSV_FILE), books: 6, seed: 7 },
        backend,
      );
      await ensureTopology(backend.bus);
      await backend.close();
    }
    const records = parseCsv(readFileSync(join(gcsDir, SALES_CSV_FILE), 'utf8')).slice(1);
    rows = records.map(({ fields: [isbn, title, week, volume] }) => ({
      isbn: isbn!,
      title: title!,
      week: week!,
      volume: Number(volume),
    }));
    server.put('acme-book-sales', 'raw_data/sales/UK_weekly_data.csv', publisherCsv(rows));
    rmSync(join(gcsDir, SALES_CSV_FILE)); // nothing local to fall back on
  }, 120_000);

  afterAll(async () => {
    await server.stop();
    rmSync(csvDir, { recursive: true, force: true });
    rmSync(gcsDir, { recursive: true, force: true });
  });

  const gcsEnv = () => ({
    FG_STATE_DIR: gcsDir,
    FG_LOG_LEVEL: 'error',
    FG_SALES_URI: 'gs://acme-book-sales/raw_data/sales/',
    STORAGE_EMULATOR_HOST: server.host,
  });

  it('computes the same live accuracy from the publisher-format object as from sales.csv', async () => {
    const local = await healthRun({ FG_STATE_DIR: csvDir, FG_LOG_LEVEL: 'error' });
    const before = server.requests.length;
    const remote = await healthRun(gcsEnv());
    expect(remote.stderr).toBe('');
    expect(remote.code).toBe(0);
    expect(remote.doc.models).toHaveLength(6);
    const rmse = (d: RunDoc) => Object.fromEntries(d.models.map((m) => [m.isbn, m.rmse]));
    expect(rmse(remote.doc)).toEqual(rmse(local.doc));
    for (const m of remote.doc.models) expect(m.rmse).toEqual(expect.any(Number));
    // Each book's actuals came as a ranged read of that object.
    const ranged = server.requests.slice(before).filter((r) => r.query.get('alt') === 'media' && r.range);
    expect(ranged.length).toBeGreaterThanOrEqual(6);
  });

  it('pages the book whose actuals a new drop changes, and only that book', async () => {
    const recent = rows.filter((r) => r.isbn === ALCHEMIST).slice(-8);
    server.put(
      'acme-book-sales',
      'raw_data/sales/drop-correction.csv',
      publisherCsv(recent.map((r) => ({ ...r, volume: Number(r.volume) * 6 + 500 }))),
    );
    const res = await healthRun(gcsEnv());
    expect(res.code).toBe(1);
    expect(new Set(res.doc.alerts.map((a) => a.isbn))).toEqual(new Set([ALCHEMIST]));
    expect(res.doc.models.find((m) => m.isbn === ALCHEMIST)?.status).toBe('degraded');
  });
});
