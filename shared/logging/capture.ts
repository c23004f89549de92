/**
 * A logger that keeps its lines in memory, for tests that assert what was
 * logged (a service's tests check the correlation id reached every line) and
 * for the CLI's `--json` mode, where stdout belongs to the one JSON document.
 */
import { createLogger, type Logger, type LoggerOptions } from './logger';

export interface CapturedLogs {
  logger: Logger;
  /** Every line as written (JSON text). */
  readonly lines: string[];
  /** The lines parsed. */
  entries(): Array<Record<string, unknown>>;
  /** The `message` of each line, in order. */
  messages(): string[];
}

/** A logger writing to memory; defaults to level `debug` so nothing is hidden from a test. */
export function createCapturingLogger(options: Partial<LoggerOptions> = {}): CapturedLogs {
  const lines: string[] = [];
  const logger = createLogger({
    component: 'test',
    level: 'debug',
    ...options,
    write: (line) => {
      lines.push(line);
      options.write?.(line);
    },
  });
  const entries = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines, entries, messages: () => entries().map((e) => String(e.message)) };
}

/** A logger that writes nothing, for wiring where logs are not wanted. */
export function createSilentLogger(component = 'silent'): Logger {
  return createLogger({ component, level: 'error', write: () => undefined });
}

/** One writer that forwards each line to several (stdout and a rotating file). */
export function teeWriters(...writers: Array<(line: string) => void>): (line: string) => void {
  return (line) => {
    let failure: unknown;
    // One failing sink (a full disk) must not starve the others.
    for (const write of writers) {
      try {
        write(line);
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure !== undefined) throw failure;
  };
}
