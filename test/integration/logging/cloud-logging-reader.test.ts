/**
 * CloudLoggingReader with `@google-cloud/logging`'s own client against a
 * local gRPC stand-in for Cloud Logging's ListLogEntries, built from the
 * protos the client ships (test/helpers/logging-server). The adapter's
 * filter selects the functions' lines of one correlation id (in the payload
 * or only in the label) in the forecast-guard bucket view and the time
 * range, pages at Cloud Logging's 1000-entry limit, and the stand-in refuses
 * what the real service refuses.
 */
import { credentials } from '@grpc/grpc-js';
import { Logging } from '@google-cloud/logging';
import { bucketViewName, CloudLoggingReader } from '../../../shared/adapters/gcp/cloud-logging-reader';
import { startLoggingServer, type LocalLoggingServer, type StoredEntry } from '../../helpers/logging-server';

const PROJECT = 'fg-test-project';
const VIEW = bucketViewName(PROJECT, { location: 'global', id: 'forecast-guard', view: '_AllLogs' });
const SERVICES = ['alert-dispatch', 'health-check', 'rollback'];
const ID = 'corr-trace-1';

let seq = 0;
function entry(
  over: Partial<StoredEntry> & { service?: string; at: string; id?: string; message: string },
): StoredEntry {
  const service = over.service ?? 'health-check';
  return {
    parent: over.parent ?? VIEW,
    logName: `projects/${PROJECT}/logs/run.googleapis.com%2Fstdout`,
    resource: over.resource ?? { type: 'cloud_run_revision', labels: { service_name: service } },
    timestamp: over.at,
    severity: over.severity ?? 'INFO',
    labels: over.labels ?? { component: service, ...(over.id ? { correlationId: over.id } : {}) },
    jsonPayload: over.jsonPayload ?? {
      message: over.message,
      ...(over.id ? { correlationId: over.id } : {}),
      isbn: '9780722532935',
    },
    insertId: `i${String(seq++).padStart(6, '0')}`,
  };
}

describe('CloudLoggingReader against a local ListLogEntries server', () => {
  let server: LocalLoggingServer;
  let logging: Logging;
  let reader: CloudLoggingReader;

  beforeAll(async () => {
    server = await startLoggingServer();
    // google-gax's channel options, which LoggingOptions does not spell out but hands to the client:
    // plaintext to the loopback server, and the universe named so no metadata server is asked.
    const options = {
      projectId: PROJECT,
      apiEndpoint: '127.0.0.1',
      port: server.port,
      sslCreds: credentials.createInsecure(),
      universeDomain: 'googleapis.com',
    };
    logging = new Logging(options);
    reader = new CloudLoggingReader(logging, { projectId: PROJECT, services: SERVICES });
  });
  afterAll(async () => {
    await logging.loggingService.close();
    await server.stop();
  });
  beforeEach(() => {
    server.entries.length = 0;
    server.requests.length = 0;
  });

  it('returns the functions’ lines of the id in the range, oldest first, payload or label', async () => {
    server.entries.push(
      entry({ at: '2024-06-03T10:00:02.000Z', id: ID, message: 'health check done', severity: 'NOTICE' }),
      entry({ at: '2024-06-03T10:00:01.000Z', id: ID, message: 'book checked' }),
      // Only the label carries it (a line cut to size keeps its labels).
      entry({
        service: 'alert-dispatch',
        at: '2024-06-03T10:00:03.000Z',
        message: 'alert observed',
        labels: { component: 'alert-dispatch', correlationId: ID },
        jsonPayload: { message: 'alert observed' },
      }),
      entry({ at: '2024-06-03T10:00:04.000Z', id: 'corr-other', message: 'another incident' }),
      entry({
        at: '2024-06-03T10:00:05.000Z',
        id: ID,
        message: 'not a function',
        resource: { type: 'gce_instance', labels: {} },
      }),
      entry({ service: 'someone-else', at: '2024-06-03T10:00:06.000Z', id: ID, message: 'another service' }),
      entry({
        at: '2024-06-03T10:00:07.000Z',
        id: ID,
        message: 'in _Default only',
        parent: `projects/${PROJECT}`,
      }),
      entry({ at: '2024-06-06T10:00:00.000Z', id: ID, message: 'after the range' }),
    );
    const found = await reader.search({
      correlationId: ID,
      limit: 100,
      from: '2024-06-03T00:00:00.000Z',
      to: '2024-06-05T00:00:00.000Z',
    });
    expect(found.lines.map((l) => [l.at, l.component, l.severity, l.message])).toEqual([
      ['2024-06-03T10:00:01.000Z', 'health-check', 'INFO', 'book checked'],
      ['2024-06-03T10:00:02.000Z', 'health-check', 'NOTICE', 'health check done'],
      ['2024-06-03T10:00:03.000Z', 'alert-dispatch', 'INFO', 'alert observed'],
    ]);
    expect(found.lines[0]!.fields).toMatchObject({ isbn: '9780722532935' });
    expect(found).toMatchObject({ truncated: false, searched: VIEW });
    expect(server.requests[0]).toMatchObject({
      resourceNames: [VIEW],
      orderBy: 'timestamp asc',
      pageSize: 101,
    });
  });

  it('pages at 1000 entries and stops at the limit, saying more matched', async () => {
    for (let i = 0; i < 2500; i++) {
      server.entries.push(
        entry({
          at: new Date(Date.parse('2024-06-03T10:00:00.000Z') + i * 1000).toISOString(),
          id: ID,
          message: `line ${i}`,
        }),
      );
    }
    const found = await reader.search({
      correlationId: ID,
      limit: 2100,
      from: '2024-06-03T00:00:00.000Z',
      to: '2024-06-05T00:00:00.000Z',
    });
    expect(found.lines).toHaveLength(2100);
    expect(found.lines.at(-1)!.message).toBe('line 2099');
    expect(found.truncated).toBe(true);
    expect(server.requests.map((r) => r.pageSize)).toEqual([1000, 1000, 101]);
  });

  it('the stand-in refuses what Cloud Logging refuses (INVALID_ARGUMENT)', async () => {
    const list = (req: Record<string, unknown>) =>
      logging.getEntries({
        resourceNames: [VIEW],
        autoPaginate: false,
        filter: 'timestamp>="2024-01-01T00:00:00Z"',
        ...req,
      });
    const invalid = expect.objectContaining({ code: 3 });
    await expect(list({ pageSize: 1001 })).rejects.toEqual(invalid);
    await expect(list({ orderBy: 'severity desc' })).rejects.toEqual(invalid);
    await expect(list({ filter: 'labels.x="unterminated AND timestamp>"2024"' })).rejects.toEqual(invalid);
    await expect(
      list({ filter: `timestamp>="2024-01-01T00:00:00Z" AND jsonPayload.m="${'x'.repeat(20_000)}"` }),
    ).rejects.toEqual(invalid);
    await expect(list({ resourceNames: ['my-project'] })).rejects.toEqual(invalid);
    await expect(list({ pageToken: 'bm90LWEtdG9rZW4' })).rejects.toEqual(invalid);
    await expect(list({ pageSize: 1000 })).resolves.toBeDefined();
  });
});
