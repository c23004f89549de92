/**
 * Figures a test measured (throughput, latency), printed for people and CI to
 * read, never asserted on: `FIGURE <suite> <name>: <text>`. When
 * FG_FIGURES_FILE is set, each line is also appended there so a run can
 * collect every figure in one file.
 */
import { appendFileSync } from 'node:fs';

/** Prints one measured figure and, when FG_FIGURES_FILE is set, appends it to that file. */
export function reportFigure(suite: string, name: string, text: string): void {
  const line = `FIGURE ${suite} ${name}: ${text}\n`;
  process.stdout.write(line);
  const file = process.env.FG_FIGURES_FILE;
  if (file) appendFileSync(file, line);
}
