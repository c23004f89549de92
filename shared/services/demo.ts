/**
 * Demonstrations on the embedded backend, each a realistic way a fleet goes
 * wrong, so monitoring, validation and rollback can be watched working:
 *
 * - `degrade`: a hot-fixed copy of the serving version whose artifact
 *   forecasts far too high is pushed straight to serving (no validation), so
 *   live error spikes; the last-known-good pointer still names the healthy
 *   version, so an emergency rollback cures it.
 * - `bad-version`: a broken version (×10, negative, NaN or short forecasts)
 *   is registered and deployed through the normal path: it is announced on
 *   `model-deployments`, where post-deploy validation must catch it.
 * - `drift`: the book's recent actual sales shift (×1.8 for 8 weeks). Every
 *   version was trained before the shift, so rollback does not cure it.
 */
import type { ModelVersion, StoredForecast } from '../contracts/model';
import type { ModelDeployed } from '../contracts/messages/model-deployed';
import type { Environment } from '../contracts/primitives';
import { parseIsbn13 } from '../domain/isbn';
import { NotFoundError, ValidationError } from '../errors';
import { withCorrelation } from '../logging/correlation';
import type { Publisher } from '../ports/event-bus';
import { PRODUCTION_ALIAS, type ModelRegistry } from '../ports/model-registry';
import type { SalesFile } from '../ports/sales-file';
import type { ServingTarget } from '../ports/serving-target';

/** `nan`: weeks a broken model container emitted as NaN, stored (as JSON does) as null. */
export const BAD_VERSION_DEFECTS = ['x10', 'negative', 'horizon', 'nan'] as const;
export type BadVersionDefect = (typeof BAD_VERSION_DEFECTS)[number];

/** A registry that hands out a version's stored forecast (the embedded and MLflow registries do). */
export interface ForecastArtifacts {
  getForecast(isbn: string, version: string): Promise<StoredForecast>;
}

export interface DemoPorts {
  registry: ModelRegistry & ForecastArtifacts;
  serving: ServingTarget;
  /** Demo deployments announce themselves, as deploy does. */
  bus: Publisher<'model-deployments'>;
}

export interface DemoResult {
  isbn: string;
  action: string;
  version?: string;
  previousVersion?: string;
  detail: string;
}

async function servingVersion(isbn: string, ports: DemoPorts): Promise<ModelVersion> {
  const alias = await ports.registry.getAlias(isbn, PRODUCTION_ALIAS);
  const version = alias ? await ports.registry.getVersion(isbn, alias) : undefined;
  if (!version)
    throw new NotFoundError(
      `${isbn} has no version aliased ${PRODUCTION_ALIAS}; run forecast-guard seed first`,
    );
  return version;
}

function defective(forecast: StoredForecast, defect: BadVersionDefect | 'degrade'): StoredForecast {
  // A week that is already missing (null) stays missing whatever the defect.
  const map = (f: (v: number, i: number) => number | null) => {
    const each = (v: number | null, i: number) => (v === null ? null : f(v, i));
    return {
      mean: forecast.mean.map(each),
      lower: forecast.lower.map(each),
      upper: forecast.upper.map(each),
    };
  };
  switch (defect) {
    case 'degrade':
      return map((v) => v * 2.5 + 40);
    case 'x10':
      return map((v) => v * 10);
    case 'negative':
      return map((v, i) => (i % 3 === 0 ? -Math.abs(v) - 5 : v));
    case 'nan':
      return map((v, i) => (i % 4 === 1 ? null : v));
    case 'horizon':
      return {
        mean: forecast.mean.slice(0, 8),
        lower: forecast.lower.slice(0, 8),
        upper: forecast.upper.slice(0, 8),
      };
  }
}

