/**
 * The local Cloud Storage server answers and refuses as Cloud Storage does
 * (https://cloud.google.com/storage/docs/json_api/v1/objects, …/status-codes,
 * https://cloud.google.com/storage/docs/request-preconditions): raw HTTP for
 * the wire format, @google-cloud/storage for the behaviour the sales reader
 * relies on (generations, preconditions, paging, ranged reads).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadFixture } from '../../helpers/gcp-fixtures';
import { crc32cBase64, startGcsServer, type GcsServer } from '../../helpers/gcs-server';
import { storageFor } from '../../helpers/gcs-client';

interface ErrorEnvelope {
  error: { code: number; message: string; errors: { domain: string; reason: string; message: string }[] };
}

let server: GcsServer;
beforeAll(async () => {
  server = await startGcsServer();
  server.createBucket('wire');
});
afterAll(() => server.stop());

const url = (path: string) => `${server.host}${path}`;
const enc = encodeURIComponent;

describe('local Cloud Storage server, on the wire', () => {
  it('stores the sample file with the md5Hash and crc32c Cloud Storage gives those bytes', async () => {
    const bytes = readFileSync(
      join(__dirname, '../../fixtures/gcp-formats/9-publisher-pipeline/UK_weekly_data.sample.csv'),
    );
    const expected = loadFixture<{ response: { body: { size: string; md5Hash: string; crc32c: string } } }>(
      '7-cloud-storage/objects.get.json',
    ).response.body;
    server.put('wire', 'raw_data/UK_weekly_data.csv', bytes);
    const res = await fetch(url(`/storage/v1/b/wire/o/${enc('raw_data/UK_weekly_data.csv')}`));
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ size: expected.size, md5Hash: expected.md5Hash, crc32c: expected.crc32c });
    expect(crc32cBase64(bytes)).toBe(expected.crc32c);
    expect(typeof body.generation).toBe('string'); // int64 as a decimal string
    expect(body.generation).toMatch(/^[0-9]+$/);
  });

  it('answers a missing object with the 404 notFound envelope', async () => {
    const res = await fetch(url(`/storage/v1/b/wire/o/${enc('raw_data/missing.csv')}`));
    expect(res.status).toBe(404);
    const body = (await res.json()) as ErrorEnvelope;
    const doc = loadFixture<{ response_observed: { body: ErrorEnvelope } }>(
      '7-cloud-storage/error.404-notFound.json',
    );
    expect(body.error.code).toBe(404);
    expect(body.error.errors[0]).toMatchObject({ domain: 'global', reason: 'notFound' });
    expect(Object.keys(body.error).sort()).toEqual(Object.keys(doc.response_observed.body.error).sort());
  });

  it('refuses "create only if absent" on an existing object with the 412 conditionNotMet envelope', async () => {
    server.put('wire', 'raw_data/once.csv', 'a\n');
    const res = await fetch(
      url(
        `/upload/storage/v1/b/wire/o?uploadType=media&name=${enc('raw_data/once.csv')}&ifGenerationMatch=0`,
      ),
      {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: 'b\n',
      },
    );
    expect(res.status).toBe(412);
    const doc = loadFixture<{ response: { body: ErrorEnvelope } }>(
      '7-cloud-storage/error.412-conditionNotMet.json',
    );
    expect(await res.json()).toEqual(doc.response.body);
  });

  it('refuses a read pinned to a generation that was replaced (no versioning): 404', async () => {
    const first = server.put('wire', 'drops/a.csv', 'one\n');
    server.put('wire', 'drops/a.csv', 'two\n');
    const res = await fetch(url(`/storage/v1/b/wire/o/${enc('drops/a.csv')}?alt=media&generation=${first}`));
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorEnvelope).error.errors[0]?.reason).toBe('notFound');
  });

  it('keeps old generations readable in a versioned bucket', async () => {
    server.createBucket('versioned', { versioning: true });
    const first = server.put('versioned', 'a.csv', 'one\n');
    server.put('versioned', 'a.csv', 'two\n');
    const res = await fetch(url(`/storage/v1/b/versioned/o/a.csv?alt=media&generation=${first}`));
    expect(await res.text()).toBe('one\n');
  });

  it('checks ifGenerationMatch on a read: 412 when the live generation moved on', async () => {
    const gen = server.put('wire', 'drops/b.csv', 'one\n');
    expect(
      (await fetch(url(`/storage/v1/b/wire/o/${enc('drops/b.csv')}?alt=media&ifGenerationMatch=${gen}`)))
        .status,
    ).toBe(200);
    server.put('wire', 'drops/b.csv', 'two\n');
    const res = await fetch(
      url(`/storage/v1/b/wire/o/${enc('drops/b.csv')}?alt=media&ifGenerationMatch=${gen}`),
    );
    expect(res.status).toBe(412);
    expect(((await res.json()) as ErrorEnvelope).error.errors[0]?.reason).toBe('conditionNotMet');
  });

  it('answers ifGenerationNotMatch on a read with 304, on a write with 412', async () => {
    const gen = server.put('wire', 'drops/c.csv', 'one\n');
    expect(
      (await fetch(url(`/storage/v1/b/wire/o/${enc('drops/c.csv')}?ifGenerationNotMatch=${gen}`))).status,
    ).toBe(304);
    const write = await fetch(
      url(
        `/upload/storage/v1/b/wire/o?uploadType=media&name=${enc('drops/c.csv')}&ifGenerationNotMatch=${gen}`,
      ),
      {
        method: 'POST',
        body: 'x',
      },
    );
    expect(write.status).toBe(412);
  });

  it('refuses ifMetagenerationMatch that does not hold, and a precondition that is not a number (400)', async () => {
    server.put('wire', 'drops/d.csv', 'one\n');
    const path = `/storage/v1/b/wire/o/${enc('drops/d.csv')}`;
    expect((await fetch(url(`${path}?ifMetagenerationMatch=1`))).status).toBe(200);
    expect((await fetch(url(`${path}?ifMetagenerationMatch=2`))).status).toBe(412);
    const bad = await fetch(url(`${path}?ifGenerationMatch=latest`));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ErrorEnvelope).error.errors[0]?.reason).toBe('invalid');
  });

  it('serves byte ranges with 206 and Content-Range, and refuses a range past the end with 416', async () => {
    server.put('wire', 'r.csv', '0123456789');
    const get = (range: string) => fetch(url('/storage/v1/b/wire/o/r.csv?alt=media'), { headers: { range } });
    const mid = await get('bytes=2-5');
    expect(mid.status).toBe(206);
    expect(mid.headers.get('content-range')).toBe('bytes 2-5/10');
    expect(await mid.text()).toBe('2345');
    expect(await (await get('bytes=7-')).text()).toBe('789');
    expect(await (await get('bytes=-3')).text()).toBe('789');
    expect(await (await get('bytes=8-99')).text()).toBe('89');
    const past = await get('bytes=10-12');
    expect(past.status).toBe(416);
    expect(((await past.json()) as ErrorEnvelope).error.errors[0]?.reason).toBe(
      'requestedRangeNotSatisfiable',
    );
  });

  it('lists an empty prefix without an items key, and pages with nextPageToken only while more remain', async () => {
    server.createBucket('paged');
    const empty = await (await fetch(url('/storage/v1/b/paged/o?prefix=nothing%2F'))).json();
    expect(empty).toEqual({ kind: 'storage#objects' });
    for (const name of ['d/1.csv', 'd/2.csv', 'd/3.csv', 'd/sub/4.csv']) server.put('paged', name, 'x\n');
    const names: string[] = [];
    const prefixes: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const body = (await (
        await fetch(
          url(
            `/storage/v1/b/paged/o?prefix=d%2F&delimiter=%2F&maxResults=2${token ? `&pageToken=${token}` : ''}`,
          ),
        )
      ).json()) as { items?: { name: string }[]; prefixes?: string[]; nextPageToken?: string };
      names.push(...(body.items ?? []).map((i) => i.name));
      prefixes.push(...(body.prefixes ?? []));
      token = body.nextPageToken;
      pages++;
    } while (token);
    expect(names).toEqual(['d/1.csv', 'd/2.csv', 'd/3.csv']);
    expect(prefixes).toEqual(['d/sub/']); // maxResults counts prefixes too
    expect(pages).toBe(2);
    expect((await fetch(url('/storage/v1/b/paged/o?pageToken=garbage'))).status).toBe(400);
  });

  it('caps maxResults at 1000 as the service does', async () => {
    server.createBucket('many');
    for (let i = 0; i < 1001; i++) server.put('many', `o/${String(i).padStart(4, '0')}`, '');
    const body = (await (await fetch(url('/storage/v1/b/many/o?maxResults=5000'))).json()) as {
      items: unknown[];
      nextPageToken?: string;
    };
    expect(body.items).toHaveLength(1000);
    expect(body.nextPageToken).toBeDefined();
  });

  it('refuses an unknown uploadType and an unknown bucket', async () => {
    expect(
      (await fetch(url('/upload/storage/v1/b/wire/o?uploadType=chunky&name=x'), { method: 'POST' })).status,
    ).toBe(400);
    const res = await fetch(url('/storage/v1/b/no-such-bucket/o'));
    expect(res.status).toBe(404);
  });

  it('takes a resumable upload in chunks: 308 with the received Range until the last chunk', async () => {
    const start = await fetch(
      url(`/upload/storage/v1/b/wire/o?uploadType=resumable&name=${enc('drops/r.csv')}`),
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-upload-content-type': 'text/csv' },
        body: '{}',
      },
    );
    const session = start.headers.get('location')!;
    expect(session).toContain('upload_id=');
    const first = await fetch(session, {
      method: 'PUT',
      headers: { 'content-range': 'bytes 0-3/8' },
      body: 'ISBN',
    });
    expect(first.status).toBe(308);
    expect(first.headers.get('range')).toBe('bytes=0-3');
    const last = await fetch(session, {
      method: 'PUT',
      headers: { 'content-range': 'bytes 4-7/8' },
      body: ',a\n\n',
    });
    expect(last.status).toBe(200);
    expect(await last.json()).toMatchObject({ name: 'drops/r.csv', size: '8', contentType: 'text/csv' });
    expect(await (await fetch(url(`/storage/v1/b/wire/o/${enc('drops/r.csv')}?alt=media`))).text()).toBe(
      'ISBN,a\n\n',
    );
    expect((await fetch(session, { method: 'PUT', headers: { 'content-range': 'bytes */8' } })).status).toBe(
      404,
    );
  });
});

