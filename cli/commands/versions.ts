/** `versions --isbn X`: serving, last-known-good and every version of one book. */
import { describeBookVersions } from '../../shared/services/book-versions';
import type { Command } from '../command';
import { FLAGS } from '../flag-table';
import { required } from '../flags';
import { withBackend } from '../backend';
import { EXIT } from '../exit-codes';
import { helpOf } from './help-table';

export const versionsCommand: Command = {
  ...helpOf('versions'),
  async run(ctx) {
    const isbn = required(ctx.flag(FLAGS.isbn), FLAGS.isbn);
    const view = await withBackend(ctx, (backend) => describeBookVersions(isbn, backend));
    const serving = view.servingKnown ? `v${view.serving ?? '-'}` : 'unknown (no serving target configured)';
    ctx.out.line(
      `${view.isbn}: serving ${serving}, production alias v${view.productionAlias ?? '-'}, last-known-good v${view.lastKnownGood ?? '-'}`,
    );
    ctx.out.table(
      view.versions.map((v) => ({
        version: v.version,
        // A version whose metrics could not be read shows none rather than a stand-in figure.
        rmse: v.metricsMissing === undefined ? v.rmse : 'missing',
        mape: v.metricsMissing === undefined ? `${v.mape.toFixed(1)}%` : 'missing',
        traffic: !view.servingKnown ? 'unknown' : v.trafficPercent === null ? '-' : `${v.trafficPercent}%`,
        aliases: v.aliases.join(',') || '-',
        lkg: v.version === view.lastKnownGood ? 'yes' : '',
        quarantined: v.quarantine ? `yes: ${v.quarantine.reason}` : '',
        trained_through: v.trainedThrough,
        created: v.createdAt.slice(0, 16),
      })),
    );
    ctx.out.result(view);
    return EXIT.ok;
  },
};
