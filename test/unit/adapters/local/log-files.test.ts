/**
 * LocalLogFiles reads the local stack's JSON logs as the logger and the
 * rotating file write them: live and rotated files, the id in the payload
 * or only in the labels, other ids and non-JSON lines left out, oldest
 * first, the limit and the range kept, bad searches named.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalLogFiles } from '../../../../shared/adapters/local/log-files';
import { createLogger } from '../../../../shared/logging/logger';
import { createRotatingFileWriter, logFilePath } from '../../../../shared/logging/rotating-file';

describe('LocalLogFiles', () => {
  let stateDir: string;
  let reader: LocalLogFiles;
  const ID = 'corr-abc';

  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'fg-logfiles-'));
    let t = Date.parse('2024-06-03T10:00:00.000Z');
    const clock = { now: () => new Date((t += 1000)) };
    // Small files, so the health check's lines spread over the live file and rotated ones.
    const health = createRotatingFileWriter({
      file: logFilePath(stateDir, 'health-check'),
      maxBytes: 600,
      clock,
    });
    const dispatch = createRotatingFileWriter({ file: logFilePath(stateDir, 'alert-dispatch'), clock });
    const h = createLogger({ component: 'health-check', write: health.write, clock }).child({
      correlationId: ID,
    });
    const d = createLogger({ component: 'alert-dispatch', write: dispatch.write, clock });
    for (let i = 0; i < 6; i++) h.info(`book ${i} checked`, { isbn: '9780722532935', step: i });
    d.info('alert observed', { labels: { correlationId: ID } }); // in the labels only
    d.info('another incident', { correlationId: 'corr-other' });
    d.info(`mentions ${ID} in text only`);
    dispatch.write('Serving function...'); // the framework's banner
    health.close();
    dispatch.close();
    writeFileSync(
      join(stateDir, 'logs', 'notes.txt'),
      JSON.stringify({ correlationId: ID, message: 'not a log' }),
    );
    reader = new LocalLogFiles(join(stateDir, 'logs'));
  });
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('finds every line of the id across live and rotated files, oldest first', async () => {
    const found = await reader.search({ correlationId: ID, limit: 100 });
    expect(found.lines.map((l) => [l.component, l.message])).toEqual([
      ...Array.from({ length: 6 }, (_, i) => ['health-check', `book ${i} checked`]),
      ['alert-dispatch', 'alert observed'],
    ]);
    expect(new Set(found.lines.map((l) => l.source)).size).toBeGreaterThan(2);
    expect(found.lines[0]).toMatchObject({ severity: 'INFO', fields: { isbn: '9780722532935', step: 0 } });
    expect(found.truncated).toBe(false);
  });

  it('keeps the oldest lines within the limit and says more matched', async () => {
    const found = await reader.search({ correlationId: ID, limit: 2 });
    expect(found.lines.map((l) => l.message)).toEqual(['book 0 checked', 'book 1 checked']);
    expect(found.truncated).toBe(true);
  });

  it('keeps to the range: from inclusive, to exclusive', async () => {
    const all = (await reader.search({ correlationId: ID, limit: 100 })).lines;
    const found = await reader.search({ correlationId: ID, limit: 100, from: all[1]!.at, to: all[3]!.at });
    expect(found.lines.map((l) => l.message)).toEqual(['book 1 checked', 'book 2 checked']);
  });

  it('answers nothing for a directory the stack never wrote', async () => {
    const found = await new LocalLogFiles(join(stateDir, 'none')).search({ correlationId: ID, limit: 1 });
    expect(found).toMatchObject({ lines: [], truncated: false });
  });

  it('names a bad correlation id, limit or time', async () => {
    await expect(reader.search({ correlationId: 'a b', limit: 1 })).rejects.toThrow(/correlationId: must be/);
    await expect(reader.search({ correlationId: ID, limit: 0 })).rejects.toThrow(
      /limit: must be an integer from 1/,
    );
    await expect(reader.search({ correlationId: ID, limit: 1, from: 'soon' })).rejects.toThrow(
      /from: must be/,
    );
  });
});
