/** Reading the price table for the cost use case: the shipped file by default, FG_PRICE_TABLE otherwise, errors by name. */
import { join } from 'node:path';
import { loadConfig } from '../../../shared/config';
import { ConfigError } from '../../../shared/errors';
import { costSettings, readPriceTable, shippedPriceTablePath } from '../../../shared/wiring/cost';

const ROOT = join(__dirname, '../../..');

describe('cost settings from the config', () => {
  it('reads the shipped config/prices.json when FG_PRICE_TABLE is unset, with the publisher defaults', () => {
    expect(shippedPriceTablePath()).toBe(join(ROOT, 'config', 'prices.json'));
    const s = costSettings(loadConfig({ FG_REGION: 'us-central1' }, { cwd: ROOT }));
    expect(s.region).toBe('us-central1');
    expect(s.priceTable.source).toBe('https://cloud.google.com/vertex-ai/pricing');
    expect(s).toMatchObject({ defaultMachineType: 'n1-standard-2', defaultMinReplicas: 1, idleAfterDays: 7 });
  });

  it.each([
    [
      'a missing file',
      () => {
        const e = new Error('nope') as NodeJS.ErrnoException;
        e.code = 'ENOENT';
        throw e;
      },
      'FG_PRICE_TABLE "/x/p.json" cannot be read (no such file)',
    ],
    ['a file that is not JSON', () => '{"source": ', 'FG_PRICE_TABLE "/x/p.json" is not valid JSON'],
    [
      'an empty object',
      () => '{}',
      'FG_PRICE_TABLE "/x/p.json": source: must be the URL the prices were read from',
    ],
  ])('%s is a ConfigError naming FG_PRICE_TABLE and the file', (_name, readFile, message) => {
    let error: unknown;
    try {
      readPriceTable('/x/p.json', readFile);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('FG_PRICE_TABLE');
    expect((error as Error).message).toContain(message);
  });
});
