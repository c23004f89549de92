/**
 * Maps the config to the cost use case's settings: reads the price table
 * (FG_PRICE_TABLE, or the shipped config/prices.json) and states the
 * publisher's deployment defaults the embedded backend cannot report.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openBillingExport } from '../adapters/gcp/bigquery-billing-export';
import { DEFAULT_RESOURCES } from '../adapters/gcp/vertex-resources';
import type { BilledService, BillingExport } from '../ports/billing-export';
import type { Config } from '../config';
import { parsePriceTable, type PriceTable } from '../domain/cost/price-table';
import { ConfigError } from '../errors';
import type { CostServiceSettings } from '../services/cost';

/** The shipped price table: config/prices.json at the repository (package) root. */
export function shippedPriceTablePath(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir)
      throw new ConfigError(`no package.json above ${from} to find config/prices.json`, 'FG_PRICE_TABLE');
    dir = up;
  }
  return join(dir, 'config', 'prices.json');
}

export function readPriceTable(
  path: string,
  readFile: (p: string) => string = (p) => readFileSync(p, 'utf8'),
): PriceTable {
  const where = `FG_PRICE_TABLE ${JSON.stringify(path)}`;
  let text: string;
  try {
    text = readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(
      `${where} cannot be read (${code === 'ENOENT' ? 'no such file' : (code ?? (err as Error).message)})`,
      'FG_PRICE_TABLE',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(`${where} is not valid JSON`, 'FG_PRICE_TABLE');
  }
  return parsePriceTable(json, where);
}

export function costSettings(config: Config): CostServiceSettings {
  return {
    priceTable: readPriceTable(config.cost.priceTableFile ?? shippedPriceTablePath()),
    region: config.gcp.region,
    // What the publisher deploys each book with (one endpoint per book, always on).
    defaultMachineType: DEFAULT_RESOURCES.machineType,
    defaultMinReplicas: DEFAULT_RESOURCES.minReplicaCount,
    idleAfterDays: 7,
    smallerMachineType: 'e2-standard-2',
    // Assumptions, stated in the output: a small forecasting model per book; one weekly job is mostly start-up.
    booksPerSharedReplica: 50,
    batchNodeHoursPerBookJob: 0.25,
    batchNodeHoursPerFleetJob: 1,
    // Forecast-guard's own counters: processed-messages records live 8 days, so a week is the longest full window.
    usage: { windowDays: 7, assumedSecondsPerInvocation: 1, assumedReadsPerBookChecked: 1 },
  };
}

/**
 * The Cloud Billing export behind `cost`, when FG_BILLING_EXPORT_TABLE is set:
 * the watched project (GOOGLE_CLOUD_PROJECT) is both the project whose
 * charges count and the one the query job runs in.
 */
export function billingExportFor(config: Config): BillingExport | undefined {
  const table = config.cost.billingExportTable;
  if (!table) return undefined;
  const project = config.gcp.projectId;
  if (!project)
    throw new ConfigError(
      'FG_BILLING_EXPORT_TABLE needs GOOGLE_CLOUD_PROJECT: the project whose charges to read',
      'GOOGLE_CLOUD_PROJECT',
    );
  return openBillingExport(table, { project });
}

/**
 * The billing export read at most once per `ttlMs` (the dashboard polls every
 * 30 s; the export itself changes a few times a day, and each query scans 30
 * days of it): answers from the last read while it is fresh.
 */
export function cachedBillingExport(billing: BillingExport, ttlMs = 3_600_000): BillingExport {
  let last: { at: number; rows: Promise<BilledService[]> } | undefined;
  return {
    table: billing.table,
    costByService(from, to) {
      const now = Date.now();
      if (!last || now - last.at > ttlMs) {
        const rows = billing.costByService(from, to);
        last = { at: now, rows };
        // A failed read is not kept: the next poll tries again.
        rows.catch(() => (last = undefined));
      }
      return last.rows;
    },
  };
}
