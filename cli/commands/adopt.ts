/**
 * `adopt [--json]`: attach to a fleet the publisher's pipeline built. Finds
 * every book the registry names, its versions and their metrics, what serves,
 * and whether actual sales exist; records the version serving now as
 * last-known-good where nothing better exists (saying so); prints a readiness
 * report. Exit 0 when the fleet is fully monitored, 1 when something blocks
 * monitoring, 3 when the registry cannot be reached. Works with a registry
 * alone (FG_REGISTRY=mlflow on one machine): serving then shows as unknown.
 */
import { adoptFleet, type ReadinessReport } from '../../shared/services/adopt';
import { withBackend } from '../backend';
import type { Command, CommandContext } from '../command';
import { EXIT } from '../exit-codes';
import { helpOf } from './help-table';

/** Books listed one per row up to this many; beyond, only those that block. */
const LIST_ALL_UP_TO = 50;
/** ISBNs named in one summary line before "and N more". */
const NAMED_PER_LINE = 5;

export const adoptCommand: Command = {
  ...helpOf('adopt'),
  async run(ctx) {
    const report = await withBackend(ctx, (backend) => adoptFleet(backend));
    print(ctx, report);
    ctx.out.result(report);
    return report.ready ? EXIT.ok : EXIT.problem;
  },
};

function print(ctx: CommandContext, r: ReadinessReport): void {
  const f = r.found;
  const serving =
    f.endpoints === null
      ? 'serving unknown'
      : `${f.endpoints} endpoint(s), ${f.servingVersions} book(s) serving a version`;
  ctx.out.line(
    `found: ${f.books} book(s), ${f.versions} version(s) (${f.pipelineVersions} registered by the pipeline), ${serving}, actual sales for ${f.booksWithActuals} book(s)`,
  );
  const lkg = r.lastKnownGood;
  ctx.out.line(
    `last-known-good: recorded for ${lkg.recorded.length} book(s) (the version serving now, not validated by forecast-guard), ${lkg.kept} already set and kept`,
  );
  const blocks = blockingLines(r);
  ctx.out.line();
  if (blocks.length === 0) ctx.out.line('ready: every book is monitored');
  else {
    ctx.out.line(`not ready: ${blocks.length} thing(s) block monitoring`);
    for (const line of blocks) ctx.out.line(`  - ${line}`);
  }
  const listed = r.books.length <= LIST_ALL_UP_TO ? r.books : r.books.filter((b) => b.blockers.length > 0);
  if (listed.length === 0) return;
  ctx.out.line();
  ctx.out.table(
    listed.map((b) => ({
      isbn: b.isbn,
      title: b.title,
      versions: b.versions.length,
      serving: b.serving === null ? '-' : b.serving === 'unknown' ? 'unknown' : `v${b.serving}`,
      actuals: b.hasActuals,
      lkg:
        b.lastKnownGood.action === 'none'
          ? '-'
          : `v${b.lastKnownGood.version}${b.lastKnownGood.action === 'recorded' ? ' (adopted)' : ''}`,
      blockers: b.blockers.join('; ') || '',
    })),
  );
}

/** One line per kind of blocker, with its count and the first few books. */
function blockingLines(r: ReadinessReport): string[] {
  const b = r.blocking;
  const name = (isbns: string[]) =>
    isbns.length <= NAMED_PER_LINE
      ? isbns.join(', ')
      : `${isbns.slice(0, NAMED_PER_LINE).join(', ')} and ${isbns.length - NAMED_PER_LINE} more`;
  const lines: string[] = [];
  if (b.servingUnknown)
    lines.push('serving unknown: no serving target is configured (set FG_BACKEND=gcp for Vertex AI)');
  if (b.salesProblem) lines.push(`no actual sales at all: ${b.salesProblem}`);
  if (b.noActuals.length > 0)
    lines.push(`no actuals for ${b.noActuals.length} book(s): ${name(b.noActuals)}`);
  if (b.noMetrics.length > 0) {
    lines.push(
      `no metrics for ${b.noMetrics.length} version(s): ${name(b.noMetrics.map((m) => `${m.isbn} v${m.version}`))}`,
    );
  }
  if (b.noVersions.length > 0)
    lines.push(`no versions for ${b.noVersions.length} book(s): ${name(b.noVersions)}`);
  if (b.noServing.length > 0) {
    lines.push(`no serving endpoint for ${b.noServing.length} book(s): ${name(b.noServing)}`);
  }
  if (b.servingUnregisteredVersion.length > 0) {
    lines.push(
      `${b.servingUnregisteredVersion.length} book(s) serve a version the registry does not hold: ${name(b.servingUnregisteredVersion.map((s) => `${s.isbn} v${s.version}`))}`,
    );
  }
  if (b.noLastKnownGood.length > 0) {
    lines.push(
      `no last-known-good for ${b.noLastKnownGood.length} book(s): ${name(b.noLastKnownGood.map((x) => `${x.isbn} (${x.reason})`))}`,
    );
  }
  if (b.endpointsWithoutModel.length > 0) {
    lines.push(
      `${b.endpointsWithoutModel.length} endpoint(s) serve a book with no registered model: ${name(b.endpointsWithoutModel.map((e) => e.isbn))}`,
    );
  }
  return lines;
}
