/**
 * The operator's rollback commands with the state on Firestore and the bus on
 * Pub/Sub (Google's emulators), the embedded model world beside them — the
 * configuration `forecast-guard up --emulators` runs: one book to a version,
 * one book to last-known-good, every model at once, each through the CLI,
 * the emergency form again through the operator script, and the HTTP
 * function behind the real functions framework (bearer token locally).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Registers the rollback entry points; their runtime reads the env at the first call.
import '../../../functions/rollback';
import { main } from '../../../cli/main';
import { loadConfig } from '../../../shared/config';
import { COLLECTIONS } from '../../../shared/contracts/collections';
import { PRODUCTION_ALIAS } from '../../../shared/ports/model-registry';
import { demoDegrade } from '../../../shared/services/demo';
import { seedEmbeddedFleet } from '../../../shared/wiring/seed';
import { openBackend, SALES_CSV_FILE } from '../../../shared/wiring/backend';
import { closeFunctionRuntimes } from '../../../shared/wiring/function-runtime';
import { useFunctionEnv } from '../../helpers/function-env';
import { startFunctionServer } from '../../helpers/function-server';
import { describeOnEmulators, emulatorHosts, uniqueProjectId } from '../../helpers/emulators';

const ALCHEMIST = '9780722532935';
const CATERPILLAR = '9780241003008';

describeOnEmulators('forecast-guard rollback with Firestore and Pub/Sub', () => {
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fg-rollback-emu-'));
    const hosts = emulatorHosts()!;
    env = {
      FG_STATE_DIR: dir,
      FG_LOG_LEVEL: 'error',
      FG_BACKEND: 'gcp',
      FG_REGISTRY: 'local',
      GOOGLE_CLOUD_PROJECT: uniqueProjectId(),
      PUBSUB_EMULATOR_HOST: hosts.pubsub,
      FIRESTORE_EMULATOR_HOST: hosts.firestore,
      USER: 'alice',
    };
    const backend = openBackend(loadConfig(env));
    await seedEmbeddedFleet(
      { stateDir: dir, salesCsv: join(dir, SALES_CSV_FILE), books: 12, seed: 42 },
      backend,
    );
    await backend.close();
  }, 60_000);
  afterAll(async () => {
    await closeFunctionRuntimes();
    rmSync(dir, { recursive: true, force: true });
  });

  async function cli(...argv: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await main([...argv, '--json'], {
      env,
      streams: { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) },
    });
    return { code, stderr, doc: stdout ? JSON.parse(stdout) : undefined };
  }

  async function state(isbn: string) {
    const backend = openBackend(loadConfig(env));
    try {
      const serving = await backend.serving.getServing(isbn);
      const top = serving?.deployments.find((d) => d.trafficPercent === 100)?.version;
      const alias = await backend.registry.getAlias(isbn, PRODUCTION_ALIAS);
      const records = await backend.state.query(COLLECTIONS.rollbackRecords, {
        where: [{ field: 'isbn', op: '==', value: isbn }],
      });
      return { top, alias, records: records.length };
    } finally {
      await backend.close();
    }
  }

  it('rolls one book to a named version', async () => {
    const run = await cli('rollback', '--isbn', ALCHEMIST, '--to-version', '2', '--reason', 'test');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.doc.results).toEqual([
      expect.objectContaining({ isbn: ALCHEMIST, from: '3', to: '2', status: 'succeeded', verified: true }),
    ]);
    expect(await state(ALCHEMIST)).toMatchObject({ top: '2', alias: '2', records: 1 });
  });

  it('rolls a degraded book back to its last-known-good version', async () => {
    const backend = openBackend(loadConfig(env));
    await demoDegrade(CATERPILLAR, {
      registry: backend.embeddedRegistry!,
      serving: backend.serving,
      bus: backend.bus,
    });
    await backend.close();
    const run = await cli('rollback', '--isbn', CATERPILLAR, '--emergency');
    expect(run.code).toBe(0);
    expect(run.doc.results).toEqual([
      expect.objectContaining({ isbn: CATERPILLAR, from: '4', to: '3', status: 'succeeded' }),
    ]);
    expect(await state(CATERPILLAR)).toMatchObject({ top: '3', alias: '3' });
  });

  it('rolls every model at once to its previous version', async () => {
    const run = await cli('rollback', '--all-models', '--to-version', 'previous', '--reason', 'fleet drill');
    expect(run.code).toBe(0);
    expect(run.doc.results).toHaveLength(12);
    expect(
      run.doc.results.every(
        (r: { status: string; verified: boolean }) => r.status === 'succeeded' && r.verified,
      ),
    ).toBe(true);
  }, 60_000);

  it('runs the emergency form through the operator script', async () => {
    const backend = openBackend(loadConfig(env));
    await demoDegrade(ALCHEMIST, {
      registry: backend.embeddedRegistry!,
      serving: backend.serving,
      bus: backend.bus,
    });
    await backend.close();
    const cliLine = `${process.execPath} --import tsx ${join(__dirname, 'fixtures', 'cli-entry.ts')}`;
    const res = spawnSync(
      'bash',
      [join(__dirname, '../../../scripts/rollback_model.sh'), '--emergency', '--json'],
      {
        env: { ...process.env, ...env, FORECAST_GUARD_CLI: cliLine },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(res.status).toBe(0);
    const doc = JSON.parse(res.stdout) as { results: Array<{ isbn: string; status: string; to: string }> };
    expect(doc.results).toEqual(
      expect.arrayContaining([expect.objectContaining({ isbn: ALCHEMIST, status: 'succeeded', to: '3' })]),
    );
    expect(await state(ALCHEMIST)).toMatchObject({ top: '3', alias: '3' });
  }, 60_000);

  it('answers through the HTTP function: 401 without the token, one book rolled back with it', async () => {
    const token = 'emulator-rollback-token-0123456789';
    const fnEnv = useFunctionEnv({ ...env, FG_ROLLBACK_TOKEN: token, K_SERVICE: undefined });
    const http = await startFunctionServer('rollbackHttp');
    try {
      const request = {
        requestId: `http-${Date.now()}`,
        scope: { isbns: [ALCHEMIST] },
        target: { kind: 'version', version: '1' },
        reason: 'http on the emulators',
        requestedBy: 'alice',
        correlationId: 'corr-rollback-http-emulators',
      };
      const post = (headers: Record<string, string>) =>
        fetch(http.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(request),
        });
      expect((await post({})).status).toBe(401);
      const res = await post({ authorization: `Bearer ${token}` });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { results: Array<{ isbn: string; to: string; status: string }> };
      expect(body.results).toEqual([
        expect.objectContaining({ isbn: ALCHEMIST, to: '1', status: 'succeeded' }),
      ]);
      expect(await state(ALCHEMIST)).toMatchObject({ top: '1', alias: '1' });
    } finally {
      await http.close();
      fnEnv.restore();
    }
  }, 60_000);
});
