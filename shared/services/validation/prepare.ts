/**
 * Reading what validating one version needs, through the ports: the version,
 * the endpoint (it must be deployed there, since predictions are pinned to
 * it), the version it replaces (for regression and shift), the
 * last-known-good pointer, and its training window of sales.
 */
import { createHash } from 'node:crypto';
import { COLLECTIONS } from '../../contracts/collections';
import type { LastKnownGood } from '../../contracts/documents/last-known-good';
import type { ModelVersion, SalesPoint, ServingState } from '../../contracts/model';
import { parseIsbn13 } from '../../domain/isbn';
import { ConflictError, NotFoundError } from '../../errors';
import { PRODUCTION_ALIAS } from '../../ports/model-registry';
import type { ValidationDeps } from './deps';

/** One version to validate. */
export interface ValidationTarget {
  isbn: string;
  version: string;
  /** What served before the deployment, when known (ModelDeployed.previousVersion). */
  previousVersion?: string;
  correlationId: string;
  /** A fixed report id (from the triggering message) so a redelivery redoes the same report. */
  reportId?: string;
}

export interface PreparedTarget {
  target: ValidationTarget;
  reportId: string;
  startedAt: string;
  version: ModelVersion;
  /** The version this one is compared with: the one it replaced, or last-known-good. */
  previous?: ModelVersion;
  serving: ServingState;
  productionAlias?: string;
  lastKnownGood?: string;
  /** Sales up to `trainedThrough`, in week order; undefined when the book has no sales series. */
  history?: SalesPoint[];
  historyMax?: number;
  recentLevel?: number;
}

/** Weeks whose mean is "the recent level". */
export const RECENT_LEVEL_WEEKS = 8;

/** A report id derived from a message id: the same delivery always names the same report. */
export function reportIdForMessage(isbn: string, version: string, messageId: string): string {
  const digest = createHash('sha256').update(messageId).digest('hex').slice(0, 16);
  return `vr-${isbn}-v${version}-${digest}`;
}

/**
 * Reads the target's state. Unknown version → NotFoundError; a version not
 * deployed → ConflictError (predictions are pinned to it), unless
 * `requireDeployed` is false (re-applying a stored verdict).
 */
export async function prepareTarget(
  target: ValidationTarget,
  deps: ValidationDeps,
  options: { requireDeployed?: boolean } = {},
): Promise<PreparedTarget> {
  const isbn = parseIsbn13(target.isbn);
  const [version, serving, productionAlias, lkg, series] = await Promise.all([
    deps.registry.getVersion(isbn, target.version),
    deps.serving.getServing(isbn),
    deps.registry.getAlias(isbn, PRODUCTION_ALIAS),
    deps.state.get<LastKnownGood>(COLLECTIONS.lastKnownGood, isbn),
    deps.sales.getSeries(isbn),
  ]);
  if (!version) throw new NotFoundError(`ISBN ${isbn} has no version ${target.version} in the registry`);
  const deployed = serving?.deployments.some((d) => d.version === version.version) ?? false;
  if (!deployed && options.requireDeployed !== false) {
    const there = serving?.deployments.map((d) => d.version).join(', ') || 'none';
    throw new ConflictError(
      `version ${version.version} of ISBN ${isbn} is not deployed on its endpoint (deployed: ${there}); validation predicts from deployed versions`,
    );
  }
  const lastKnownGood = lkg?.data.version;
  const previousId =
    target.previousVersion !== undefined && target.previousVersion !== version.version
      ? target.previousVersion
      : lastKnownGood !== version.version
        ? lastKnownGood
        : undefined;
  const previous = previousId === undefined ? undefined : await deps.registry.getVersion(isbn, previousId);
  const history = series?.points.filter((p) => p.weekEnding <= version.trainedThrough);
  const prepared: PreparedTarget = {
    target: { ...target, isbn },
    reportId: target.reportId ?? deps.ids.next(`vr-${isbn}-v${version.version}`),
    startedAt: deps.clock.now().toISOString(),
    version,
    serving: serving ?? { isbn, deployments: [], updatedAt: deps.clock.now().toISOString() },
    ...(previous ? { previous } : {}),
    ...(productionAlias !== undefined ? { productionAlias } : {}),
    ...(lastKnownGood !== undefined ? { lastKnownGood } : {}),
  };
  if (history && history.length > 0) {
    prepared.history = history;
    prepared.historyMax = history.reduce((m, p) => Math.max(m, p.volume), 0);
    const recent = history.slice(-RECENT_LEVEL_WEEKS);
    prepared.recentLevel = recent.reduce((s, p) => s + p.volume, 0) / recent.length;
  }
  return prepared;
}
