/** `seed [--books N] [--seed S] [--force]`: build the embedded fleet (cached: a second run is instant). */
import { DEFAULT_THRESHOLDS } from '../../shared/domain/thresholds';
import { clearSeededState, seedEmbeddedFleet } from '../../shared/wiring/seed';
import type { Command } from '../command';
import { configFrom, withBackend } from '../backend';
import { EXIT, UsageError } from '../exit-codes';
import { FLAGS } from '../flag-table';
import { createProgress } from '../progress';
import { helpOf } from './help-table';

export const seedCommand: Command = {
  ...helpOf('seed'),
  async run(ctx) {
    const books = ctx.flag(FLAGS.books);
    const seed = ctx.flag(FLAGS.seed);
    const config = configFrom(ctx);
    if (config.backend !== 'local' || config.registry !== 'local') {
      throw new UsageError(
        'seed builds the embedded fleet; it needs FG_BACKEND=local and FG_REGISTRY=local',
        ['FG_BACKEND'],
      );
    }
    if (ctx.flag(FLAGS.seedForce)) clearSeededState(config.stateDir);
    const progress = createProgress(ctx.interactive);
    const result = await withBackend(ctx, (backend) =>
      seedEmbeddedFleet(
        {
          stateDir: config.stateDir,
          books,
          seed,
          onProgress: (done, total, label) => progress.update(done, total, label),
        },
        backend,
      ),
    );
    progress.done();
    const prod = DEFAULT_THRESHOLDS.production;
    const stg = DEFAULT_THRESHOLDS.staging;
    ctx.out.line(
      `${result.cached ? 'already seeded' : 'seeded'} ${result.books} books, ${result.versions} versions in ${(result.durationMs / 1000).toFixed(1)} s (${config.stateDir})`,
    );
    ctx.out.table(
      result.perBook.map((b) => ({
        isbn: b.isbn,
        title: b.title.slice(0, 36),
        serving: `v${b.serving}`,
        rmse: b.rmse,
        mape: `${b.mape.toFixed(1)}%`,
        production:
          b.rmse < (prod.rmseMax ?? Infinity) && b.mape < (prod.mapeMax ?? Infinity) ? 'within' : 'ABOVE',
        staging:
          b.rmse < (stg.rmseMax ?? Infinity) && b.mape < (stg.mapeMax ?? Infinity) ? 'within' : 'ABOVE',
      })),
    );
    ctx.out.line(
      `thresholds: production RMSE < ${prod.rmseMax}, MAPE < ${prod.mapeMax}%; staging RMSE < ${stg.rmseMax}, MAPE < ${stg.mapeMax}%`,
    );
    ctx.out.result({
      books: result.books,
      versions: result.versions,
      cached: result.cached,
      durationMs: result.durationMs,
      models: result.perBook,
    });
    return EXIT.ok;
  },
};
