/**
 * A one-line progress bar on stderr, only when stderr is a terminal and
 * --json is off; otherwise every call is a no-op.
 */
export interface Progress {
  update(done: number, total: number, label?: string): void;
  done(text?: string): void;
}

export function createProgress(
  enabled: boolean,
  write: (s: string) => void = (s) => void process.stderr.write(s),
): Progress {
  if (!enabled) return { update: () => undefined, done: () => undefined };
  let last = '';
  return {
    update(done, total, label = '') {
      const width = 30;
      const filled = total > 0 ? Math.round((done / total) * width) : width;
      const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label}`.slice(
        0,
        100,
      );
      if (line !== last) write(`\r${line.padEnd(last.length)}`);
      last = line;
    },
    done(text) {
      write(`\r${' '.repeat(last.length)}\r${text ? text + '\n' : ''}`);
      last = '';
    },
  };
}