async function registerCopy(
  base: ModelVersion,
  forecast: StoredForecast,
  label: string,
  ports: DemoPorts,
): Promise<ModelVersion> {
  return ports.registry.registerVersion({
    isbn: base.isbn,
    metrics: base.metrics,
    params: { ...base.params, demo: label },
    dataHash: base.dataHash,
    trainedThrough: base.trainedThrough,
    pipelineRunId: `demo-${label}`,
    labels: { ...base.labels, demo: label },
    forecast,
  });
}

export async function demoDegrade(isbnInput: string, ports: DemoPorts): Promise<DemoResult> {
  const isbn = parseIsbn13(isbnInput);
  const base = await servingVersion(isbn, ports);
  const forecast = defective(await ports.registry.getForecast(isbn, base.version), 'degrade');
  const hotfix = await registerCopy(base, forecast, 'degrade', ports);
  await ports.serving.setTraffic(isbn, { [hotfix.version]: 100 });
  await ports.registry.setAlias(isbn, PRODUCTION_ALIAS, hotfix.version);
  return {
    isbn,
    action: 'degrade',
    version: hotfix.version,
    previousVersion: base.version,
    detail: `v${hotfix.version} (a hot-fixed copy of v${base.version} forecasting 2.5x + 40) now serves 100 %; last-known-good is unchanged`,
  };
}

/** Which book gets which broken version, and who the announcement says deployed it. */
export interface BadVersionRequest {
  isbn: string;
  defect: BadVersionDefect;
  deployedBy: string;
  correlationId: string;
}

export async function demoBadVersion(
  request: BadVersionRequest,
  ports: DemoPorts,
  settings: { environment: Environment },
): Promise<DemoResult & { messageId: string }> {
  const { defect } = request;
  if (!BAD_VERSION_DEFECTS.includes(defect)) {
    throw new ValidationError(`--defect must be one of ${BAD_VERSION_DEFECTS.join('|')} (got "${defect}")`, [
      'defect',
    ]);
  }
  const isbn = parseIsbn13(request.isbn);
  const base = await servingVersion(isbn, ports);
  const bad = await registerCopy(
    base,
    defective(await ports.registry.getForecast(isbn, base.version), defect),
    `bad-${defect}`,
    ports,
  );
  await ports.serving.setTraffic(isbn, { [bad.version]: 100 });
  await ports.registry.setAlias(isbn, PRODUCTION_ALIAS, bad.version);
  const event: ModelDeployed = {
    isbn,
    version: bad.version,
    environment: settings.environment,
    deployedBy: request.deployedBy,
    correlationId: request.correlationId,
    previousVersion: base.version,
  };
  const messageId = await ports.bus.publish('model-deployments', {
    data: event,
    attributes: withCorrelation({ isbn, version: bad.version }, request.correlationId),
  });
  return {
    isbn,
    action: 'bad-version',
    version: bad.version,
    previousVersion: base.version,
    messageId,
    detail: `v${bad.version} (${defect}) deployed and announced on model-deployments as message ${messageId}`,
  };
}

/** Scales the last `weeks` weeks of one book's actual sales by `factor` (default 8 weeks, ×1.8). */
export async function demoDrift(
  isbnInput: string,
  ports: { sales: SalesFile },
  settings: { weeks?: number; factor?: number } = {},
): Promise<DemoResult> {
  const isbn = parseIsbn13(isbnInput);
  const weeks = settings.weeks ?? 8;
  const factor = settings.factor ?? 1.8;
  const all = await ports.sales.readAll();
  const series = all.find((s) => s.isbn === isbn);
  if (!series) throw new NotFoundError(`${isbn} has no sales in ${ports.sales.location}`);
  const from = series.points.length - weeks;
  series.points = series.points.map((p, i) =>
    i >= from ? { ...p, volume: Math.round(p.volume * factor) } : p,
  );
  await ports.sales.writeAll(all);
  return {
    isbn,
    action: 'drift',
    detail: `the last ${weeks} weeks of actual sales were scaled by ${factor} (${series.points[from]?.weekEnding} to ${series.points.at(-1)?.weekEnding})`,
  };
}
