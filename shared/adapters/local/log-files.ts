/**
 * LogReader over the local stack's JSON log files: every `<component>.log`
 * under `<stateDir>/logs` (shared/logging/rotating-file.ts `logFilePath`)
 * and its rotated copies (`.1` newest … `.N` oldest). Each line is one JSON
 * object in the logger's shape (shared/logging/logger.ts); lines that are not
 * (a framework's banner) are skipped. A line matches when its
 * `correlationId` field or its `correlationId` label is the id asked for.
 *
 * Files are streamed line by line and a line is parsed only when it contains
 * the id, so a search over the full rotation budget (10 MiB × 6 per
 * component) stays cheap.
 */
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { LABELS_KEY } from '../../logging/logger';
import {
  checkLogSearch,
  type LogLine,
  type LogReader,
  type LogSearch,
  type LogSearchResult,
} from '../../ports/log-reader';

/** `health-check.log`, `health-check.log.3`: a live or rotated log file. */
const LOG_FILE = /^[A-Za-z0-9._-]+\.log(\.[0-9]+)?$/;

/** The line as a LogLine when it is a JSON log line of that correlation id in the range. */
export function matchLine(text: string, search: LogSearch, source: string): LogLine | undefined {
  if (!text.includes(search.correlationId)) return undefined;
  let entry: unknown;
  try {
    entry = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return undefined;
  const {
    severity,
    message,
    time,
    correlationId,
    [LABELS_KEY]: rawLabels,
    ...fields
  } = entry as Record<string, unknown>;
  const labels = (rawLabels !== null && typeof rawLabels === 'object' ? rawLabels : {}) as Record<
    string,
    unknown
  >;
  if (correlationId !== search.correlationId && labels.correlationId !== search.correlationId)
    return undefined;
  const at = typeof time === 'string' ? time : '';
  const t = Date.parse(at);
  if (search.from !== undefined && !(t >= Date.parse(search.from))) return undefined;
  if (search.to !== undefined && !(t < Date.parse(search.to))) return undefined;
  return {
    at,
    severity: typeof severity === 'string' ? severity : 'DEFAULT',
    component: typeof labels.component === 'string' ? labels.component : '',
    message: typeof message === 'string' ? message : '',
    source,
    fields,
  };
}

async function searchFile(path: string, search: LogSearch, into: LogLine[]): Promise<void> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const text of lines) {
    const line = matchLine(text, search, path);
    if (line) into.push(line);
  }
}

export class LocalLogFiles implements LogReader {
  constructor(private readonly dir: string) {}

  async search(search: LogSearch): Promise<LogSearchResult> {
    checkLogSearch(search);
    const found: LogLine[] = [];
    const files = existsSync(this.dir)
      ? readdirSync(this.dir)
          .filter((f) => LOG_FILE.test(f))
          .sort()
      : [];
    for (const file of files) {
      try {
        await searchFile(join(this.dir, file), search, found);
      } catch (err) {
        // Rotation may move or prune a file between listing and reading it; its lines are in the next name.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    found.sort(
      (a, b) => (Date.parse(a.at) || 0) - (Date.parse(b.at) || 0) || a.source.localeCompare(b.source),
    );
    return {
      lines: found.slice(0, search.limit),
      truncated: found.length > search.limit,
      searched: `${this.dir} (${files.length} file${files.length === 1 ? '' : 's'})`,
    };
  }
}
