/** Small helpers every benchmark shares: medians, timing, aligned output, goal rows. */
import { appendFileSync } from 'node:fs';
import { basename } from 'node:path';

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

/** Runs `fn` `runs` times and returns each run's wall time in ms. */
export async function timeRuns(runs: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return out;
}

export function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

/**
 * Prints one aligned row. A row that carries a goal cell (`goal …` or
 * `(goal …)`) also goes to the closing table, as `goal()` rows do: its first
 * cell is the figure, and a `met` / `MISSED` cell is the verdict.
 */
export function row(label: string, ...cells: string[]): void {
  printRow(label, cells);
  const goalCell = cells.find((c) => /^\(?goal\b/i.test(c));
  const measured = cells[0];
  if (goalCell === undefined || measured === undefined || measured === goalCell) return;
  const verdict = cells.find((c) => /^(met|missed)$/i.test(c.trim()));
  record({
    figure: label,
    measured,
    goal: goalCell.replace(/^\(?goal:?\s*/i, '').replace(/\)$/, ''),
    ...(verdict === undefined ? {} : { met: verdict.trim().toLowerCase() === 'met' }),
  });
}

function printRow(label: string, cells: string[]): void {
  process.stdout.write(`  ${label.padEnd(44)} ${cells.filter((c) => c !== '').join('  ')}\n`);
}

/** Appends a goal row to the runner's summary file (none when the bench runs alone). */
function record(line: Omit<GoalRow, 'bench'>): void {
  const file = process.env[SUMMARY_FILE_ENV];
  if (file) appendFileSync(file, `${JSON.stringify({ bench: benchName(), ...line })}\n`);
}

/** The number after `--<name>` on the command line, or `fallback` when it is not given. */
export function numberFlag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

/** One figure beside its goal, as the closing table of `npm run bench` lists it. */
export interface GoalRow {
  bench: string;
  figure: string;
  measured: string;
  goal: string;
  /** Whether the goal is met; undefined for a figure that has no pass line (a floor, a count). */
  met?: boolean;
}

/** Environment variable naming the file where benches append their goal rows (set by bench/run.ts). */
export const SUMMARY_FILE_ENV = 'FG_BENCH_SUMMARY';

function benchName(): string {
  return basename(process.argv[1] ?? 'bench', '.ts');
}

/**
 * Prints `figure` beside its goal and, under `npm run bench`, appends it as a
 * JSON line to the runner's summary file, which the runner prints as one
 * table at the end. Alone, a bench just prints the row.
 */
export function goal(figure: string, measured: string, goalText: string, met?: boolean): void {
  const verdict = met === undefined ? '' : met ? 'met' : 'MISSED';
  printRow(figure, [measured, `goal ${goalText}`, verdict]);
  record({ figure, measured, goal: goalText, ...(met === undefined ? {} : { met }) });
}

/** The closing table: every goal row a run wrote, in order, aligned. */
export function summaryTable(rows: GoalRow[]): string {
  const header: GoalRow = { bench: 'bench', figure: 'figure', measured: 'measured', goal: 'goal' };
  const cells = (r: GoalRow) => [
    r.bench,
    r.figure,
    r.measured,
    r.goal,
    r === header ? 'verdict' : r.met === undefined ? '' : r.met ? 'met' : 'MISSED',
  ];
  const all = [header, ...rows].map(cells);
  const widths = cells(header).map((_, i) => Math.max(...all.map((c) => (c[i] ?? '').length)));
  return all
    .map((c) =>
      c
        .map((v, i) => v.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The rows of a summary file: one JSON GoalRow a line, as `goal` appends them. */
export function readSummary(text: string): GoalRow[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as GoalRow);
}
