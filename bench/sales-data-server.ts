/** bench/sales-data.ts's Cloud Storage: the local JSON API server holding one file; prints its host. */
import { readFileSync } from 'node:fs';
import { startGcsServer } from '../test/helpers/gcs-server';

void (async () => {
  const server = await startGcsServer();
  server.createBucket('bench-sales');
  server.put('bench-sales', 'raw_data/UK_weekly_data.csv', readFileSync(process.argv[2] as string));
  process.stdout.write(`${server.host}\n`);
})();
