/**
 * `drill [--keep]`: the game day on a fresh embedded backend (see
 * shared/local-stack/drill). Prints the targets beside the measured times and
 * the timeline, writes the HTML report under FG_STATE_DIR/drills; exit 1
 * when any target is missed. `--json`: `{passed, steps:[{name, targetMs,
 * measuredMs, passed}], …}`.
 */
import { join } from 'node:path';
import { formatMs, renderDrillText, runDrill } from '../../shared/local-stack/drill';
import type { Command } from '../command';
import { configFrom } from '../backend';
import { EXIT } from '../exit-codes';
import { FLAGS } from '../flag-table';
import { helpOf } from './help-table';

export const drillCommand: Command = {
  ...helpOf('drill'),
  async run(ctx) {
    const config = configFrom(ctx);
    ctx.out.line('drill: starting a fresh stack with a Slack stand-in (about 10-30 s), then five incidents…');
    const result = await runDrill({
      env: ctx.env,
      reportDir: join(config.stateDir, 'drills'),
      keep: ctx.flag(FLAGS.keep),
      onEvent: (e) => ctx.out.line(`  T+${(e.atMs / 1000).toFixed(2).padStart(7)} s  ${e.text}`),
    });
    ctx.out.line('');
    ctx.out.line(renderDrillText(result, { timeline: false }));
    ctx.out.line(`report: ${result.reportPath}`);
    if (ctx.flag(FLAGS.keep)) ctx.out.line(`state and logs kept in ${result.stateDir}`);
    ctx.out.result({
      passed: result.passed,
      durationMs: result.durationMs,
      setupMs: result.setupMs,
      notifications: result.notifications,
      reportPath: result.reportPath,
      steps: result.steps.map((s) => ({
        name: s.name,
        target: s.target,
        targetMs: s.targetMs,
        measuredMs: s.measuredMs,
        measured: formatMs(s.measuredMs),
        passed: s.passed,
        detail: s.detail,
      })),
      timeline: result.timeline,
    });
    return result.passed ? EXIT.ok : EXIT.problem;
  },
};
