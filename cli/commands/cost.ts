/**
 * `cost [--json]`: the estimated monthly cost of serving the fleet from the
 * price table (FG_PRICE_TABLE, default config/prices.json), per book and in
 * total, and recommendations with their monthly savings. An estimate from
 * the serving state and list prices, not the bill.
 */
import { estimateServingCost } from '../../shared/services/cost';
import { billingExportFor, costSettings } from '../../shared/wiring/cost';
import { configFrom, withBackend } from '../backend';
import type { CostReport } from '../../shared/services/cost';
import type { Command, CommandContext } from '../command';
import { EXIT } from '../exit-codes';
import { helpOf } from './help-table';

export const costCommand: Command = {
  ...helpOf('cost'),
  async run(ctx) {
    const config = configFrom(ctx);
    const settings = costSettings(config);
    const billing = billingExportFor(config);
    const report = await withBackend(ctx, (backend) =>
      estimateServingCost(
        {},
        {
          serving: backend.serving,
          state: backend.state,
          clock: backend.clock,
          ...(billing ? { billing } : {}),
        },
        settings,
      ),
    );
    const c = report.currency;
    ctx.out.table(
      report.books.map((b) => ({
        isbn: b.isbn,
        deployed: b.deployments.map((d) => `v${d.version}@${d.trafficPercent}%`).join(' ') || '-',
        machine: [...new Set(b.deployments.map((d) => d.machineType))].join(',') || '-',
        replicas: b.deployments.reduce((n, d) => n + d.replicas, 0),
        monthly: `${b.monthly.toFixed(2)} ${c}`,
        idle: b.idleMonthly > 0 ? `${b.idleMonthly.toFixed(2)} ${c}` : '',
      })),
    );
    ctx.out.line(
      `fleet total: ${report.total.toFixed(2)} ${c} a month (${report.hoursPerMonth} h, ${report.region}), idle versions ${report.idleTotal.toFixed(2)} ${c}`,
    );
    ctx.out.line(`dominant cost: ${report.dominant}`);
    if (report.recommendations.length > 0) {
      ctx.out.line('recommendations (each on its own, not cumulative):');
      ctx.out.table(
        report.recommendations.map((r) => ({
          action: r.action,
          books: r.books.length,
          saving: `${r.monthlySaving.toFixed(2)} ${c}/month`,
          after: `${r.monthlyAfter.toFixed(2)} ${c}/month`,
          detail: r.detail,
        })),
      );
    }
    printOperations(ctx.out, report);
    ctx.out.line(
      `prices: ${report.priceTable.source} as of ${report.priceTable.date}; a snapshot: check it against the page`,
    );
    ctx.out.result(report);
    return EXIT.ok;
  },
};

/** Forecast-guard's own cost, from its counters, and what the health check costs at each cadence. */
function printOperations(out: CommandContext['out'], report: CostReport): void {
  const c = report.currency;
  const ops = report.operations;
  if (!ops.priced) {
    out.line(`forecast-guard's own cost: not estimated (${ops.note})`);
    return;
  }
  out.line(
    `forecast-guard's own cost: ${ops.monthly.toFixed(4)} ${c} a month, from ${ops.windowDays} days of counters (${ops.from} to ${ops.to}):`,
  );
  out.table(
    ops.lines.map((l) => ({
      item: l.item,
      'per month': Number(l.perMonth.toPrecision(4)),
      unit: l.unit,
      monthly: `${l.monthly.toFixed(4)} ${c}`,
      price: l.priceIsEstimate ? 'estimate' : 'list',
    })),
  );
  for (const h of ops.how) out.line(`  ${h}`);
  const f = report.checkFrequency;
  if (f) {
    out.line(
      `health check: ${f.perRun.toFixed(6)} ${c} a run, ${f.runsPerMonth} runs a month now = ${f.current.toFixed(4)} ${c}; ` +
        `hourly ${f.hourly.toFixed(4)}, daily ${f.daily.toFixed(4)}, weekly ${f.weekly.toFixed(4)} ${c} a month`,
    );
  }
  out.line(`serving plus forecast-guard: ${report.grandTotal.toFixed(2)} ${c} a month`);
  printActual(out, report);
}

/** The Cloud Billing export's last 30 days beside the estimate, when configured. */
function printActual(out: CommandContext['out'], report: CostReport): void {
  const a = report.actual;
  if (!a) return;
  if ('error' in a) {
    out.line(`actual cost (${a.table}): not read: ${a.error}`);
    return;
  }
  out.line(
    `actual cost, billing export ${a.table}, ${a.from.slice(0, 10)} to ${a.to.slice(0, 10)}: ` +
      `Vertex AI ${a.byArea['vertex-ai'].toFixed(2)}, functions ${a.byArea.functions.toFixed(2)}, ` +
      `Firestore ${a.byArea.firestore.toFixed(2)}, Pub/Sub ${a.byArea.pubsub.toFixed(2)}, other ${a.byArea.other.toFixed(2)} ${a.currency}`,
  );
  out.line(
    `  a month at that rate: Vertex AI ${a.monthly.vertexAi.toFixed(2)} ${a.currency} (estimate ${report.total.toFixed(2)} ${report.currency}), ` +
      `forecast-guard ${a.monthly.operations.toFixed(2)} ${a.currency}`,
  );
}
