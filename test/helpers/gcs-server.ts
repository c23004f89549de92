/**
 * A Cloud Storage JSON API server on this machine, for @google-cloud/storage
 * pointed at it with `apiEndpoint: 'http://127.0.0.1:PORT'` (what the product
 * builds from STORAGE_EMULATOR_HOST; no credentials are sent). firebase-tools'
 * emulator is not used: it ignores generation preconditions, which the sales
 * reader relies on.
 *
 * Follows https://cloud.google.com/storage/docs/json_api/v1/objects and refuses
 * what Cloud Storage refuses:
 * - objects.get (…/objects/get): metadata, or bytes with alt=media and a
 *   `Range: bytes=a-b | a- | -n` header (206 + Content-Range; a range starting
 *   at or past the end → 416 requestedRangeNotSatisfiable). `generation=`
 *   reads that generation; one that no longer exists → 404 notFound.
 * - objects.list (…/objects/list): prefix, delimiter (prefixes[]), maxResults
 *   (at most 1000; counts items plus prefixes), pageToken, versions. An empty
 *   page has no `items` key; nextPageToken only while more remain.
 * - objects.insert (…/objects/insert): uploadType=media and multipart
 *   (multipart/related: JSON metadata part, then the media part), and
 *   resumable (https://cloud.google.com/storage/docs/performing-resumable-uploads):
 *   the POST answers a session URI in Location; PUTs carry
 *   `Content-Range: bytes a-b/total` (b or total may be a star, as the
 *   client writes them when it does not know yet), a chunk
 *   that leaves bytes missing is answered 308 with `Range: bytes=0-n`, the
 *   last one stores the object. Preconditions given on the POST are checked
 *   when the upload completes. Any other uploadType → 400.
 * - objects.delete (…/objects/delete), generation-aware.
 * - Preconditions (https://cloud.google.com/storage/docs/request-preconditions):
 *   ifGenerationMatch / ifMetagenerationMatch that do not hold → 412
 *   conditionNotMet (envelope of https://cloud.google.com/storage/docs/json_api/v1/status-codes);
 *   ifGenerationMatch=0 means "only if absent"; ifGenerationNotMatch /
 *   ifMetagenerationNotMatch that hold on a read → 304, on a write → 412.
 *   A precondition that is not a non-negative integer → 400 invalid.
 * Generations are decimal strings (int64 in JSON), increasing, microseconds
 * since the epoch like the real service's. A bucket without versioning keeps
 * only the live generation, so a replaced object's old generation is gone.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface StoredObject {
  name: string;
  generation: bigint;
  metageneration: number;
  data: Buffer;
  contentType: string;
  created: Date;
  md5: string;
  crc32c: string;
}

interface BucketState {
  versioning: boolean;
  /** name → generations, oldest first; the last is live unless `deleted`. */
  objects: Map<string, { generations: StoredObject[]; live: boolean }>;
}

export interface GcsServer {
  /** http://127.0.0.1:PORT, what STORAGE_EMULATOR_HOST (the client's apiEndpoint) takes. */
  host: string;
  createBucket(name: string, options?: { versioning?: boolean }): void;
  /** Writes an object directly (a drop landing), returning its generation. */
  put(bucket: string, name: string, data: string | Buffer, contentType?: string): string;
  /** Every request seen: method, path and query, for asserting what the client asked. */
  requests: { method: string; path: string; query: URLSearchParams; range?: string }[];
  stop(): Promise<void>;
}

const MAX_RESULTS = 1000;
const MAX_NAME_BYTES = 1024; // https://cloud.google.com/storage/docs/objects#naming

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

const notFound = (what: string) => new HttpError(404, 'notFound', `No such object: ${what}`);
const conditionNotMet = () =>
  new HttpError(412, 'conditionNotMet', 'At least one of the pre-conditions you specified did not hold.', {
    locationType: 'header',
    location: 'If-Match',
  });

