import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '../../../shared/errors';
import { createLogger, createRotatingFileWriter, logFilePath } from '../../../shared/logging';

const DAY = 86_400_000;
/**
 * For the size cases: the age rule compares file times (stamped by the kernel)
 * with the writer's clock, so a writer on the system clock ages files by
 * whatever today is (under a shifted clock, every fresh file is "old"). At
 * the epoch no file is ever old, and only size decides.
 */
const SIZE_ONLY = { now: () => new Date(0) };
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fg-logs-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const files = () => readdirSync(join(dir, 'logs')).sort();
const lines = (name: string) =>
  readFileSync(join(dir, 'logs', name), 'utf8')
    .split('\n')
    .filter(Boolean);

describe('createRotatingFileWriter', () => {
  it('appends JSON lines under the state dir, creating the folder', () => {
    const file = logFilePath(dir, 'health-check');
    expect(file).toBe(join(dir, 'logs', 'health-check.log'));
    const sink = createRotatingFileWriter({ file, clock: SIZE_ONLY });
    const logger = createLogger({ component: 'health-check', write: sink.write });
    logger.info('one');
    logger.warning('two');
    sink.close();
    expect(lines('health-check.log').map((l) => JSON.parse(l).message)).toEqual(['one', 'two']);
  });

  it('appends to an existing file and counts its size', () => {
    const file = logFilePath(dir, 'x');
    const first = createRotatingFileWriter({ file, maxBytes: 30, clock: SIZE_ONLY });
    first.write('a'.repeat(19)); // 20 bytes with the newline
    first.close();
    const second = createRotatingFileWriter({ file, maxBytes: 30, clock: SIZE_ONLY });
    second.write('b'.repeat(9)); // 30 bytes: fits exactly
    second.write('c'); // would make 32: rotates first
    second.close();
    expect(files()).toEqual(['x.log', 'x.log.1']);
    expect(lines('x.log.1')).toEqual(['a'.repeat(19), 'b'.repeat(9)]);
    expect(lines('x.log')).toEqual(['c']);
  });

  it('rotates by size and keeps at most maxFiles rotated files, newest as .1', () => {
    const sink = createRotatingFileWriter({
      file: logFilePath(dir, 'x'),
      maxBytes: 10,
      maxFiles: 2,
      clock: SIZE_ONLY,
    });
    for (const n of [1, 2, 3, 4, 5]) sink.write(`line-${n}`); // 7 bytes each: one per file
    sink.close();
    expect(files()).toEqual(['x.log', 'x.log.1', 'x.log.2']);
    expect(lines('x.log')).toEqual(['line-5']);
    expect(lines('x.log.1')).toEqual(['line-4']);
    expect(lines('x.log.2')).toEqual(['line-3']);
  });

  it('writes a line longer than maxBytes alone in a fresh file rather than dropping it', () => {
    const sink = createRotatingFileWriter({ file: logFilePath(dir, 'x'), maxBytes: 8, clock: SIZE_ONLY });
    sink.write('ok');
    sink.write('a line far longer than eight bytes');
    sink.write('z');
    sink.close();
    expect(lines('x.log.2')).toEqual(['ok']);
    expect(lines('x.log.1')).toEqual(['a line far longer than eight bytes']);
    expect(lines('x.log')).toEqual(['z']);
  });

  it('deletes rotated files older than maxAgeDays and extras beyond maxFiles, never the live file', () => {
    const now = Date.parse('2024-05-10T00:00:00Z');
    const file = logFilePath(dir, 'x');
    createRotatingFileWriter({ file }).close();
    const at = (name: string, ageDays: number) => {
      const path = join(dir, 'logs', name);
      writeFileSync(path, '{}\n');
      const t = new Date(now - ageDays * DAY);
      utimesSync(path, t, t);
    };
    at('x.log', 30);
    at('x.log.1', 1);
    at('x.log.2', 6.9);
    at('x.log.3', 7.1);
    at('x.log.9', 0); // beyond maxFiles (say after the limit was lowered)
    at('other.log.1', 30); // another component's file: not ours to delete
    const sink = createRotatingFileWriter({
      file,
      maxAgeDays: 7,
      maxFiles: 5,
      clock: { now: () => new Date(now) },
    });
    expect(existsSync(join(dir, 'logs', 'x.log.3'))).toBe(false); // pruned on open
    sink.close();
    expect(files()).toEqual(['other.log.1', 'x.log', 'x.log.1', 'x.log.2']);
    // The same rule runs again later as time passes.
    const later = createRotatingFileWriter({
      file,
      maxAgeDays: 7,
      clock: { now: () => new Date(now + DAY) },
    });
    expect(later.prune()).toEqual([]);
    later.close();
    expect(files()).toEqual(['other.log.1', 'x.log', 'x.log.1']);
  });

  it('rejects nonsense limits naming the field', () => {
    const file = logFilePath(dir, 'x');
    expect(() => createRotatingFileWriter({ file, maxBytes: 0 })).toThrow(
      new ValidationError('maxBytes must be a positive integer (got 0)'),
    );
    expect(() => createRotatingFileWriter({ file, maxFiles: 1.5 })).toThrow(
      'maxFiles must be a positive integer (got 1.5)',
    );
    expect(() => createRotatingFileWriter({ file, maxAgeDays: -1 })).toThrow(
      'maxAgeDays must be a positive number (got -1)',
    );
  });
});
