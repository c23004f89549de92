/**
 * `forecast-guard drill` on a fresh embedded backend: every scenario runs
 * through the real functions (functions framework, embedded queue, HTTP
 * rollback) and meets the product owner's targets; `--json` carries
 * `{passed, steps:[{name, targetMs, measuredMs, passed}]}`; the HTML report
 * is written where the command says and the temporary backend is gone.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/main';
import { reportFigure } from '../../helpers/figures';

interface DrillJson {
  passed: boolean;
  durationMs: number;
  setupMs: number;
  notifications: number;
  reportPath: string;
  steps: Array<{
    name: string;
    targetMs: number | null;
    measuredMs: number | null;
    passed: boolean;
    detail: string;
  }>;
}

describe('forecast-guard drill', () => {
  let stateDir: string;

  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'fg-drill-test-'));
  });
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('meets every target on a fresh embedded backend and says so in JSON and HTML', async () => {
    let stdout = '';
    let stderr = '';
    const code = await main(['drill', '--json'], {
      env: { ...process.env, FG_STATE_DIR: stateDir, FG_LOG_LEVEL: 'info' },
      streams: { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) },
    });
    const result = JSON.parse(stdout) as DrillJson;
    for (const s of result.steps) {
      reportFigure(
        'drill',
        s.name,
        s.measuredMs === null ? s.detail : `${s.measuredMs} ms (target ${s.targetMs} ms)`,
      );
    }
    reportFigure(
      'drill',
      'setup (seed + 6 functions)',
      `${result.setupMs} ms; whole drill ${result.durationMs} ms`,
    );
    expect({ code, stderr, failed: result.steps.filter((s) => !s.passed) }).toEqual({
      code: 0,
      stderr: '',
      failed: [],
    });
    expect(result.passed).toBe(true);
    expect(result.steps.map((s) => s.name)).toEqual([
      'pipeline failure → notification',
      'bad deployment → automatic rollback',
      'degradation → alert within one health-check run',
      'rollback of one book',
      'emergency rollback of every model',
      'no duplicate notifications',
    ]);
    const timed = result.steps.filter((s) => s.targetMs !== null);
    for (const s of timed) expect(s.measuredMs).toBeLessThanOrEqual(s.targetMs!);
    expect(result.steps[0]!.targetMs).toBe(5 * 60_000);
    expect(result.steps[3]!.targetMs).toBe(2 * 60_000);
    // The firing pipeline failure, validation failure and degradation, and the degradation's resolution.
    expect(result.notifications).toBeGreaterThanOrEqual(4);
    expect(result.reportPath.startsWith(join(stateDir, 'drills'))).toBe(true);
    const html = readFileSync(result.reportPath, 'utf8');
    expect(html).toContain('Every target met');
    expect(html).toContain('emergency rollback of every model');
    // The drill's own backend was temporary.
    expect(html).toMatch(/fresh embedded backend in (\S+);/);
    const drillDir = /fresh embedded backend in (\S+);/.exec(html)![1]!;
    expect(existsSync(drillDir)).toBe(false);
  }, 120_000);
});
