/**
 * Acting on one book: put the endpoint and the production alias to a desired
 * state, then verify by reading both back and asking for a canary forecast.
 * A version with all the traffic (every emergency rollback) is asked with a
 * plain prediction, which must be answered by that version's deployed model
 * (its `deployedModelId` as read back): no Explain, which real Vertex refuses.
 * The versions of a split are each asked through the serving target's pinned
 * path (on Vertex, the validation endpoint).
 */
import type { DesiredServing } from '../../contracts/documents/rollback';
import { liveVersions, matchesDesired, splitRecord, describeServing } from '../../domain/rollback/serving';
import { describeError } from '../../errors';
import { PRODUCTION_ALIAS } from '../../ports/model-registry';
import type { RollbackDeps } from './deps';

/**
 * Traffic first (what serves is what matters in an emergency), then, for an
 * exact state, undeploy what the state does not hold (at 0 % by then), then
 * the alias. Each step is idempotent, so a retry or a recovery may run it again.
 */
export async function applyDesired(deps: RollbackDeps, isbn: string, desired: DesiredServing): Promise<void> {
  const after = await deps.serving.setTraffic(isbn, splitRecord(desired));
  if (desired.exact) {
    const keep = new Set(desired.split.map((s) => s.version));
    for (const d of after.deployments) {
      if (!keep.has(d.version)) await deps.serving.undeploy(isbn, d.version);
    }
  }
  if (desired.productionAlias === null) await deps.registry.deleteAlias(isbn, PRODUCTION_ALIAS);
  else await deps.registry.setAlias(isbn, PRODUCTION_ALIAS, desired.productionAlias);
}

/** Whether a book reads back as asked and its canaries answered. */
export interface Verification {
  ok: boolean;
  /** What was wrong, when not ok. */
  detail?: string;
}

/** Reads alias and endpoint back and makes one canary prediction per live version (see above). */
export async function verifyDesired(
  deps: RollbackDeps,
  isbn: string,
  desired: DesiredServing,
  canarySteps: number,
): Promise<Verification> {
  try {
    const [alias, serving] = await Promise.all([
      deps.registry.getAlias(isbn, PRODUCTION_ALIAS),
      deps.serving.getServing(isbn),
    ]);
    if (!matchesDesired(alias, serving ?? null, desired)) {
      return {
        ok: false,
        detail: `read back ${describeServing(alias, serving ?? null)}, which is not the state asked for`,
      };
    }
    const live = liveVersions(desired);
    for (const version of live) {
      const whole = live.length === 1;
      const response = whole
        ? await deps.serving.predict(isbn, [{ steps: canarySteps }])
        : await deps.serving.predict(isbn, [{ steps: canarySteps }], { version });
      const forecast = response.predictions[0]?.forecast ?? [];
      const expectedId = serving?.deployments.find((d) => d.version === version)?.deployedModelId;
      if (whole && expectedId !== undefined && response.deployedModelId !== expectedId) {
        return {
          ok: false,
          detail: `the canary was answered by deployed model ${response.deployedModelId}, not version ${version}'s deployed model ${expectedId}`,
        };
      }
      if (response.modelVersionId !== version) {
        return {
          ok: false,
          detail: `the canary ${whole ? 'after the switch' : 'pinned to version ' + version} was answered by version ${response.modelVersionId}, not ${version}`,
        };
      }
      if (forecast.length !== canarySteps || !forecast.every((v) => Number.isFinite(v))) {
        return {
          ok: false,
          detail: `the canary from version ${version} is not ${canarySteps} finite weeks (got ${JSON.stringify(forecast.slice(0, 8))})`,
        };
      }
    }
    return { ok: true };
  } catch (err) {
    return { ok: false, detail: `verification failed: ${describeError(err)}` };
  }
}

/** Applies `desired`, then verifies it; a failure to apply is reported like a failed verification. */
export async function switchAndVerify(
  deps: RollbackDeps,
  isbn: string,
  desired: DesiredServing,
  canarySteps: number,
): Promise<Verification> {
  try {
    await applyDesired(deps, isbn, desired);
  } catch (err) {
    return { ok: false, detail: `switch failed: ${describeError(err)}` };
  }
  return verifyDesired(deps, isbn, desired, canarySteps);
}
