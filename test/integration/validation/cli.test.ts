/**
 * `validate` and `deploy` through the CLI, in-process, on a seeded embedded
 * fleet: a clean fleet validates with 1,000+ predictions and a consistent
 * registry; a broken version fails (exit 1) and is quarantined; a blocked
 * deployment names each failing gate; an approved high-risk deployment
 * records who approved it; a canary is baked and promoted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/main';
import { loadConfig } from '../../../shared/config';
import { COLLECTIONS } from '../../../shared/contracts/collections';
import type { Approval } from '../../../shared/contracts/documents/approval';
import type { ModelVersion } from '../../../shared/contracts/model';
import { openBackend, type Backend } from '../../../shared/wiring/backend';

async function run(env: Record<string, string>, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    env,
    streams: { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) },
  });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

type Gate = { name: string; passed: boolean; detail: string };

describe('forecast-guard validate / deploy (embedded)', () => {
  let stateDir: string;
  let env: Record<string, string>;
  let isbns: string[];

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'fg-validate-cli-'));
    env = { FG_STATE_DIR: stateDir, FG_LOG_LEVEL: 'error', FG_ENVIRONMENT: 'production', USER: 'tester' };
    expect((await run(env, 'seed', '--books', '3')).code).toBe(0);
    isbns = (await run(env, 'seed', '--books', '3', '--json'))
      .json()
      .models.map((m: { isbn: string }) => m.isbn);
  }, 120_000);
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  /** Registers a copy of the serving version of `isbn` with changes, through the ports. */
  async function registerCopy(
    isbn: string,
    change: (v: ModelVersion) => Partial<ModelVersion>,
  ): Promise<string> {
    const backend: Backend = openBackend(loadConfig(env));
    try {
      const serving = (await backend.registry.getAlias(isbn, 'production'))!;
      const {
        version: _v,
        aliases: _a,
        quarantine: _q,
        ...base
      } = (await backend.registry.getVersion(isbn, serving))!;
      const forecast = await backend.embeddedRegistry!.getForecast(isbn, serving);
      const changed = { ...base, ...change({ ...base, version: serving, aliases: [] }) };
      return (await backend.registry.registerVersion({ ...changed, createdAt: undefined, forecast })).version;
    } finally {
      await backend.close();
    }
  }

  it('validates the whole fleet: 1,000+ predictions, every book passing, the registry consistent', async () => {
    const res = await run(env, 'validate', '--all', '--json');
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const doc = res.json();
    expect(doc.passed).toBe(true);
    expect(doc.predictions).toBeGreaterThanOrEqual(1000);
    expect(doc.reports).toHaveLength(3);
    expect(doc.checks.map((c: Gate) => c.name)).toEqual(
      expect.arrayContaining([
        'registry.alias',
        'registry.last-known-good',
        'registry.quarantine',
        'registry.traffic',
        'config.thresholds',
      ]),
    );
    for (const c of doc.checks) expect(c).toMatchObject({ passed: true });
    expect(doc.reports[0].explanation).toMatch(/^Recent level: about \d+ copies a week/);
  }, 60_000);

  it('fails a broken version with exit 1, quarantines it, and versions shows it', async () => {
    const isbn = isbns[0]!;
    const demo = (await run(env, 'demo', 'bad-version', '--isbn', isbn, '--defect', 'nan', '--json')).json();
    const res = await run(env, 'validate', '--isbn', isbn, '--json');
    expect(res.code).toBe(1);
    const doc = res.json();
    expect(doc).toMatchObject({ passed: false, isbn, version: demo.version, predictions: 1040 });
    expect(doc.checks.find((c: Gate) => c.name === 'values')).toMatchObject({ passed: false });
    expect(doc.outcome).toMatchObject({
      verdict: 'failed',
      quarantined: true,
      rollbackRequestId: expect.stringMatching(/^rb-vr-/),
    });
    const versions = (await run(env, 'versions', '--isbn', isbn, '--json')).json();
    expect(versions.versions.find((v: { version: string }) => v.version === demo.version)).toMatchObject({
      quarantined: true,
    });
    expect(versions.lastKnownGood).toBe('3');
  }, 60_000);

  it('--report-only judges without quarantining', async () => {
    const isbn = isbns[1]!;
    const demo = (
      await run(env, 'demo', 'bad-version', '--isbn', isbn, '--defect', 'negative', '--json')
    ).json();
    const res = await run(
      env,
      'validate',
      '--isbn',
      isbn,
      '--report-only',
      '--min-predictions',
      '104',
      '--json',
    );
    expect(res.code).toBe(1);
    expect(res.json().outcome).toBeUndefined();
    const versions = (await run(env, 'versions', '--isbn', isbn, '--json')).json();
    expect(versions.versions.find((v: { version: string }) => v.version === demo.version)).toMatchObject({
      quarantined: false,
    });
    // Put the book back for the deploy tests.
    expect((await run(env, 'deploy', '--isbn', isbn, '--model-version', '3', '--json')).code).toBe(0);
  }, 60_000);

  it('refuses a quarantined version without --force, naming the gate', async () => {
    const isbn = isbns[0]!;
    const res = await run(env, 'deploy', '--isbn', isbn, '--model-version', 'latest', '--json');
    expect(res.code).toBe(1);
    const doc = res.json();
    expect(doc).toMatchObject({ isbn, version: '4', deployed: false });
    expect(doc.blockedBy).toContain('quarantine');
    expect(doc.gates.find((g: Gate) => g.name === 'quarantine').detail).toContain('pass --force');
  }, 60_000);

  it('blocks a deployment and names each failing gate', async () => {
    const isbn = isbns[2]!;
    const version = await registerCopy(isbn, (v) => ({
      metrics: { rmse: 140, mape: 62 },
      trainedThrough: '2013-01-05',
      dataHash: 'sha256:not-the-training-window',
      params: { ...v.params, order: { p: 0, d: 3, q: 1 } },
    }));
    const res = await run(env, 'deploy', '--isbn', isbn, '--model-version', version, '--json');
    expect(res.code).toBe(1);
    const doc = res.json();
    expect(doc.deployed).toBe(false);
    expect(doc.blockedBy).toEqual(
      expect.arrayContaining([
        'data.history-length',
        'data.hash',
        'metrics.rmse',
        'metrics.mape',
        'metrics.regression',
        'arima.order',
        'approval',
      ]),
    );
    const gate = (name: string) => doc.gates.find((g: Gate) => g.name === name) as Gate;
    expect(gate('metrics.rmse').detail).toBe('holdout RMSE 140 is not below the production limit 80');
    expect(gate('data.history-length').detail).toMatch(
      /^\d+ weeks from \d{4}-\d\d-\d\d to 2013-01-05; needs at least 58$/,
    );
    expect(gate('arima.order').detail).toContain('d=3 outside 0–2');
    const view = (await run(env, 'versions', '--isbn', isbn, '--json')).json();
    expect(view).toMatchObject({ serving: '3', productionAlias: '3' });
  }, 60_000);

  it('deploys an approved high-risk change and records who approved it', async () => {
    const isbn = isbns[2]!;
    const version = await registerCopy(isbn, (v) => ({
      metrics: { ...v.metrics, rmse: v.metrics.rmse * 1.02, mape: v.metrics.mape * 1.02 },
    }));
    const held = await run(env, 'deploy', '--isbn', isbn, '--model-version', version, '--json');
    expect(held.code).toBe(1);
    expect(held.json().blockedBy).toEqual(['approval']);

    const res = await run(
      env,
      'deploy',
      '--isbn',
      isbn,
      '--model-version',
      version,
      '--approve',
      '--by',
      'Ola Editor',
      '--json',
    );
    expect(res.code).toBe(0);
    const doc = res.json();
    expect(doc).toMatchObject({
      isbn,
      version,
      deployed: true,
      highRisk: true,
      approval: { approvedBy: 'Ola Editor' },
    });
    expect(doc.gates.find((g: Gate) => g.name === 'approval').detail).toContain('approved by Ola Editor');
    const backend = openBackend(loadConfig(env));
    try {
      const approvals = await backend.state.query<Approval>(COLLECTIONS.approvals);
      expect(approvals.map((a) => a.data)).toEqual([
        expect.objectContaining({
          isbns: [isbn],
          version,
          approvedBy: 'Ola Editor',
          approvedAt: doc.approval.approvedAt,
        }),
      ]);
      expect(await backend.registry.getAlias(isbn, 'production')).toBe(version);
    } finally {
      await backend.close();
    }
  }, 60_000);

  it("records and warns about an approval by the deployer's own name or own credentials", async () => {
    const isbn = isbns[2]!;
    const worse = () =>
      registerCopy(isbn, (v) => ({
        metrics: { ...v.metrics, rmse: v.metrics.rmse * 1.02, mape: v.metrics.mape * 1.02 },
      }));
    const deploy = async (version: string, by: string, identity?: string) => {
      let stdout = '';
      let stderr = '';
      const code = await main(
        ['deploy', '--isbn', isbn, '--model-version', version, '--approve', '--by', by, '--json'],
        {
          env,
          streams: { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) },
          identity: async () => identity,
        },
      );
      return { code, stderr, doc: JSON.parse(stdout) };
    };
    const stored = async (id: string) => {
      const backend = openBackend(loadConfig(env));
      try {
        return (await backend.state.get<Approval>(COLLECTIONS.approvals, id))!.data;
      } finally {
        await backend.close();
      }
    };

    // $USER (tester) deploys and approves as itself.
    const own = await deploy(await worse(), 'tester');
    expect(own.code).toBe(0);
    expect(own.stderr).toContain('warning: approval');
    expect(own.stderr).toContain('is a self-approval (the approver (tester) is the deployer (tester))');
    expect(await stored(own.doc.approval.id)).toMatchObject({
      approvedBy: 'tester',
      deployedBy: 'tester',
      selfApproved: true,
    });

    // Another name, but the one set of credentials the command ran with deployed and approved.
    const named = await deploy(await worse(), 'Ola Editor', 'tester@corp.example');
    expect(named.code).toBe(0);
    expect(named.stderr).toContain('the same credentials (tester@corp.example) deployed and approved');
    expect(await stored(named.doc.approval.id)).toMatchObject({
      approvedBy: 'Ola Editor',
      deployedBy: 'tester',
      verifiedApprover: 'tester@corp.example',
      selfApproved: true,
    });
  }, 60_000);

  it('bakes a canary on live traffic and promotes it, with the A/B report', async () => {
    const isbn = isbns[1]!;
    const version = await registerCopy(isbn, () => ({}));
    const res = await run(
      env,
      'deploy',
      '--isbn',
      isbn,
      '--model-version',
      version,
      '--canary',
      '--canary-percent',
      '20',
      '--bake',
      '1',
      '--json',
    );
    expect(res.code).toBe(0);
    const canary = res.json().canary;
    expect(canary).toMatchObject({
      decision: 'promote',
      baseline: { version: '3', trafficPercent: 80 },
      canary: { version, trafficPercent: 20, errors: 0 },
    });
    expect(canary.baseline.accuracy.weeks).toBeGreaterThan(0);
    expect(canary.canary.requests).toBeGreaterThan(0);
    expect(canary.bakeMs).toBeGreaterThanOrEqual(1000);
  }, 60_000);

  it.each([
    [['validate'], 'give either --isbn X or --all'],
    [
      ['validate', '--all', '--environment', 'prod'],
      '--environment must be one of development|staging|production',
    ],
    [['deploy', '--isbn', '9780722532935'], '--model-version is required'],
    [
      ['deploy', '--isbn', '9780722532935', '--model-version', 'latest', '--approve'],
      '--approve needs --by NAME',
    ],
    [
      ['deploy', '--isbn', '9780722532935', '--model-version', 'newest'],
      '--model-version must be a version number or "latest"',
    ],
  ])('%j is bad usage (exit 2) naming what is wrong', async (argv, message) => {
    const res = await run(env, ...(argv as string[]));
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(message);
  });
});
