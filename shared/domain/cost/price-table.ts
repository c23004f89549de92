/**
 * The price table the cost estimate reads (config/prices.json by default,
 * FG_PRICE_TABLE to use another): Vertex AI prediction prices per node hour,
 * per region and machine type, online and batch, each with its source and date.
 * A bad file is a ConfigError naming the entry, so the operator can fix it.
 */
import { z } from 'zod';
import { ConfigError } from '../../errors';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date YYYY-MM-DD' });

export const PriceEntry = z.strictObject({
  perNodeHour: z
    .number({ error: 'must be a number (USD per node hour)' })
    .positive({ error: 'must be above 0' }),
  source: z.url({ error: 'must be the URL the price was read from' }),
  date: isoDate,
  /** True when the figure was not read from the source on that date (see the file's _note). */
  estimate: z.boolean().optional(),
});
export type PriceEntry = z.infer<typeof PriceEntry>;

const MachinePrices = z.record(
  z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)+$/, { error: 'must be a machine type like n1-standard-2' }),
  PriceEntry,
);

/** One unit price of forecast-guard's own running cost, with where it was read. */
export const UnitPrice = z.strictObject({
  price: z.number({ error: 'must be a number (USD per unit)' }).nonnegative({ error: 'must be 0 or above' }),
  unit: z.string().min(1, { error: 'must name the unit, like "1M invocations"' }),
  source: z.url({ error: 'must be the URL the price was read from' }),
  date: isoDate,
  estimate: z.boolean().optional(),
});
export type UnitPrice = z.infer<typeof UnitPrice>;

/**
 * What forecast-guard itself runs on: Cloud Run functions (invocations,
 * memory GB-seconds, CPU vCPU-seconds: 2nd gen functions are Cloud Run services), Firestore (document reads and
 * writes), Pub/Sub (throughput, billed at least `minBytesPerRequest` per
 * publish or pull request).
 */
export const OperationsPrices = z.strictObject({
  functions: z.strictObject({
    perMillionInvocations: UnitPrice,
    perGbSecond: UnitPrice,
    perVcpuSecond: UnitPrice,
  }),
  firestore: z.strictObject({ per100kReads: UnitPrice, per100kWrites: UnitPrice }),
  pubsub: z.strictObject({
    perTiB: UnitPrice,
    minBytesPerRequest: z
      .number()
      .int({ error: 'must be a whole number of bytes' })
      .positive({ error: 'must be above 0' }),
  }),
});
export type OperationsPrices = z.infer<typeof OperationsPrices>;

export const PriceTable = z.strictObject({
  _note: z.string().optional(),
  source: z.url({ error: 'must be the URL the prices were read from' }),
  date: isoDate,
  currency: z.string().regex(/^[A-Z]{3}$/, { error: 'must be a currency code like USD' }),
  hoursPerMonth: z.number().positive({ error: 'must be above 0' }).default(730),
  regions: z.record(
    z.string().regex(/^[a-z]+-[a-z]+\d+$/, { error: 'must be a region like europe-west2' }),
    z.strictObject({
      online: MachinePrices,
      batch: MachinePrices,
      /** Optional: without it, forecast-guard's own cost is not priced (the report says so). */
      operations: OperationsPrices.optional(),
    }),
  ),
});
export type PriceTable = z.infer<typeof PriceTable>;

/**
 * Parses a price table; `where` names the file in the error
 * (`FG_PRICE_TABLE "x.json": regions.europe-west2.online.n1-standard-2.perNodeHour: must be above 0`).
 */
export function parsePriceTable(json: unknown, where: string): PriceTable {
  const parsed = PriceTable.safeParse(json);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => {
    // A bad record key (a region or machine type) carries the key rule's own message one level down.
    const message = i.code === 'invalid_key' ? (i.issues[0]?.message ?? i.message) : i.message;
    return `${i.path.map(String).join('.') || '(file)'}: ${message}`;
  });
  throw new ConfigError(`${where}: ${problems.join('; ')}`, 'FG_PRICE_TABLE');
}

/** The price of one machine type in one region; a missing entry is a ConfigError naming it. */
export function priceOf(
  table: PriceTable,
  region: string,
  kind: 'online' | 'batch',
  machineType: string,
): number {
  const entry = table.regions[region]?.[kind][machineType];
  if (!entry) {
    throw new ConfigError(
      `FG_PRICE_TABLE has no ${kind} price for ${machineType} in ${region} (regions.${region}.${kind}.${machineType}); add it from ${table.source}`,
      'FG_PRICE_TABLE',
    );
  }
  return entry.perNodeHour;
}
