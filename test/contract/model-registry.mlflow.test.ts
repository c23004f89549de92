/**
 * The ModelRegistry contract for MlflowModelRegistry, against a real local
 * HTTP server speaking MLflow's REST API (test/helpers/mlflow-server.ts):
 * once as a current server, once as an older one (int64 as strings, no
 * aliases on search results, small pages and a small tag cap so every
 * forecast is split across tags).
 */
import { performance } from 'node:perf_hooks';
import { MlflowModelRegistry } from '../../shared/adapters/mlflow/mlflow-model-registry';
import { aForecast, aNewModelVersion, nextIsbn } from '../builders/model';
import { reportFigure } from '../helpers/figures';
import { type MlflowServerOptions, startMlflowServer } from '../helpers/mlflow-server';
import { describeModelRegistryContract } from './model-registry.contract';

function fixture(
  server: MlflowServerOptions,
  registry: { pageSize?: number; maxTagValueLength?: number } = {},
) {
  return async () => {
    const mlflow = await startMlflowServer(server);
    return {
      registry: new MlflowModelRegistry({ trackingUri: mlflow.url, token: server.token, ...registry }),
      close: () => mlflow.close(),
    };
  };
}

describeModelRegistryContract(
  'MlflowModelRegistry on a local MLflow REST server',
  fixture({ token: 'contract-token', staticPrefix: '/mlflow' }),
);

describeModelRegistryContract(
  'MlflowModelRegistry on an older MLflow (string timestamps, no aliases on search, 1,000-char tags, pages of 2)',
  fixture(
    { int64As: 'string', aliasesOnSearch: false, maxTagValueLength: 1000 },
    { pageSize: 2, maxTagValueLength: 1000 },
  ),
);

describe('MlflowModelRegistry figures', () => {
  it('lists 50 versions of one book across pages, oldest first, and reports the latency', async () => {
    const mlflow = await startMlflowServer();
    try {
      const registry = new MlflowModelRegistry({ trackingUri: mlflow.url, pageSize: 20 });
      const isbn = nextIsbn();
      const registerStarted = performance.now();
      for (let i = 0; i < 50; i++) {
        await registry.registerVersion(aNewModelVersion({ isbn, forecast: aForecast({ weeks: 104 }) }));
      }
      const registerMs = performance.now() - registerStarted;
      await registry.setAlias(isbn, 'production', '50');

      const samples: number[] = [];
      let listed: Awaited<ReturnType<typeof registry.listVersions>> = [];
      for (let run = 0; run < 5; run++) {
        const started = performance.now();
        listed = await registry.listVersions(isbn);
        samples.push(performance.now() - started);
      }
      expect(listed.map((v) => v.version)).toEqual(Array.from({ length: 50 }, (_, i) => String(i + 1)));
      expect(listed[49]?.aliases).toEqual(['production']);
      // Three pages of versions and one registered-models/get per listing.
      const searches = mlflow.requests.filter((r) => r.path.includes('model-versions/search'));
      expect(searches).toHaveLength(15);

      samples.sort((a, b) => a - b);
      reportFigure(
        'model-registry.mlflow',
        'listVersions, 50 versions (104-week forecasts), pages of 20',
        `median ${samples[2]!.toFixed(1)} ms, worst ${samples[4]!.toFixed(1)} ms over 5 runs`,
      );
      reportFigure(
        'model-registry.mlflow',
        'registerVersion, 104-week forecast',
        `${(registerMs / 50).toFixed(1)} ms each over 50 (local HTTP)`,
      );
    } finally {
      await mlflow.close();
    }
  });
});
