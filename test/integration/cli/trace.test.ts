/**
 * `forecast-guard trace` on a seeded embedded fleet, with real function runs:
 * the local stack runs health-check and alert-dispatch in their own
 * functions-framework processes (writing the JSON logs under
 * `<stateDir>/logs`), and the CLI, in-process, degrades The Alchemist (a
 * version pushed to serving outside forecast-guard) and rolls it back. Then:
 * - `trace --week` names the version that served, its pipeline run and data
 *   hash (as the registry holds them), the rollback that put it there and
 *   who, the unrecorded spell of the degraded version, the alerts, and the
 *   Cloud Logging query of each correlation id;
 * - `trace --correlation-id` of the first health check reads that run's
 *   lines from the local logs: every line of both functions carrying the
 *   id, and only those (counted here independently from the files).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COLLECTIONS } from '../../../shared/contracts/collections';
import type { AlertState } from '../../../shared/contracts/documents/alert-state';
import type { HealthReport } from '../../../shared/contracts/documents/health-report';
import { startLocalStack, type LocalStack } from '../../../shared/local-stack/stack';
import { runCli } from '../../helpers/cli';
import { reportFigure } from '../../helpers/figures';

const ALCHEMIST = '9780722532935';

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Every JSON line of the log files carrying `id` in its payload or labels, counted without the adapter. */
function linesInFiles(dir: string, id: string): Array<{ component: string; message: string }> {
  const found: Array<{ component: string; message: string }> = [];
  for (const file of readdirSync(dir).filter((f) => /\.log(\.\d+)?$/.test(f))) {
    for (const text of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (!text.startsWith('{')) continue;
      const entry = JSON.parse(text);
      const labels = entry['logging.googleapis.com/labels'] ?? {};
      if (entry.correlationId === id || labels.correlationId === id) {
        found.push({ component: labels.component, message: entry.message });
      }
    }
  }
  return found;
}

