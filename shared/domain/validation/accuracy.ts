/**
 * Accuracy rules of validation and deployment: the version's holdout
 * figures against the environment's thresholds (exclusive, `null` = off, as
 * shared/domain/thresholds.ts reads them); regression of RMSE against the
 * version it replaces within the degradation limit; and, for forecasts, how
 * far the new version's forecast has shifted from the previous version's
 * over the weeks both cover (a scaled or broken artifact shows as a large
 * median ratio even when its metrics were copied). Pure.
 */
import type { ModelMetrics } from '../../contracts/model';
import type { Thresholds } from '../thresholds';
import { MISSING_METRIC_VALUE } from '../version-origin';
import { check, fmt, type ValidationCheck } from './check';

/** A version and its holdout figures. */
export interface VersionFigures {
  version: string;
  metrics: Pick<ModelMetrics, 'rmse' | 'mape'>;
}

/** `accuracy.rmse` and `accuracy.mape` (names prefixed with `prefix`) against the thresholds. */
export function accuracyChecks(
  candidate: VersionFigures,
  thresholds: Pick<Thresholds, 'rmseMax' | 'mapeMax'>,
  environment: string,
  prefix = 'accuracy',
): ValidationCheck[] {
  const { rmse, mape } = candidate.metrics;
  const rule = (name: string, value: number, limit: number | null, unit: string) =>
    // A version whose metrics could not be read (shared/domain/version-origin.ts) fails, limit or not.
    value === MISSING_METRIC_VALUE
      ? check(
          `${prefix}.${name}`,
          false,
          `holdout ${name.toUpperCase()} unknown: the version has no holdout metrics`,
        )
      : limit === null
        ? check(
            `${prefix}.${name}`,
            true,
            `${name.toUpperCase()} ${fmt(value)}${unit}; no limit in ${environment}`,
            value,
          )
        : check(
            `${prefix}.${name}`,
            value < limit,
            `holdout ${name.toUpperCase()} ${fmt(value)}${unit} ${value < limit ? 'is below' : 'is not below'} the ${environment} limit ${fmt(limit)}${unit}`,
            value,
          );
  return [rule('rmse', rmse, thresholds.rmseMax, ''), rule('mape', mape, thresholds.mapeMax, ' %')];
}

/**
 * RMSE against the version it replaces: at most `degradationMaxPct` % worse
 * (strict, as the thresholds read). No previous version, or the rule off →
 * passed with the reason.
 */
export function regressionCheck(
  candidate: VersionFigures,
  previous: VersionFigures | undefined,
  thresholds: Pick<Thresholds, 'degradationMaxPct'>,
  environment: string,
  name = 'regression',
): ValidationCheck {
  if (!previous || previous.version === candidate.version) {
    return check(name, true, 'no previous version to compare with');
  }
  const change = rmseChangePct(candidate, previous);
  const said = `holdout RMSE ${fmt(candidate.metrics.rmse)} vs ${fmt(previous.metrics.rmse)} of version ${previous.version} (${change === null ? 'baseline 0' : `${change >= 0 ? '+' : ''}${fmt(change)} %`})`;
  const limit = thresholds.degradationMaxPct;
  if (limit === null)
    return check(name, true, `${said}; no degradation limit in ${environment}`, change ?? undefined);
  const passed = candidate.metrics.rmse * 100 <= previous.metrics.rmse * (100 + limit);
  return check(name, passed, `${said}; limit +${fmt(limit)} % in ${environment}`, change ?? undefined);
}

/** Relative RMSE change in percent; null when the previous RMSE is 0. */
export function rmseChangePct(candidate: VersionFigures, previous: VersionFigures): number | null {
  if (previous.metrics.rmse === 0) return null;
  return ((candidate.metrics.rmse - previous.metrics.rmse) / previous.metrics.rmse) * 100;
}

/** True when the candidate is worse than `than` on RMSE or MAPE (a high-risk change). */
export function worseThan(candidate: VersionFigures, than: VersionFigures): string[] {
  const reasons: string[] = [];
  if (candidate.metrics.rmse > than.metrics.rmse) {
    reasons.push(
      `RMSE ${fmt(candidate.metrics.rmse)} is worse than ${fmt(than.metrics.rmse)} of serving version ${than.version}`,
    );
  }
  if (candidate.metrics.mape > than.metrics.mape) {
    reasons.push(
      `MAPE ${fmt(candidate.metrics.mape)} % is worse than ${fmt(than.metrics.mape)} % of serving version ${than.version}`,
    );
  }
  return reasons;
}

/** A forecast with its week-ending dates. */
export interface DatedForecast {
  version: string;
  weeks: readonly string[];
  values: ReadonlyArray<number | null>;
}

/** Fewer weeks in common than this and the shift is not judged. */
const MIN_SHARED_WEEKS = 4;

/**
 * The median of candidate / previous over the weeks both forecast (where
 * both are finite and the previous is above 0) must lie within
 * [1/`factor`, `factor`]. A median, so a promotion week or a changed
 * Christmas peak does not decide it.
 */
export function forecastShiftCheck(
  candidate: DatedForecast,
  previous: DatedForecast | undefined,
  factor = 3,
): ValidationCheck {
  if (!previous) return check('shift', true, 'no previous version serving a forecast to compare with');
  const prior = new Map<string, number>();
  previous.weeks.forEach((w, i) => {
    const v = previous.values[i];
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) prior.set(w, v);
  });
  const ratios: number[] = [];
  candidate.weeks.forEach((w, i) => {
    const v = candidate.values[i];
    const p = prior.get(w);
    if (p !== undefined && typeof v === 'number' && Number.isFinite(v)) ratios.push(v / p);
  });
  if (ratios.length < MIN_SHARED_WEEKS) {
    return check(
      'shift',
      true,
      `not judged: ${ratios.length} weeks in common with version ${previous.version}`,
    );
  }
  ratios.sort((a, b) => a - b);
  const mid = ratios.length >> 1;
  const median = ratios.length % 2 ? ratios[mid]! : (ratios[mid - 1]! + ratios[mid]!) / 2;
  const passed = median <= factor && median >= 1 / factor;
  return check(
    'shift',
    passed,
    `median forecast is ${fmt(median)} × version ${previous.version}'s over ${ratios.length} shared weeks; allowed 1/${fmt(factor)} to ${fmt(factor)} ×`,
    median,
  );
}
