/**
 * A one-line progress bar on stderr, only when stderr is a terminal and
 * --json is off; otherwise every call is a no-op.
 */
export interface Progress {
  update(done: number, total: number, label?: string): void;
  done(text?: string): void;
}

/**
 * `detail` adds what the bar alone cannot say, e.g. the Vertex quota counters
 * and ETA of a fleet-wide job (vertexQuotaDetail).
 */
export function createProgress(
  enabled: boolean,
  write: (s: string) => void = (s) => void process.stderr.write(s),
  detail?: (done: number, total: number) => string | undefined,
): Progress {
  if (!enabled) return { update: () => undefined, done: () => undefined };
  let last = '';
  return {
    update(done, total, label = '') {
      const width = 30;
      const filled = total > 0 ? Math.round((done / total) * width) : width;
      const extra = detail?.(done, total);
      const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label}${
        extra ? ` · ${extra}` : ''
      }`.slice(0, 160);
      if (line !== last) write(`\r${line.padEnd(last.length)}`);
      last = line;
    },
    done(text) {
      write(`\r${' '.repeat(last.length)}\r${text ? text + '\n' : ''}`);
      last = '';
    },
  };
}

/**
 * A line redrawn every `intervalMs` while a job without per-item progress
 * runs (a health check, `validate --all`): whatever `detail` says, e.g. the
 * Vertex quota counters and the time the queued calls still need. Only when
 * enabled (a terminal, not --json); `stop` clears it.
 */
export function startActivityLine(
  enabled: boolean,
  detail: () => string | undefined,
  write: (s: string) => void = (s) => void process.stderr.write(s),
  intervalMs = 1000,
): { stop(): void } {
  if (!enabled) return { stop: () => undefined };
  let last = '';
  const timer = setInterval(() => {
    const line = (detail() ?? '').slice(0, 160);
    if (line === '' || line === last) return;
    write(`\r${line.padEnd(last.length)}`);
    last = line;
  }, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      if (last) write(`\r${' '.repeat(last.length)}\r`);
      last = '';
    },
  };
}
