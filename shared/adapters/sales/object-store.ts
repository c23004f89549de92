/**
 * Where sales objects live, as the sliced reader needs it: list the objects
 * (one file, or every drop under a prefix), and read a byte range of one
 * object pinned to the generation that was indexed. Cloud Storage and a
 * local file or folder implement it.
 */
import type { Readable } from 'node:stream';

export interface SalesObject {
  /** Object name (Cloud Storage) or absolute path (local). */
  name: string;
  /** Full URI as a notification or `isbnsIn` names it: gs://bucket/name or the path. */
  uri: string;
  /** Decimal string: the Cloud Storage generation, or the file's mtime in microseconds. */
  generation: string;
  size: number;
  /** Creation time (ms); drops are applied oldest first, so later drops win. */
  createdMs: number;
}

/**
 * Drop order: creation time, then generation (Cloud Storage writes it as a
 * microsecond timestamp, finer than timeCreated's milliseconds), then name.
 */
export function dropOrder(a: SalesObject, b: SalesObject): number {
  if (a.createdMs !== b.createdMs) return a.createdMs - b.createdMs;
  const ga = BigInt(/^[0-9]+$/.test(a.generation) ? a.generation : '0');
  const gb = BigInt(/^[0-9]+$/.test(b.generation) ? b.generation : '0');
  if (ga !== gb) return ga < gb ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The generation a read was pinned to is gone (object replaced or deleted): re-list and re-index. */
export class GenerationGoneError extends Error {
  constructor(
    readonly object: string,
    readonly generation: string,
  ) {
    super(`${object} generation ${generation} no longer exists`);
    this.name = 'GenerationGoneError';
  }
}

export interface SalesObjectStore {
  /** The configured source, for messages (gs://bucket/prefix/ or a path). */
  readonly location: string;
  /** Every object the source holds now, oldest first (then by name). */
  list(): Promise<SalesObject[]>;
  /**
   * The object a `SalesSource` names, at `generation` when given (else the live one).
   * A URI outside this source → undefined; an object or generation that does not exist → NotFoundError.
   */
  resolve(uri: string, generation?: string): Promise<SalesObject | undefined>;
  /** Bytes [start, end] (inclusive, as HTTP ranges) of `object` at its generation; GenerationGoneError when replaced. */
  read(object: SalesObject, start?: number, end?: number): Readable;
}
