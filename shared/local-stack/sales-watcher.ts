/**
 * The local stack's stand-in for a Cloud Storage notification: a CSV file
 * dropped into (or rewritten in) the local sales folder publishes, on
 * `sales-data-updates`, the message Cloud Storage would publish for an
 * OBJECT_FINALIZE (https://cloud.google.com/storage/docs/pubsub-notifications):
 * the documented attributes and, as payloadFormat JSON_API_V1, the object
 * resource with its int64 fields as strings. Bucket LOCAL_SALES_BUCKET,
 * object name = the file name, generation = the file's modification time in
 * microseconds (what Cloud Storage's generations have been observed to be).
 *
 * Polling, not fs.watch. fs.watch reports a write as it happens, so a file
 * still being copied would be announced half-written, and it fires several
 * events per write; it also misses changes on network and some container
 * filesystems. Cloud Storage announces an object once its upload is complete
 * (finalized), so the watcher announces a file once its size and
 * modification time held still across two polls: at 1 s, a drop is announced
 * within about 2 s, far inside the 5-minute goal, for one readdir and a stat
 * per file each second. Like infra's notification (event_types
 * OBJECT_FINALIZE), it reports no deletions; only `.csv` names, the rest of
 * the folder (the state database, logs) being no sales.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventBus } from '../ports/event-bus';
import { LOCAL_SALES_BUCKET } from '../services/sales-data-events';

export const LOCAL_NOTIFICATION_CONFIG = `projects/_/buckets/${LOCAL_SALES_BUCKET}/notificationConfigs/forecast-guard-up`;

export interface SalesWatcherOptions {
  /** The local sales folder (on the embedded backend, the state directory that holds sales.csv). */
  dir: string;
  bus: Pick<EventBus, 'publish'>;
  /** Poll interval; default 1,000 ms. */
  intervalMs?: number;
  /** A notification was published for `name` (for the console). */
  onPublish?(name: string, generation: string, messageId: string): void;
  onError?(err: unknown): void;
}

interface Seen {
  /** size:mtimeNs:inode, what "unchanged" compares. */
  state: string;
  generation: string;
  mtime: Date;
  size: bigint;
  /** The generation last announced (or found at start): the one a new upload overwrites. */
  announced?: string;
  /** Held still for one poll: announced at the next poll if it still holds. */
  pending: boolean;
}

/** Polls `dir` and publishes an OBJECT_FINALIZE notification for each CSV file that lands or changes. */
export class SalesFolderWatcher {
  private readonly files = new Map<string, Seen>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(private readonly options: SalesWatcherOptions) {}

  /** Takes stock of what is already there (not new, so not announced), then polls. */
  async start(): Promise<void> {
    for (const [name, seen] of await this.scan())
      this.files.set(name, { ...seen, announced: seen.generation });
    const tick = () => {
      if (this.stopped) return;
      this.running = this.poll()
        .catch((err: unknown) => this.options.onError?.(err))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.options.intervalMs ?? 1000);
        });
    };
    this.timer = setTimeout(tick, this.options.intervalMs ?? 1000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One poll: announce each file whose new state held still since the previous poll. */
  async poll(): Promise<void> {
    const now = await this.scan();
    for (const [name, current] of now) {
      const before = this.files.get(name);
      if (before && before.state === current.state) {
        if (before.pending) {
          before.pending = false;
          await this.announce(name, before);
        }
        continue;
      }
      // New or changed: wait one more poll for it to hold still (a copy may still be writing).
      this.files.set(name, { ...current, announced: before?.announced, pending: true });
    }
    for (const name of [...this.files.keys()]) if (!now.has(name)) this.files.delete(name);
  }

  private async announce(name: string, seen: Seen): Promise<void> {
    if (seen.announced === seen.generation) return;
    const message = notificationFor(name, seen.generation, seen.mtime, seen.size, seen.announced);
    const id = await this.options.bus.publish('sales-data-updates', message);
    seen.announced = seen.generation;
    this.options.onPublish?.(name, seen.generation, id);
  }

  private async scan(): Promise<Map<string, Seen>> {
    const out = new Map<string, Seen>();
    let names: string[];
    try {
      names = await readdir(this.options.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
      throw err;
    }
    for (const name of names.filter((n) => /\.csv$/i.test(n))) {
      try {
        const info = await stat(join(this.options.dir, name), { bigint: true });
        if (!info.isFile()) continue;
        out.set(name, {
          state: `${info.size}:${info.mtimeNs}:${info.ino}`,
          generation: String(info.mtimeNs / 1000n),
          mtime: new Date(Number(info.mtimeMs)),
          size: info.size,
          pending: false,
        });
      } catch (err) {
        // Gone between readdir and stat (a rename in progress): the next poll sees what is there.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    return out;
  }
}

/** The Pub/Sub message Cloud Storage publishes for an OBJECT_FINALIZE, JSON_API_V1, of a local file. */
export function notificationFor(
  name: string,
  generation: string,
  updated: Date,
  size: bigint,
  overwroteGeneration?: string,
): { data: Record<string, string>; attributes: Record<string, string> } {
  const eventTime = microsecondTime(generation);
  return {
    attributes: {
      notificationConfig: LOCAL_NOTIFICATION_CONFIG,
      eventType: 'OBJECT_FINALIZE',
      payloadFormat: 'JSON_API_V1',
      bucketId: LOCAL_SALES_BUCKET,
      objectId: name,
      objectGeneration: generation,
      eventTime,
      ...(overwroteGeneration ? { overwroteGeneration } : {}),
    },
    data: {
      kind: 'storage#object',
      id: `${LOCAL_SALES_BUCKET}/${name}/${generation}`,
      name,
      bucket: LOCAL_SALES_BUCKET,
      generation,
      metageneration: '1',
      contentType: 'text/csv',
      timeCreated: updated.toISOString(),
      updated: updated.toISOString(),
      storageClass: 'STANDARD',
      size: String(size),
    },
  };
}

/** RFC 3339 with microseconds, as Cloud Storage writes eventTime (2025-08-14T12:05:41.122981Z). */
function microsecondTime(generation: string): string {
  const micros = BigInt(generation);
  const seconds = new Date(Number(micros / 1_000_000n) * 1000).toISOString().slice(0, 19);
  return `${seconds}.${String(micros % 1_000_000n).padStart(6, '0')}Z`;
}
