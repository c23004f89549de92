/** `seed [--books N] [--seed S] [--force]`: build the embedded fleet (cached: a second run is instant). */
import { DEFAULT_THRESHOLDS } from '../../shared/domain/thresholds';
import { clearSeededState, seedEmbeddedFleet } from '../../shared/wiring/seed';
import type { Command } from '../command';
import { configFrom, withBackend } from '../backend';
import { EXIT, UsageError } from '../exit-codes';
import { createProgress } from '../progress';

function intFlag(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got "${String(value)}")`, [
      name,
    ]);
  }
  return n;
}

export const seedCommand: Command = {
  name: 'seed',
  summary: 'embedded backend: synthetic sales, ARIMA versions, deployments',
  usage: 'seed [--books N] [--seed S] [--force]',
  options: { books: { type: 'string' }, seed: { type: 'string' }, force: { type: 'boolean' } },
  async run(ctx) {
    const books = intFlag(ctx.flags.books, 'books', 12, 1, 500);
    const seed = intFlag(ctx.flags.seed, 'seed', 42, 0, 2 ** 31 - 1);
    const config = configFrom(ctx);
    if (config.backend !== 'local' || config.registry !== 'local') {
      throw new UsageError(
        'seed builds the embedded fleet; it needs FG_BACKEND=local and FG_REGISTRY=local',
        ['FG_BACKEND'],
      );
    }
    if (ctx.flags.force) clearSeededState(config.stateDir);
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