describe('forecast-guard trace (embedded fleet, local stack)', () => {
  let stateDir: string;
  let env: Record<string, string>;
  let stack: LocalStack | undefined;
  let reports: HealthReport[] = [];
  let rollbackId: string;

  async function healthCheck(count: number): Promise<HealthReport[]> {
    await stack!.requestHealthCheck([ALCHEMIST]);
    return waitFor(`health report ${count}`, async () => {
      const docs = await stack!.backend.state.query<HealthReport & Record<string, unknown>>(
        COLLECTIONS.healthReports,
        { orderBy: { field: 'startedAt', direction: 'asc' } },
      );
      return docs.length >= count ? docs.map((d) => d.data) : undefined;
    });
  }

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'fg-trace-'));
    env = { FG_STATE_DIR: stateDir, FG_LOG_LEVEL: 'info' };
    stack = await startLocalStack({
      env: { ...process.env, ...env },
      only: ['health-check', 'alert-dispatch'],
      schedules: false,
      watchSales: false,
      dashboard: false,
      seedBooks: 3,
    });
    expect((await runCli(env, 'demo', 'degrade', '--isbn', ALCHEMIST, '--json')).code).toBe(0);
    reports = await healthCheck(1);
    // alert-dispatch records what the degraded version raised.
    await waitFor('the alert state', async () => {
      const docs = await stack!.backend.state.query<AlertState & Record<string, unknown>>(
        COLLECTIONS.alertStates,
        {
          where: [{ field: 'isbn', op: '==', value: ALCHEMIST }],
        },
      );
      return docs.length > 0 ? docs : undefined;
    });
    const rollback = await runCli(
      env,
      'rollback',
      '--emergency',
      '--isbn',
      ALCHEMIST,
      '--by',
      'alice',
      '--reason',
      'RMSE spike after the hot fix',
      '--json',
    );
    expect(rollback.code).toBe(0);
    rollbackId = rollback.json().rollbackId;
    reports = await healthCheck(2);
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('--week names the version, its pipeline run and data hash, the rollback and who, and the log query', async () => {
    const week = reports[1]!.startedAt.slice(0, 10);
    const res = await runCli(env, 'trace', '--isbn', ALCHEMIST, '--week', week, '--json');
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const trace = res.json();
    const v3 = await stack!.backend.registry.getVersion(ALCHEMIST, '3');
    const v4 = await stack!.backend.registry.getVersion(ALCHEMIST, '4');
    expect(trace.forecast.version).toBe('3');
    expect(trace.version).toMatchObject({
      version: '3',
      sinceExact: true,
      pipelineRunId: v3!.pipelineRunId,
      pipelineRun: { id: v3!.pipelineRunId, state: 'PIPELINE_STATE_SUCCEEDED' },
      dataHash: v3!.dataHash,
      trainingWindow: { trainedThrough: v3!.trainedThrough, startFrom: 'version params' },
      lastKnownGood: true,
      cause: { via: 'rollback', by: 'alice', reason: 'RMSE spike after the hot fix', rollbackId },
    });
    // The degraded version's spell: recorded by no deploy, seen by the first health check, after its registration.
    const spell = trace.forecast.segments.find((s: { version: string }) => s.version === '4');
    expect(spell).toMatchObject({
      fromExact: false,
      changedAfter: v4!.createdAt,
      from: reports[0]!.finishedAt,
    });
    // The alert the degraded version raised: its state keeps only the latest observation, so the
    // versions it was raised against come from the timeline.
    const raised = trace.alerts.filter((a: { servingWhileOpen: string[] }) =>
      a.servingWhileOpen.includes('4'),
    );
    expect(raised.length).toBeGreaterThan(0);
    expect(raised.every((a: { inForce: boolean }) => a.inForce)).toBe(true);
    const kinds = trace.runs.map((r: { kind: string }) => r.kind);
    expect(kinds.filter((k: string) => k === 'health-check')).toHaveLength(2);
    expect(kinds).toContain('rollback');
    const rollbackRun = trace.runs.find((r: { kind: string }) => r.kind === 'rollback');
    expect(trace.version.cause.correlationId).toBe(rollbackRun.correlationId);
    const query = trace.logs.queries.find(
      (q: { correlationId: string }) => q.correlationId === rollbackRun.correlationId,
    );
    expect(query.query).toContain('resource.type="cloud_run_revision"');
    expect(query.query).toContain(`labels.correlationId="${rollbackRun.correlationId}"`);
    expect(query.query).toContain(`jsonPayload.correlationId="${rollbackRun.correlationId}"`);
    for (const r of reports) {
      expect(trace.logs.queries.map((q: { correlationId: string }) => q.correlationId)).toContain(
        r.correlationId,
      );
    }
  });

  it('--correlation-id reads that run’s lines from the local JSON logs, every function’s and only those', async () => {
    const first = reports[0]!;
    const res = await runCli(
      env,
      'trace',
      '--isbn',
      ALCHEMIST,
      '--correlation-id',
      first.correlationId,
      '--json',
    );
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const trace = res.json();
    // At that run the degraded version served, put there by nothing forecast-guard recorded.
    expect(trace.version).toMatchObject({ version: '4', sinceExact: false });
    expect(trace.version.cause).toBeUndefined();
    expect(trace.notes.join(' ')).toMatch(/no deploy or rollback recorded putting v4 there/);
    const read = trace.logs.read;
    const expected = linesInFiles(join(stateDir, 'logs'), first.correlationId);
    expect(read.lines.length).toBe(expected.length);
    expect(read.truncated).toBe(false);
    const components = new Set(read.lines.map((l: { component: string }) => l.component));
    expect(components).toEqual(new Set(['health-check', 'alert-dispatch']));
    expect(read.lines.map((l: { message: string }) => l.message).sort()).toEqual(
      expected.map((l) => l.message).sort(),
    );
    reportFigure(
      'trace',
      'log lines of one health-check run (health-check + alert-dispatch) from the local JSON logs',
      `${read.lines.length}`,
    );
    const times = read.lines.map((l: { at: string }) => Date.parse(l.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('prints readable sections without --json', async () => {
    const res = await runCli(env, 'trace', '--isbn', ALCHEMIST);
    expect(res.code).toBe(0);
    for (const section of [
      '== version',
      '== served that week ==',
      '== validation report ==',
      '== alerts on the book ==',
      '== runs that touched it ==',
      '== Cloud Logging queries',
    ]) {
      expect(res.stdout).toContain(section);
    }
    expect(res.stdout).toMatch(/put there by: rollback at .* by alice: RMSE spike after the hot fix/);
  });

  it('names a bad week and a correlation id nothing carries', async () => {
    const bad = await runCli(env, 'trace', '--isbn', ALCHEMIST, '--week', '2024-13-40');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('week: must be a date, YYYY-MM-DD (got "2024-13-40")');
    const unknown = await runCli(env, 'trace', '--isbn', ALCHEMIST, '--correlation-id', 'corr-nothing-here');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('corr-nothing-here');
  });
});
