/**
 * Gathering what the deployment gates judge for one book: the candidate
 * version ('latest' resolved), what serves now, the training window's data
 * quality, the ARIMA sanity (on a refit of the window and the candidate's
 * served forecast) and the explanation. To see the candidate's forecast
 * through the ServingTarget it is staged on the endpoint at 0 % of traffic
 * (how Vertex AI canaries start); `unstage` takes it off again when the
 * deployment does not go ahead.
 */
import type { ModelVersion, SalesPoint, ServingState } from '../../contracts/model';
import { MAX_FORECAST_STEPS } from '../../contracts/model';
import { parseIsbn13 } from '../../domain/isbn';
import { compareVersions } from '../../domain/traffic';
import { arimaSanityChecks, describeParsedOrder, parseOrder } from '../../domain/validation/arima-sanity';
import type { ValidationCheck } from '../../domain/validation/check';
import { dataQualityChecks } from '../../domain/validation/data-quality';
import { explainForecast } from '../../domain/validation/explanation';
import { servingVersionOf } from '../../domain/validation/registry-consistency';
import { NotFoundError, ValidationError } from '../../errors';
import { refitTrainingWindow } from '../validation/refit';
import type { DeployDeps } from './deps';

export interface GatheredBook {
  isbn: string;
  candidate: ModelVersion;
  serving?: ServingState;
  /** The version taking the most traffic now. */
  current?: ModelVersion;
  history: SalesPoint[];
  dataQuality: ValidationCheck[];
  sanity: ValidationCheck[];
  explanation: string;
  /** The candidate was put on the endpoint at 0 % for this look. */
  staged: boolean;
}

/** The version `spec` names for `isbn`: a decimal id, or `latest`. */
export async function resolveVersion(
  isbn: string,
  spec: string,
  deps: Pick<DeployDeps, 'registry'>,
): Promise<ModelVersion> {
  if (spec === 'latest') {
    const versions = await deps.registry.listVersions(isbn);
    const newest = [...versions].sort((a, b) => compareVersions(a.version, b.version)).at(-1);
    if (!newest) throw new NotFoundError(`ISBN ${isbn} has no registered version`);
    return newest;
  }
  if (!/^[0-9]+$/.test(spec)) {
    throw new ValidationError(`--model-version must be a version number or "latest" (got "${spec}")`, [
      'model-version',
    ]);
  }
  const version = await deps.registry.getVersion(isbn, spec);
  if (!version) {
    const ids = (await deps.registry.listVersions(isbn)).map((v) => v.version).join(', ');
    throw new NotFoundError(`ISBN ${isbn} has no version ${spec} (versions: ${ids || 'none'})`);
  }
  return version;
}

export async function gatherBook(isbnInput: string, spec: string, deps: DeployDeps): Promise<GatheredBook> {
  const isbn = parseIsbn13(isbnInput);
  const candidate = await resolveVersion(isbn, spec, deps);
  const [serving, series] = await Promise.all([deps.serving.getServing(isbn), deps.sales.getSeries(isbn)]);
  const currentId = servingVersionOf(serving);
  const current = currentId === undefined ? undefined : await deps.registry.getVersion(isbn, currentId);
  const points = series?.points ?? [];
  const history = points.filter((p) => p.weekEnding <= candidate.trainedThrough);

  let staged = false;
  let forecast: Array<number | null> | undefined;
  let unavailable: string | undefined;
  const deployed = serving?.deployments.some((d) => d.version === candidate.version) ?? false;
  if (!deployed && serving && currentId !== undefined) {
    const split: Record<string, number> = {};
    for (const d of serving.deployments) split[d.version] = d.trafficPercent;
    split[candidate.version] = 0;
    await deps.serving.setTraffic(isbn, split);
    staged = true;
  }
  if (deployed || staged) {
    try {
      const res = await deps.serving.predict(isbn, [{ steps: MAX_FORECAST_STEPS }], {
        version: candidate.version,
      });
      forecast = res.predictions[0]?.forecast;
    } catch {
      // Fewer weeks than the maximum: growth is then judged by post-deploy validation's horizon checks.
      unavailable = `version ${candidate.version} does not answer ${MAX_FORECAST_STEPS} weeks`;
    }
  } else {
    unavailable = `ISBN ${isbn} has no endpoint serving traffic yet; post-deploy validation judges the served forecast`;
  }
  const refit =
    history.length > 0 ? refitTrainingWindow(history, candidate.trainedThrough, candidate.params) : undefined;
  const sanity = arimaSanityChecks({
    params: candidate.params,
    ...(refit ? { refit } : {}),
    ...(forecast ? { forecast } : {}),
    ...(unavailable ? { forecastUnavailable: unavailable } : {}),
  });

  const profile = candidate.params.seasonalProfile;
  const parsedOrder = parseOrder(candidate.params);
  const order = parsedOrder ? describeParsedOrder(parsedOrder) : undefined;
  const explanation = explainForecast({
    history,
    ...(Array.isArray(profile) ? { seasonalProfile: profile as number[] } : {}),
    ...(forecast ? { forecast } : {}),
    ...(order ? { order } : {}),
  }).text;
  return {
    isbn,
    candidate,
    ...(serving ? { serving } : {}),
    ...(current ? { current } : {}),
    history: points,
    dataQuality: dataQualityChecks({
      isbn,
      points,
      trainedThrough: candidate.trainedThrough,
      dataHash: candidate.dataHash,
    }),
    sanity: sanity.checks,
    explanation,
    staged,
  };
}

/** Takes a version staged for the gates off the endpoint again (it holds 0 %, so this is safe). */
export async function unstage(book: GatheredBook, deps: Pick<DeployDeps, 'serving'>): Promise<void> {
  if (book.staged) await deps.serving.undeploy(book.isbn, book.candidate.version);
}
