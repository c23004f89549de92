/**
 * A log file for local runs (`forecast-guard up` runs for days on a laptop):
 * JSON lines appended under the state dir, rotated when over `maxBytes`,
 * at most `maxFiles` rotated files kept, rotated files older than
 * `maxAgeDays` deleted. Writes are synchronous so a crash loses no line that
 * was logged before it. One process writes one file: give each process its
 * own (see `logFilePath`), since rotation by two writers would race.
 *
 * Naming: `health-check.log` is live; `.1` is the newest rotated, `.N` the oldest.
 */
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Clock } from '../ports/clock';
import { ValidationError } from '../errors';

export interface RotatingFileOptions {
  /** The live file; its directory is created. */
  file: string;
  /** Rotate before a write would take the live file past this. Default 10 MiB. */
  maxBytes?: number;
  /** Rotated files kept besides the live one. Default 5. */
  maxFiles?: number;
  /** Rotated files older than this (by modification time) are deleted. Default 14. */
  maxAgeDays?: number;
  /** "Now" for the age rule. Default: the system clock. */
  clock?: Pick<Clock, 'now'>;
}

export interface RotatingFileWriter {
  readonly file: string;
  /** Appends one line (a newline is added); usable directly as `LoggerOptions.write`. */
  write(line: string): void;
  /** Rotates now (also done automatically by size). */
  rotate(): void;
  /** Deletes rotated files over the count or age limit; returns the paths deleted. */
  prune(): string[];
  close(): void;
}

const DAY_MS = 86_400_000;

/** `<stateDir>/logs/<component>.log`: where the local stack keeps each process's log. */
export function logFilePath(stateDir: string, component: string): string {
  return join(stateDir, 'logs', `${component}.log`);
}

/** Opens (creating if needed) a size-rotated, age-pruned JSON-lines file. */
export function createRotatingFileWriter(options: RotatingFileOptions): RotatingFileWriter {
  const maxBytes = positiveInteger('maxBytes', options.maxBytes ?? 10 * 1024 * 1024);
  const maxFiles = positiveInteger('maxFiles', options.maxFiles ?? 5);
  const maxAgeDays = positiveNumber('maxAgeDays', options.maxAgeDays ?? 14);
  const clock = options.clock ?? { now: () => new Date() };
  const file = options.file;
  const dir = dirname(file);
  const name = basename(file);
  mkdirSync(dir, { recursive: true });

  let fd: number | undefined = openSync(file, 'a');
  let size = fstatSync(fd).size;

  const rotated = (n: number) => `${file}.${n}`;

  const prune = (): string[] => {
    const cutoff = clock.now().getTime() - maxAgeDays * DAY_MS;
    const deleted: string[] = [];
    for (const entry of readdirSync(dir)) {
      const match = entry.startsWith(`${name}.`) ? /^[0-9]+$/.exec(entry.slice(name.length + 1)) : null;
      if (!match) continue;
      const path = join(dir, entry);
      const tooMany = Number(match[0]) > maxFiles;
      if (tooMany || statSync(path).mtimeMs < cutoff) {
        unlinkSync(path);
        deleted.push(path);
      }
    }
    return deleted.sort();
  };

  const rotate = (): void => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    // Shift oldest first so no rename overwrites a file not yet moved.
    for (let n = maxFiles; n >= 1; n--) {
      const from = n === 1 ? file : rotated(n - 1);
      try {
        renameSync(from, rotated(n));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    fd = openSync(file, 'a');
    size = 0;
    prune();
  };

  prune();

  return {
    file,
    write(line: string): void {
      const text = line + '\n';
      const bytes = Buffer.byteLength(text);
      // A line longer than maxBytes still gets written, alone in a fresh file.
      if (size > 0 && size + bytes > maxBytes) rotate();
      if (fd === undefined) fd = openSync(file, 'a');
      writeSync(fd, text);
      size += bytes;
    },
    rotate,
    prune,
    close(): void {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

function positiveInteger(field: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new ValidationError(`${field} must be a positive integer (got ${value})`, [field]);
  }
  return value;
}

function positiveNumber(field: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new ValidationError(`${field} must be a positive number (got ${value})`, [field]);
  }
  return value;
}
