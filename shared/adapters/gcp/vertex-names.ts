/**
 * Vertex AI resource names for the model world: one Model per book
 * (`arima_book_<isbn>`), one Endpoint per book (`<prefix><isbn>`), and the
 * PipelineJobs of a location. Names are built here and parsed here, so the
 * registry, the serving target and the pipeline monitor agree on them.
 *
 * Vertex returns names with the project NUMBER where we sent the project id,
 * and ListModelVersions may add `@<versionId>`: parsing looks only at the
 * last segments, never at the project part.
 */
import { isValidIsbn13 } from '../../domain/isbn';
import { ValidationError } from '../../errors';

/** Where the resources live: `projects/<projectId>/locations/<location>`. */
export interface VertexLocation {
  projectId: string;
  /** A region such as `europe-west2`. */
  location: string;
}

/** The label every resource forecast-guard creates carries, so listings can filter on it. */
export const APP_LABEL_KEY = 'app';
export const APP_LABEL_VALUE = 'forecast-guard';
/** The label that names a resource's book. */
export const ISBN_LABEL_KEY = 'isbn';
/** Labels forecast-guard sets itself; a registration may not use these keys. */
export const RESERVED_LABEL_KEYS: readonly string[] = [APP_LABEL_KEY, ISBN_LABEL_KEY];

/** The listing filter for our resources (Models, Endpoints). */
export const APP_FILTER = `labels.${APP_LABEL_KEY}="${APP_LABEL_VALUE}"`;