/** CRC32C (Castagnoli), big-endian, base64, as objects carry it in `crc32c` and x-goog-hash. */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
export function crc32cBase64(data: Buffer): string {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++)
    crc = (CRC_TABLE[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  const out = Buffer.alloc(4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return out.toString('base64');
}

export async function startGcsServer(): Promise<GcsServer> {
  const buckets = new Map<string, BucketState>();
  const requests: GcsServer['requests'] = [];
  let lastGeneration = 0n;
  let sessionSeq = 0;
  let port = 0;

  const nextGeneration = () => {
    const now = BigInt(Date.now()) * 1000n;
    lastGeneration = now > lastGeneration ? now : lastGeneration + 1n;
    return lastGeneration;
  };
  const bucketOf = (name: string) => {
    const b = buckets.get(name);
    if (!b) throw new HttpError(404, 'notFound', 'The specified bucket does not exist.');
    return b;
  };
  const liveOf = (b: BucketState, name: string) => {
    const entry = b.objects.get(name);
    return entry?.live ? entry.generations[entry.generations.length - 1] : undefined;
  };

  const resource = (bucket: string, o: StoredObject) => {
    const enc = encodeURIComponent(o.name);
    const time = o.created.toISOString();
    return {
      kind: 'storage#object',
      id: `${bucket}/${o.name}/${o.generation}`,
      selfLink: `http://127.0.0.1:${port}/storage/v1/b/${bucket}/o/${enc}`,
      mediaLink: `http://127.0.0.1:${port}/download/storage/v1/b/${bucket}/o/${enc}?generation=${o.generation}&alt=media`,
      name: o.name,
      bucket,
      generation: String(o.generation),
      metageneration: String(o.metageneration),
      contentType: o.contentType,
      storageClass: 'STANDARD',
      size: String(o.data.length),
      md5Hash: o.md5,
      crc32c: o.crc32c,
      etag: Buffer.from(`${o.generation}:${o.metageneration}`).toString('base64'),
      timeCreated: time,
      updated: time,
      timeStorageClassUpdated: time,
    };
  };

  /** A precondition parameter: absent, or a non-negative integer (else 400 like GCS). */
  const precondition = (query: URLSearchParams, name: string): bigint | undefined => {
    const v = query.get(name);
    if (v === null) return undefined;
    if (!/^[0-9]+$/.test(v))
      throw new HttpError(400, 'invalid', `Invalid argument for ${name}: ${JSON.stringify(v)}`);
    return BigInt(v);
  };

  /** Checks the four preconditions against `current` (undefined = no live object). */
  const checkPreconditions = (query: URLSearchParams, current: StoredObject | undefined, read: boolean) => {
    const gm = precondition(query, 'ifGenerationMatch');
    const gnm = precondition(query, 'ifGenerationNotMatch');
    const mm = precondition(query, 'ifMetagenerationMatch');
    const mnm = precondition(query, 'ifMetagenerationNotMatch');
    const gen = current?.generation ?? 0n; // 0 stands for "does not exist"
    if (gm !== undefined && gm !== gen) throw conditionNotMet();
    if (mm !== undefined && (!current || BigInt(current.metageneration) !== mm)) throw conditionNotMet();
    if (gnm !== undefined && gnm === gen)
      throw read ? new HttpError(304, 'notModified', 'Not Modified') : conditionNotMet();
    if (mnm !== undefined && current && BigInt(current.metageneration) === mnm)
      throw read ? new HttpError(304, 'notModified', 'Not Modified') : conditionNotMet();
  };

  const store = (
    bucketName: string,
    name: string,
    data: Buffer,
    contentType: string,
    query?: URLSearchParams,
  ) => {
    if (!name) throw new HttpError(400, 'required', 'Required');
    if (Buffer.byteLength(name) > MAX_NAME_BYTES)
      throw new HttpError(400, 'invalid', `The object name is longer than ${MAX_NAME_BYTES} bytes.`);
    const b = bucketOf(bucketName);
    if (query) checkPreconditions(query, liveOf(b, name), false);
    const object: StoredObject = {
      name,
      generation: nextGeneration(),
      metageneration: 1,
      data,
      contentType,
      created: new Date(),
      md5: createHash('md5').update(data).digest('base64'),
      crc32c: crc32cBase64(data),
    };
    const entry = b.objects.get(name);
    if (entry && b.versioning) {
      entry.generations.push(object);
      entry.live = true;
    } else b.objects.set(name, { generations: [object], live: true });
    return object;
  };

  /** The generation a request names (`generation=`), or the live one; 404 when absent. */
  const target = (bucketName: string, name: string, query: URLSearchParams) => {
    const b = bucketOf(bucketName);
    const live = liveOf(b, name);
    const wanted = precondition(query, 'generation');
    if (wanted === undefined) {
      if (!live) throw notFound(`${bucketName}/${name}`);
      return { object: live, live };
    }
    const object = b.objects.get(name)?.generations.find((o) => o.generation === wanted);
    if (!object) throw notFound(`${bucketName}/${name}#${wanted}`);
    return { object, live };
  };

  const getObject = (
    req: IncomingMessage,
    res: ServerResponse,
    bucketName: string,
    name: string,
    query: URLSearchParams,
  ) => {
    const { object, live } = target(bucketName, name, query);
    // Preconditions on a read are evaluated against the generation being read.
    checkPreconditions(query, query.has('generation') ? object : live, true);
    if (query.get('alt') !== 'media') return json(res, 200, resource(bucketName, object));
    const headers: Record<string, string> = {
      'content-type': object.contentType,
      'x-goog-generation': String(object.generation),
      'x-goog-metageneration': String(object.metageneration),
      'x-goog-stored-content-length': String(object.data.length),
      'x-goog-hash': `crc32c=${object.crc32c},md5=${object.md5}`,
      'accept-ranges': 'bytes',
    };
    const range = req.headers.range;
    if (!range) {
      res.writeHead(200, { ...headers, 'content-length': String(object.data.length) });
      return res.end(object.data);
    }
    const size = object.data.length;
    const m = /^bytes=(\d*)-(\d*)$/.exec(range);
    if (!m || (m[1] === '' && m[2] === '')) {
      // An unparsable Range header is ignored by HTTP servers (RFC 9110 §14.2): the whole object.
      res.writeHead(200, { ...headers, 'content-length': String(size) });
      return res.end(object.data);
    }
    let start: number;
    let end: number;
    if (m[1] === '') {
      start = Math.max(0, size - Number(m[2]));
      end = size - 1;
    } else {
      start = Number(m[1]);
      end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    }
    if (start >= size || start > end)
      throw new HttpError(416, 'requestedRangeNotSatisfiable', 'The requested range cannot be satisfied.', {
        locationType: 'header',
        location: 'Range',
      });
    const body = object.data.subarray(start, end + 1);
    res.writeHead(206, {
      ...headers,
      'content-range': `bytes ${start}-${end}/${size}`,
      'content-length': String(body.length),
    });
    return res.end(body);
  };

  const listObjects = (res: ServerResponse, bucketName: string, query: URLSearchParams) => {
    const b = bucketOf(bucketName);
    const prefix = query.get('prefix') ?? '';
    const delimiter = query.get('delimiter') ?? '';
    const versions = query.get('versions') === 'true';
    const rawMax = query.get('maxResults');
    if (rawMax !== null && !/^[0-9]+$/.test(rawMax))
      throw new HttpError(400, 'invalid', `Invalid value for maxResults: ${JSON.stringify(rawMax)}`);
    // "The service uses this parameter or 1,000 items, whichever is smaller."
    const max = Math.min(rawMax === null || rawMax === '0' ? MAX_RESULTS : Number(rawMax), MAX_RESULTS);
    const token = query.get('pageToken');
    let after = '';
    if (token) {
      const decoded = Buffer.from(token, 'base64url').toString('utf8');
      if (!decoded.startsWith('after:')) throw new HttpError(400, 'invalid', 'Invalid page token.');
      after = decoded.slice('after:'.length);
    }
    // One sorted stream of entries (objects, or prefixes folded at the delimiter), paged by key.
    const entries: { key: string; item?: object; prefix?: string }[] = [];
    const seenPrefixes = new Set<string>();
    for (const name of [...b.objects.keys()].sort()) {
      if (!name.startsWith(prefix)) continue;
      const cut = delimiter ? name.indexOf(delimiter, prefix.length) : -1;
      if (cut >= 0) {
        const p = name.slice(0, cut + delimiter.length);
        if (!seenPrefixes.has(p)) {
          seenPrefixes.add(p);
          entries.push({ key: p, prefix: p });
        }
        continue;
      }
      const entry = b.objects.get(name)!;
      const gens = versions ? entry.generations : entry.live ? entry.generations.slice(-1) : [];
      for (const o of gens)
        entries.push({
          key: `${name}\u0000${String(o.generation).padStart(20, '0')}`,
          item: resource(bucketName, o),
        });
    }
    const page = entries.filter((e) => e.key > after).slice(0, max + 1);
    const more = page.length > max;
    const shown = page.slice(0, max);
    const body: Record<string, unknown> = { kind: 'storage#objects' };
    const last = shown[shown.length - 1];
    if (more && last) body.nextPageToken = Buffer.from(`after:${last.key}`).toString('base64url');
    const prefixes = shown.filter((e) => e.prefix).map((e) => e.prefix);
    const items = shown.filter((e) => e.item).map((e) => e.item);
    if (prefixes.length) body.prefixes = prefixes;
    if (items.length) body.items = items;
    return json(res, 200, body);
  };

  const deleteObject = (res: ServerResponse, bucketName: string, name: string, query: URLSearchParams) => {
    const b = bucketOf(bucketName);
    const { object, live } = target(bucketName, name, query);
    checkPreconditions(query, query.has('generation') ? object : live, false);
    const entry = b.objects.get(name)!;
    if (query.has('generation')) {
      entry.generations = entry.generations.filter((o) => o !== object);
      if (object === live) entry.live = false;
    } else if (b.versioning) entry.live = false;
    else entry.generations = [];
    if (!entry.generations.length) b.objects.delete(name);
    res.writeHead(204);
    res.end();
  };

  const sessions = new Map<
    string,
    { bucket: string; name: string; contentType: string; query: URLSearchParams; data: Buffer }
  >();

  const startResumable = (
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    bucketName: string,
    query: URLSearchParams,
  ) => {
    bucketOf(bucketName);
    const metadata = body.length
      ? (JSON.parse(body.toString('utf8')) as { name?: string; contentType?: string })
      : {};
    const name = metadata.name ?? query.get('name') ?? '';
    if (!name) throw new HttpError(400, 'required', 'Required');
    const id = `${++sessionSeq}-${Date.now().toString(36)}`;
    const contentType = String(
      metadata.contentType ?? req.headers['x-upload-content-type'] ?? 'application/octet-stream',
    );
    sessions.set(id, { bucket: bucketName, name, contentType, query, data: Buffer.alloc(0) });
    res.writeHead(200, {
      location: `http://127.0.0.1:${port}/upload/storage/v1/b/${encodeURIComponent(bucketName)}/o?uploadType=resumable&name=${encodeURIComponent(name)}&upload_id=${id}`,
      'content-length': '0',
    });
    res.end();
  };

  const continueResumable = (req: IncomingMessage, res: ServerResponse, body: Buffer, id: string) => {
    const session = sessions.get(id);
    if (!session) throw new HttpError(404, 'notFound', 'No such upload session.');
    const range = String(req.headers['content-range'] ?? '');
    const m = /^bytes (?:(\d+)-(\d+|\*)|\*)\/(\d+|\*)$/.exec(range);
    if (!m) throw new HttpError(400, 'invalid', `Invalid Content-Range: ${JSON.stringify(range)}`);
    if (m[1] !== undefined) {
      const start = Number(m[1]);
      if (start > session.data.length)
        throw new HttpError(
          400,
          'invalid',
          `Chunk starts at ${start}, but only ${session.data.length} bytes were received.`,
        );
      session.data = Buffer.concat([session.data.subarray(0, start), body]);
    }
    // `bytes a-*` says "the rest of the object is this request's body", so the upload ends with it.
    const total = m[3] === '*' ? (m[2] === '*' ? session.data.length : undefined) : Number(m[3]);
    if (total !== undefined && session.data.length >= total) {
      sessions.delete(id);
      const o = store(
        session.bucket,
        session.name,
        session.data.subarray(0, total),
        session.contentType,
        session.query,
      );
      return json(res, 200, resource(session.bucket, o));
    }
    const headers: Record<string, string> = { 'content-length': '0' };
    if (session.data.length) headers.range = `bytes=0-${session.data.length - 1}`;
    res.writeHead(308, headers);
    res.end();
  };

  const insert = (
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    bucketName: string,
    query: URLSearchParams,
  ) => {
    const uploadType = query.get('uploadType');
    if (uploadType === 'resumable') return startResumable(req, res, body, bucketName, query);
    if (uploadType === 'media') {
      const name = query.get('name') ?? '';
      const o = store(
        bucketName,
        name,
        body,
        String(req.headers['content-type'] ?? 'application/octet-stream'),
        query,
      );
      return json(res, 200, resource(bucketName, o));
    }
    if (uploadType === 'multipart') {
      const boundary = /boundary="?([^";]+)"?/.exec(String(req.headers['content-type'] ?? ''))?.[1];
      if (!boundary)
        throw new HttpError(400, 'invalid', 'Multipart upload needs a multipart/related boundary.');
      const parts = splitMultipart(body, boundary);
      if (parts.length !== 2)
        throw new HttpError(
          400,
          'invalid',
          'Multipart upload must have exactly two parts: metadata and media.',
        );
      const metadata = JSON.parse(parts[0]!.body.toString('utf8')) as { name?: string; contentType?: string };
      const name = metadata.name ?? query.get('name') ?? '';
      const o = store(
        bucketName,
        name,
        parts[1]!.body,
        metadata.contentType ?? parts[1]!.contentType ?? 'application/octet-stream',
        query,
      );
      return json(res, 200, resource(bucketName, o));
    }
    throw new HttpError(400, 'invalid', `Invalid uploadType: ${JSON.stringify(uploadType)}`);
  };

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const query = url.searchParams;
    requests.push({ method: req.method ?? '', path: url.pathname, query, range: req.headers.range });
    const body = await readBody(req);
    // Object names are one path segment, URL-encoded ('/' → %2F). JSON API paths come under
    // /storage/v1 from an apiEndpoint, and without it when a client reads STORAGE_EMULATOR_HOST itself.
    const objectPath = /^(?:\/download)?(?:\/storage\/v1)?\/b\/([^/]+)\/o\/(.+)$/.exec(url.pathname);
    const listPath = /^(?:\/storage\/v1)?\/b\/([^/]+)\/o\/?$/.exec(url.pathname);
    const uploadPath = /^\/upload\/storage\/v1\/b\/([^/]+)\/o\/?$/.exec(url.pathname);
    if (objectPath) {
      const bucket = decodeURIComponent(objectPath[1]!);
      const name = decodeURIComponent(objectPath[2]!);
      if (req.method === 'GET') return getObject(req, res, bucket, name, query);
      if (req.method === 'DELETE') return deleteObject(res, bucket, name, query);
    } else if (listPath && req.method === 'GET')
      return listObjects(res, decodeURIComponent(listPath[1]!), query);
    else if (uploadPath && req.method === 'POST')
      return insert(req, res, body, decodeURIComponent(uploadPath[1]!), query);
    else if (uploadPath && req.method === 'PUT' && query.get('upload_id'))
      return continueResumable(req, res, body, query.get('upload_id')!);
    throw new HttpError(404, 'notFound', `Not Found: ${req.method} ${url.pathname}`);
  };

  const server: Server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) {
        if (err.status === 304) {
          res.writeHead(304);
          return res.end();
        }
        return json(res, err.status, {
          error: {
            code: err.status,
            message: err.message,
            errors: [{ message: err.message, domain: 'global', reason: err.reason, ...err.extra }],
          },
        });
      }
      json(res, 500, {
        error: {
          code: 500,
          message: String(err),
          errors: [{ message: String(err), domain: 'global', reason: 'backendError' }],
        },
      });
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  port = (server.address() as AddressInfo).port;

  return {
    host: `http://127.0.0.1:${port}`,
    requests,
    createBucket: (name, options = {}) =>
      void buckets.set(name, { versioning: options.versioning ?? false, objects: new Map() }),
    put: (bucket, name, data, contentType = 'text/csv') =>
      String(
        store(bucket, name, typeof data === 'string' ? Buffer.from(data) : data, contentType).generation,
      ),
    stop: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => ok(Buffer.concat(chunks)));
    req.on('error', fail);
  });
}

/** multipart/related parts (RFC 2387): headers, blank line, body, split on --boundary. */
function splitMultipart(body: Buffer, boundary: string): { contentType?: string; body: Buffer }[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: { contentType?: string; body: Buffer }[] = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const next = body.indexOf(delimiter, at + delimiter.length);
    if (next < 0) break;
    const part = body.subarray(at + delimiter.length, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      let content = part.subarray(headerEnd + 4);
      if (content.subarray(-2).toString() === '\r\n') content = content.subarray(0, -2);
      parts.push({ contentType: /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim(), body: content });
    }
    at = next;
  }
  return parts;
}
