/**
 * Sales objects on one machine: a file, or every file under a folder (the
 * local stand-in for a Cloud Storage prefix of drops). A file's "generation"
 * is its modification time in microseconds, so a rewritten file is
 * re-indexed just as a replaced Cloud Storage object is. Names starting with
 * a dot are skipped: an editor's or uploader's temporary file is not a drop.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat as statNumbers } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { BackendUnavailableError, NotFoundError } from '../../errors';
import { dropOrder, GenerationGoneError, type SalesObject, type SalesObjectStore } from './object-store';

/**
 * Microseconds of the nanosecond mtime, truncated, exactly as the local stack's
 * sales watcher names the generation it announces (sales-watcher.ts): from the
 * float `mtimeMs` the two could differ by one, and a drop would read as gone.
 */
const generationOf = (mtimeNs: bigint) => String(mtimeNs / 1000n);
const stat = (path: string): Promise<BigIntStats> => statNumbers(path, { bigint: true });

export class LocalObjectStore implements SalesObjectStore {
  readonly location: string;

  constructor(path: string) {
    this.location = resolve(path);
  }

  async list(): Promise<SalesObject[]> {
    const info = await stat(this.location).catch((err: unknown) => {
      throw this.translate(err, this.location);
    });
    if (info.isFile()) return [this.objectOf(this.location, info)];
    const out: SalesObject[] = [];
    const entries = await readdir(this.location, { recursive: true, withFileTypes: true });
    for (const entry of entries) {
      if (!entry.isFile() || entry.name.startsWith('.')) continue;
      const path = join(entry.parentPath, entry.name);
      const fileInfo = await stat(path).catch(() => undefined); // removed meanwhile
      if (fileInfo) out.push(this.objectOf(path, fileInfo));
    }
    return out.sort(dropOrder);
  }

  async resolve(uri: string, generation?: string): Promise<SalesObject | undefined> {
    const path = resolve(uri);
    const rel = relative(this.location, path);
    if (path !== this.location && (rel.startsWith('..') || isAbsolute(rel))) return undefined;
    const info = await stat(path).catch((err: unknown) => {
      throw this.translate(err, path);
    });
    const object = this.objectOf(path, info);
    if (generation !== undefined && generation !== object.generation)
      throw new NotFoundError(`${path} generation ${generation} no longer exists (now ${object.generation})`);
    return object;
  }

  read(object: SalesObject, start?: number, end?: number): Readable {
    // Checked before opening: a rewritten file is a new generation, like a replaced object.
    const out = new PassThrough();
    stat(object.name).then(
      (info) => {
        if (generationOf(info.mtimeNs) !== object.generation)
          return out.destroy(new GenerationGoneError(object.name, object.generation));
        const file = createReadStream(object.name, { start, end });
        file.on('error', (err) => out.destroy(this.translate(err, object.name)));
        file.pipe(out);
      },
      (err: unknown) => {
        const code = (err as NodeJS.ErrnoException).code;
        out.destroy(
          code === 'ENOENT'
            ? new GenerationGoneError(object.name, object.generation)
            : this.translate(err, object.name),
        );
      },
    );
    return out;
  }

  private objectOf(path: string, info: BigIntStats): SalesObject {
    return {
      name: path,
      uri: path,
      generation: generationOf(info.mtimeNs),
      size: Number(info.size),
      createdMs: Number(info.mtimeMs),
    };
  }

  private translate(err: unknown, path: string): Error {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return new NotFoundError(`sales source ${path} does not exist`, { cause: err });
    return new BackendUnavailableError(`cannot read sales source ${path}: ${String(err)}`, 'local-sales', {
      cause: err,
    });
  }
}