const MODEL_ID_PREFIX = 'arima_book_';
const MODEL_ID = /\/models\/([^/@]+)(?:@([^/]+))?$/;
/** Vertex's endpoint-id rule for ids that start with a letter. */
const ENDPOINT_ID = /^[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
/** PipelineJob ids: what Vertex accepts as the last segment of a job name. */
const PIPELINE_JOB_ID = /^[a-z0-9][a-z0-9-]{0,127}$/;

/** `projects/<projectId>/locations/<location>`: the parent of every listing. */
export function locationPath(where: VertexLocation): string {
  return `projects/${where.projectId}/locations/${where.location}`;
}

/**
 * The Model id (and display name) of a book: `arima_book_<isbn>`. Vertex
 * accepts `[a-z0-9_-]`, not starting with a digit, as an UploadModel
 * `model_id`, so the name is known without a search and two pipelines
 * registering the first version at once cannot create two Models.
 */
export function modelIdFor(isbn: string): string {
  return `${MODEL_ID_PREFIX}${isbn}`;
}

/** Full Model resource name of a book. */
export function modelNameFor(where: VertexLocation, isbn: string): string {
  return `${locationPath(where)}/models/${modelIdFor(isbn)}`;
}

/** `…/models/<id>@<versionOrAlias>`: how Vertex addresses one version. */
export function versionRef(modelName: string, versionOrAlias: string): string {
  return `${withoutVersion(modelName)}@${versionOrAlias}`;
}

/** A Model name without its `@version` suffix (ListModelVersions may add one). */
export function withoutVersion(name: string): string {
  const at = name.lastIndexOf('@');
  return at > name.lastIndexOf('/') ? name.slice(0, at) : name;
}

/** The Model id at the end of a resource name, ignoring any `@version`. */
export function modelIdOf(name: string): string | undefined {
  return MODEL_ID.exec(name)?.[1];
}

/** The `@<version>` suffix of a Model reference, if there is one. */
export function versionSuffixOf(name: string): string | undefined {
  return MODEL_ID.exec(name)?.[2];
}

/** The ISBN of a book Model's resource name; undefined for a Model forecast-guard did not name. */
export function isbnOfModelName(name: string): string | undefined {
  const id = modelIdOf(name);
  if (id === undefined || !id.startsWith(MODEL_ID_PREFIX)) return undefined;
  const isbn = id.slice(MODEL_ID_PREFIX.length);
  return isValidIsbn13(isbn) ? isbn : undefined;
}

/**
 * Checks an endpoint prefix once, at construction: `<prefix><isbn>` is used
 * as the Endpoint id, and Vertex wants such an id to start with a letter and
 * hold only `[a-z0-9-]` (63 at most).
 */
export function assertEndpointPrefix(prefix: string): void {
  if (typeof prefix !== 'string' || !ENDPOINT_ID.test(`${prefix}9780000000002`)) {
    throw new ValidationError(
      `endpointPrefix: must start with a lowercase letter and hold only lowercase letters, digits and '-' (at most 50), so that <prefix><isbn> is a Vertex endpoint id (got ${JSON.stringify(prefix)})`,
      ['endpointPrefix'],
    );
  }
}

/** The Endpoint id (and display name) of a book: `<prefix><isbn>`. */
export function endpointIdFor(prefix: string, isbn: string): string {
  return `${prefix}${isbn}`;
}

/** Full Endpoint resource name of a book. */
export function endpointNameFor(where: VertexLocation, prefix: string, isbn: string): string {
  return `${locationPath(where)}/endpoints/${endpointIdFor(prefix, isbn)}`;
}

/** The last segment of a resource name (an Endpoint, PipelineJob or DeployedModel id). */
export function lastSegment(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

/** Full PipelineJob name for an id, or undefined when no job could have that id (it would name another resource). */
export function pipelineJobNameFor(where: VertexLocation, id: string): string | undefined {
  return PIPELINE_JOB_ID.test(id) ? `${locationPath(where)}/pipelineJobs/${id}` : undefined;
}

/** Throws a ValidationError naming `isbn` unless it is a canonical, valid ISBN-13 (the embedded adapters' message). */
export function requireIsbn(isbn: string): void {
  if (typeof isbn !== 'string' || !isValidIsbn13(isbn)) {
    throw new ValidationError(
      `isbn: must be a valid ISBN-13 (13 digits, 978/979 prefix, correct check digit), got ${JSON.stringify(isbn)}`,
      ['isbn'],
    );
  }
}

/** True for a decimal version id: anything else (an alias, `-`) would make Vertex resolve something else. */
export function isVersionId(version: string): boolean {
  return typeof version === 'string' && /^[0-9]{1,18}$/.test(version);
}

/** Decimal version ids in numeric order ("2" before "10"). */
export function byVersion(a: string, b: string): number {
  return Number(a) - Number(b) || a.localeCompare(b);
}

/** The alias Vertex keeps on exactly one version of every Model; it is Vertex's, not ours to move. */
export const DEFAULT_ALIAS = 'default';

/**
 * Vertex's alias rule (Model.version_aliases): a lowercase letter first, a
 * lowercase letter or digit last, letters, digits and '-' between, 2–128
 * characters. Starting with a letter keeps an alias from ever reading as a
 * version id.
 */
export const VERTEX_ALIAS = /^[a-z][a-zA-Z0-9-]{0,126}[a-z0-9]$/;

/** Throws a ValidationError naming `alias` unless callers may set it on Vertex. */
export function requireSettableAlias(alias: string): void {
  if (typeof alias !== 'string' || !VERTEX_ALIAS.test(alias)) {
    throw new ValidationError(
      `alias: must be 2-128 characters, a lowercase letter first, a lowercase letter or digit last, and only letters, digits and '-' between (Vertex AI's alias rule), got ${JSON.stringify(alias)}`,
      ['alias'],
    );
  }
  if (alias === DEFAULT_ALIAS) {
    throw new ValidationError(
      `alias: "${DEFAULT_ALIAS}" belongs to Vertex AI, which keeps it on exactly one version; use an alias of your own`,
      ['alias'],
    );
  }
}

/** The placeholder an endpoint display-name pattern holds once: `book-sales-{isbn}`. */
export const ISBN_PLACEHOLDER = '{isbn}';

/**
 * Checks an endpoint display-name pattern (FG_VERTEX_ENDPOINT_PATTERN) once:
 * it must hold `{isbn}` exactly once, so each book has one name and a name
 * gives back its book.
 */
export function assertEndpointPattern(pattern: string): void {
  if (typeof pattern !== 'string' || pattern.split(ISBN_PLACEHOLDER).length !== 2 || pattern.includes('"')) {
    throw new ValidationError(
      `endpointPattern: must hold ${ISBN_PLACEHOLDER} exactly once and no '"', e.g. book-sales-${ISBN_PLACEHOLDER} (got ${JSON.stringify(pattern)})`,
      ['endpointPattern'],
    );
  }
}

/** The display name a pattern gives a book. */
export function endpointDisplayNameFor(pattern: string, isbn: string): string {
  return pattern.replace(ISBN_PLACEHOLDER, isbn);
}

/** The ISBN a display name holds by the pattern, or undefined when it does not match. */
export function isbnOfDisplayName(pattern: string, displayName: string): string | undefined {
  const [head = '', tail = ''] = pattern.split(ISBN_PLACEHOLDER);
  if (!displayName.startsWith(head) || !displayName.endsWith(tail)) return undefined;
  const isbn = displayName.slice(head.length, displayName.length - tail.length);
  return isValidIsbn13(isbn) ? isbn : undefined;
}

/** `labels.k="v" AND …` for a label filter; empty for none. */
export function labelFilter(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([key, value]) => `labels.${key}="${value}"`)
    .join(' AND ');
}
