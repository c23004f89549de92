/**
 * Sales objects in Cloud Storage through @google-cloud/storage: one object
 * (gs://bucket/raw_data/UK_weekly_data.csv) or every object under a prefix
 * (gs://bucket/drops/, the trailing slash says "prefix").
 *
 * Reads are pinned with `generation=` (https://cloud.google.com/storage/docs/json_api/v1/objects/get):
 * once an object is replaced, its old generation is gone (404) in a bucket
 * without versioning, which tells the reader to re-index; with versioning the
 * old bytes are still the ones indexed, so the read stays consistent.
 * Listing pages with maxResults/pageToken (…/objects/list); int64 fields such
 * as generation and size arrive as decimal strings.
 */
import type { Readable } from 'node:stream';
import { PassThrough } from 'node:stream';
import type { Bucket, File, Storage } from '@google-cloud/storage';
import { BackendUnavailableError, ConfigError, NotFoundError } from '../../errors';
import {
  dropOrder,
  GenerationGoneError,
  type SalesObject,
  type SalesObjectStore,
} from '../sales/object-store';

export interface GsLocation {
  bucket: string;
  /** Object name, or a prefix ending in '/' (or '' for the whole bucket). */
  path: string;
  isPrefix: boolean;
}

/** Parses gs://bucket/name or gs://bucket/prefix/; a bucket name outside GCS's rules is a ConfigError. */
export function parseGsUri(uri: string, variable = 'FG_SALES_URI'): GsLocation {
  const m = /^gs:\/\/([^/]+)(?:\/(.*))?$/.exec(uri);
  // Bucket names: 3-63 (222 with dots) lowercase letters, digits, - _ . (https://cloud.google.com/storage/docs/buckets#naming).
  if (!m || !/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/.test(m[1] as string))
    throw new ConfigError(
      `${variable} must be gs://bucket/object or gs://bucket/prefix/ (got ${JSON.stringify(uri)})`,
      variable,
    );
  const path = m[2] ?? '';
  return { bucket: m[1] as string, path, isPrefix: path === '' || path.endsWith('/') };
}

const codeOf = (err: unknown) => (err as { code?: number }).code;

export interface GcsObjectStoreOptions {
  storage: Storage;
  /** Objects per list page (objects.list maxResults; default 1000, the API's maximum). */
  pageSize?: number;
}

export class GcsObjectStore implements SalesObjectStore {
  readonly location: string;
  private readonly bucket: Bucket;
  private readonly where: GsLocation;

  constructor(
    uri: string,
    private readonly options: GcsObjectStoreOptions,
  ) {
    this.where = parseGsUri(uri);
    this.location = uri;
    this.bucket = options.storage.bucket(this.where.bucket);
  }

  async list(): Promise<SalesObject[]> {
    if (!this.where.isPrefix) {
      const [metadata] = await this.bucket
        .file(this.where.path)
        .getMetadata()
        .catch((err: unknown) => {
          throw this.translate(err, this.location);
        });
      return [this.objectOf(metadata)];
    }
    const out: SalesObject[] = [];
    let pageToken: string | undefined;
    do {
      const [files, next] = await this.bucket
        .getFiles({
          prefix: this.where.path,
          maxResults: this.options.pageSize ?? 1000,
          pageToken,
          autoPaginate: false,
        })
        .catch((err: unknown) => {
          throw this.translate(err, this.location);
        });
      // Zero-byte "folder" placeholders (name ending in /) are not drops.
      for (const file of files) if (!file.name.endsWith('/')) out.push(this.objectOf(file.metadata));
      pageToken = (next as { pageToken?: string } | null)?.pageToken;
    } while (pageToken);
    return out.sort(dropOrder);
  }

  async resolve(uri: string, generation?: string): Promise<SalesObject | undefined> {
    const m = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri);
    if (!m || m[1] !== this.where.bucket) return undefined;
    const name = m[2] as string;
    if (this.where.isPrefix ? !name.startsWith(this.where.path) : name !== this.where.path) return undefined;
    const file = this.bucket.file(name, generation === undefined ? {} : { generation });
    const [metadata] = await file.getMetadata().catch((err: unknown) => {
      throw this.translate(err, generation === undefined ? uri : `${uri} generation ${generation}`);
    });
    return this.objectOf(metadata);
  }

  read(object: SalesObject, start?: number, end?: number): Readable {
    const file: File = this.bucket.file(object.name, { generation: object.generation });
    const source = file.createReadStream(start === undefined ? {} : { start, end });
    const out = new PassThrough();
    source.on('error', (err: unknown) => {
      out.destroy(
        codeOf(err) === 404 || codeOf(err) === 412
          ? new GenerationGoneError(object.uri, object.generation)
          : this.translate(err, object.uri),
      );
    });
    out.on('close', () => source.destroy());
    return source.pipe(out);
  }

  private objectOf(metadata: {
    name?: string;
    generation?: string | number;
    size?: string | number;
    timeCreated?: string;
  }): SalesObject {
    const name = metadata.name as string;
    return {
      name,
      uri: `gs://${this.where.bucket}/${name}`,
      generation: String(metadata.generation),
      size: Number(metadata.size),
      createdMs: metadata.timeCreated ? Date.parse(metadata.timeCreated) : 0,
    };
  }

  private translate(err: unknown, what: string): Error {
    if (codeOf(err) === 404) return new NotFoundError(`${what} does not exist`, { cause: err });
    return new BackendUnavailableError(
      `cannot read ${what} from Cloud Storage: ${(err as Error).message}`,
      'cloud-storage',
      {
        cause: err,
      },
    );
  }
}
