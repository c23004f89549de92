/**
 * `forecast-guard thresholds` on a small seeded embedded fleet, in-process:
 * the --json shape, the HTML report (the three answers and inline SVG, no
 * external asset), and the overrides files, loaded through the real config
 * loader as FG_THRESHOLDS_FILE. Also `scripts/validate_thresholds.sh` run
 * against the same fleet. The seeded fleet has its own clock (fleet.json),
 * so nothing depends on today.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../shared/config';
import { DEFAULT_THRESHOLDS, thresholdsFor } from '../../../shared/domain/thresholds';
import { runCli, type CliRun } from '../../helpers/cli';

const ROOT = join(__dirname, '..', '..', '..');
const BOOKS = 6;
const ORIGINS = 3;

describe('forecast-guard thresholds', () => {
  let dir: string;
  let env: Record<string, string>;
  let run: CliRun;
  let out: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fg-thresholds-'));
    env = { FG_STATE_DIR: join(dir, 'state'), FG_LOG_LEVEL: 'error' };
    const seeded = await runCli(env, 'seed', '--books', String(BOOKS));
    expect(seeded.code).toBe(0);
    out = join(dir, 'study');
    run = await runCli(
      env,
      'thresholds',
      '--json',
      '--origins',
      String(ORIGINS),
      '--report',
      join(out, 'report.html'),
      '--overrides-dir',
      out,
    );
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the study as one JSON document', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const doc = run.json();
    expect(doc.backtest).toMatchObject({ books: BOOKS, fits: BOOKS * ORIGINS, failedFits: 0 });
    expect(doc.fleet.windows).toBe(BOOKS * ORIGINS);
    expect(doc.books).toHaveLength(BOOKS);
    expect(doc.bands.map((b: { id: string }) => b.id)).toEqual([
      'lt25',
      '25-50',
      '50-200',
      '200-1000',
      'ge1000',
    ]);
    expect(doc.bands.reduce((n: number, b: { books: number }) => n + b.books, 0)).toBe(BOOKS);
    expect(Object.keys(doc.rates)).toEqual(['rmseMax', 'mapeMax', 'degradationMaxPct']);
    expect(doc.rates.rmseMax.candidates.map((c: { value: number }) => c.value)).toEqual([
      60, 70, 80, 90, 100, 110, 120,
    ]);
    expect(Object.keys(doc.rates.mapeMax.candidates[0].miss)).toEqual([
      'forecast-x1.3',
      'forecast-x1.5',
      'level-x1.5',
      'level-x0.6',
    ]);
    expect(Object.keys(doc.recommendations)).toEqual(['development', 'staging', 'production']);
    expect(doc.answers).toHaveLength(3);
    expect(doc.windows).toBeUndefined();
    expect(doc.files.report).toBe(join(out, 'report.html'));
  });

  it('writes a self-contained HTML report that answers the three questions with plots', () => {
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    for (const a of run.json().answers as Array<{ question: string; answer: string }>) {
      expect(html).toContain(a.question.replace('<', '&#60;'));
      expect(html).toContain(a.answer.replace(/</g, '&#60;').replace(/'/g, '&#39;'));
    }
    expect(html.match(/<svg /g)?.length).toBeGreaterThanOrEqual(3);
    expect(html).not.toMatch(/<script|<link|src=|href="http/);
  });

  it('writes overrides the config loader accepts and that change thresholdsFor for an overridden book', () => {
    const doc = run.json();
    for (const envName of ['production', 'staging', 'development'] as const) {
      const file = join(out, `thresholds.${envName}.json`);
      expect(doc.files.overrides[envName]).toBe(file);
      const config = loadConfig({
        FG_STATE_DIR: env.FG_STATE_DIR as string,
        FG_ENVIRONMENT: envName,
        FG_THRESHOLDS_FILE: file,
      });
      expect(config.thresholds.overrides).toEqual(JSON.parse(readFileSync(file, 'utf8')));
    }
    const file = join(out, 'thresholds.production.json');
    const config = loadConfig({
      FG_STATE_DIR: env.FG_STATE_DIR as string,
      FG_ENVIRONMENT: 'production',
      FG_THRESHOLDS_FILE: file,
    });
    const [isbn, override] = Object.entries(config.thresholds.overrides)[0] ?? [];
    expect(isbn).toBeDefined();
    const effective = thresholdsFor('production', isbn as string, config.thresholds.overrides);
    expect(effective).not.toEqual(DEFAULT_THRESHOLDS.production);
    expect(effective).toMatchObject(override as object);
  });

  it('says what is wrong when there is nothing to backtest', async () => {
    const empty = await runCli({ FG_STATE_DIR: join(dir, 'empty'), FG_LOG_LEVEL: 'error' }, 'thresholds');
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('no book could be backtested');
  });

  it('runs from scripts/validate_thresholds.sh, which says where it wrote the report and overrides', () => {
    const scriptOut = join(dir, 'script');
    const res = spawnSync(
      'bash',
      [join(ROOT, 'scripts', 'validate_thresholds.sh'), '--out', scriptOut, '--origins', '2'],
      {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          ...env,
          FORECAST_GUARD_CLI: `${process.execPath} --import tsx ${join(ROOT, 'test', 'integration', 'rollback', 'fixtures', 'cli-entry.ts')}`,
        },
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(res.stderr).toContain(`report: ${scriptOut}/report.html`);
    expect(res.status).toBe(0);
    expect(existsSync(join(scriptOut, 'report.html'))).toBe(true);
    expect(existsSync(join(scriptOut, 'thresholds.production.json'))).toBe(true);
    expect(res.stdout).toContain('Is RMSE < 80–100 appropriate?');
  }, 120_000);
});
