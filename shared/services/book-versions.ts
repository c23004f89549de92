/**
 * The registry view of one book that `versions --isbn X` prints and the
 * dashboard shows: what serves (with the traffic split), the production
 * alias, the last-known-good pointer, and every version with its metrics.
 */
import { COLLECTIONS } from '../contracts/collections';
import type { LastKnownGood } from '../contracts/documents/last-known-good';
import type { ServingState } from '../contracts/model';
import { parseIsbn13 } from '../domain/isbn';
import { missingMetrics } from '../domain/version-origin';
import { ServingUnknownError } from '../errors';
import { PRODUCTION_ALIAS, type ModelRegistry } from '../ports/model-registry';
import type { ServingTarget } from '../ports/serving-target';
import type { StateStore } from '../ports/state-store';

export interface BookVersionRow {
  version: string;
  rmse: number;
  mape: number;
  smape?: number;
  mase?: number;
  createdAt: string;
  trainedThrough: string;
  dataHash: string;
  pipelineRunId?: string;
  aliases: string[];
  trafficPercent: number | null;
  deployed: boolean;
  quarantined: boolean;
  quarantine?: { reason: string; at: string; by: string };
  /** Why the holdout metrics are not real figures (a pipeline version whose run is gone); absent when they are. */
  metricsMissing?: string;
}

export interface BookVersions {
  isbn: string;
  /** The version taking the most traffic; null when nothing is deployed or serving is unknown. */
  serving: string | null;
  /** False when no serving target is configured (a registry alone): `serving` and `traffic` are then unknown, not empty. */
  servingKnown: boolean;
  traffic: Record<string, number>;
  productionAlias: string | null;
  lastKnownGood: string | null;
  versions: BookVersionRow[];
}

const UNKNOWN = Symbol('serving unknown');

/** The book's endpoint, or UNKNOWN when no serving target is configured (ServingUnknownError). */
async function servingOrUnknown(
  serving: ServingTarget,
  isbn: string,
): Promise<ServingState | undefined | typeof UNKNOWN> {
  try {
    return await serving.getServing(isbn);
  } catch (err) {
    if (err instanceof ServingUnknownError) return UNKNOWN;
    throw err;
  }
}

export async function describeBookVersions(
  isbnInput: string,
  ports: { registry: ModelRegistry; serving: ServingTarget; state: StateStore },
): Promise<BookVersions> {
  const isbn = parseIsbn13(isbnInput);
  const [versions, servingState, alias, lkg] = await Promise.all([
    ports.registry.listVersions(isbn),
    servingOrUnknown(ports.serving, isbn),
    ports.registry.getAlias(isbn, PRODUCTION_ALIAS),
    ports.state.get<LastKnownGood>(COLLECTIONS.lastKnownGood, isbn),
  ]);
  const servingKnown = servingState !== UNKNOWN;
  const known = servingKnown ? servingState : undefined;
  const traffic: Record<string, number> = {};
  for (const d of known?.deployments ?? []) traffic[d.version] = d.trafficPercent;
  const top = (known?.deployments ?? [])
    .filter((d) => d.trafficPercent > 0)
    .sort((a, b) => b.trafficPercent - a.trafficPercent)[0];
  return {
    isbn,
    serving: top?.version ?? null,
    servingKnown,
    traffic,
    productionAlias: alias ?? null,
    lastKnownGood: lkg?.data.version ?? null,
    versions: versions.map((v) => ({
      version: v.version,
      rmse: v.metrics.rmse,
      mape: v.metrics.mape,
      smape: v.metrics.smape,
      mase: v.metrics.mase,
      createdAt: v.createdAt,
      trainedThrough: v.trainedThrough,
      dataHash: v.dataHash,
      pipelineRunId: v.pipelineRunId,
      aliases: v.aliases,
      trafficPercent: v.version in traffic ? traffic[v.version]! : null,
      deployed: v.version in traffic,
      quarantined: v.quarantine !== undefined,
      quarantine: v.quarantine && { reason: v.quarantine.reason, at: v.quarantine.at, by: v.quarantine.by },
      ...(missingMetrics(v) !== undefined ? { metricsMissing: missingMetrics(v) } : {}),
    })),
  };
}
