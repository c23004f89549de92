/** The price table's schema: the shipped file parses, and a bad file's error names the entry. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePriceTable } from '../../../../shared/domain/cost/price-table';
import { ConfigError } from '../../../../shared/errors';

/** The file as JSON.parse gives it, walked by key. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const SHIPPED = join(__dirname, '../../../../config/prices.json');
const shipped = () => JSON.parse(readFileSync(SHIPPED, 'utf8'));

describe('price table', () => {
  it('the shipped file parses, with source, date and the publisher regions and machine types', () => {
    const t = parsePriceTable(shipped(), 'config/prices.json');
    expect(t.source).toBe('https://cloud.google.com/vertex-ai/pricing');
    expect(t.hoursPerMonth).toBe(730);
    for (const region of ['europe-west2', 'us-central1']) {
      for (const kind of ['online', 'batch'] as const) {
        for (const m of ['n1-standard-2', 'n1-standard-4', 'e2-standard-2', 'n1-highmem-2']) {
          expect(t.regions[region]![kind][m]).toMatchObject({
            source: t.source,
            perNodeHour: expect.any(Number),
          });
        }
      }
    }
    expect(t._note).toMatch(/SNAPSHOT/);
  });

  it.each([
    [
      'a negative price',
      (j: Json) => (j.regions['europe-west2'].online['n1-standard-2'].perNodeHour = -1),
      'regions.europe-west2.online.n1-standard-2.perNodeHour: must be above 0',
    ],
    [
      'a price without its source',
      (j: Json) => delete j.regions['us-central1'].batch['e2-standard-2'].source,
      'regions.us-central1.batch.e2-standard-2.source: must be the URL the price was read from',
    ],
    ['a bad date', (j: Json) => (j.date = '3 Dec 2026'), 'date: must be a date YYYY-MM-DD'],
    [
      'a misspelt machine type',
      (j: Json) =>
        (j.regions['europe-west2'].online['N1 standard'] = j.regions['europe-west2'].online['n1-standard-2']),
      'regions.europe-west2.online.N1 standard: must be a machine type like n1-standard-2',
    ],
  ])('%s is a ConfigError naming the entry', (_name, spoil, message) => {
    const json = shipped();
    spoil(json);
    let error: unknown;
    try {
      parsePriceTable(json, 'FG_PRICE_TABLE "p.json"');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('FG_PRICE_TABLE');
    expect((error as Error).message).toContain('FG_PRICE_TABLE "p.json": ');
    expect((error as Error).message).toContain(message);
  });
});