describe('local Cloud Storage server, through @google-cloud/storage', () => {
  it('uploads (multipart), reads a pinned generation in ranges, and refuses a stale generation precondition', async () => {
    server.createBucket('client');
    const storage = storageFor(server);
    const file = storage.bucket('client').file('raw_data/UK_weekly_data.csv');
    await file.save('ISBN,Volume\n9780722532935,812\n', { resumable: false, contentType: 'text/csv' });
    const [meta] = await file.getMetadata();
    const generation = String(meta.generation);
    expect(
      server.requests.some((r) => r.path.startsWith('/upload/') && r.query.get('uploadType') === 'multipart'),
    ).toBe(true);

    const chunks: Buffer[] = [];
    for await (const c of storage
      .bucket('client')
      .file(file.name, { generation })
      .createReadStream({ start: 12, end: 24 }))
      chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('9780722532935');
    const ranged = server.requests[server.requests.length - 1]!;
    expect(ranged.range).toBe('bytes=12-24');
    expect(ranged.query.get('generation')).toBe(generation);

    // Whole-object download is checked against x-goog-hash (crc32c) by the client.
    const [whole] = await file.download();
    expect(whole.toString()).toBe('ISBN,Volume\n9780722532935,812\n');

    await file.save('ISBN,Volume\n9780722532935,900\n', {
      resumable: false,
      preconditionOpts: { ifGenerationMatch: generation },
    });
    const stale = await file
      .save('x', { resumable: false, preconditionOpts: { ifGenerationMatch: generation } })
      .catch((e: unknown) => e as { code?: number });
    expect(stale).toMatchObject({ code: 412 });

    const gone = await (async () => {
      for await (const _ of storage.bucket('client').file(file.name, { generation }).createReadStream())
        void _;
    })().catch((e: unknown) => e as { code?: number });
    expect(gone).toMatchObject({ code: 404 });
  });

  it('takes the client’s default (resumable) upload, and checks its precondition when the upload completes', async () => {
    server.createBucket('client-resumable');
    const file = storageFor(server).bucket('client-resumable').file('drops/2024-05-04.csv');
    await file.save('ISBN,Volume\n9780722532935,812\n', { contentType: 'text/csv' });
    expect(
      server.requests.some((r) => r.query.get('uploadType') === 'resumable' && r.query.get('upload_id')),
    ).toBe(true);
    const [meta] = await file.getMetadata();
    expect(meta.size).toBe('30');
    const again = await file
      .save('x', { preconditionOpts: { ifGenerationMatch: 0 } })
      .catch((e: unknown) => e as { code?: number });
    expect(again).toMatchObject({ code: 412 });
  });

  it('pages a listing with maxResults through the client', async () => {
    server.createBucket('client-list');
    for (const n of ['p/a', 'p/b', 'p/c']) server.put('client-list', n, 'x');
    const bucket = storageFor(server).bucket('client-list');
    const [first, next] = await bucket.getFiles({ prefix: 'p/', maxResults: 2, autoPaginate: false });
    expect(first.map((f) => f.name)).toEqual(['p/a', 'p/b']);
    const [second, after] = await bucket.getFiles({ ...(next as object), autoPaginate: false });
    expect(second.map((f) => f.name)).toEqual(['p/c']);
    expect(after).toBeNull();
    const [none] = await bucket.getFiles({ prefix: 'q/' });
    expect(none).toEqual([]);
  });
});
