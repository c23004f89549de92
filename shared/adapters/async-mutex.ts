/**
 * A first-come-first-served lock for async code in one process. The SQLite
 * store needs it because one connection carries one transaction at a time
 * while callbacks await between statements; the Firestore store uses it to
 * queue transaction retries instead of letting them collide again.
 */
export class AsyncMutex {
  private tail: Promise<void> = Promise.resolve();

  /** Waits for the lock; the returned function releases it (call it exactly once). */
  acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => held);
    return previous.then(() => release);
  }

  /** Runs `fn` holding the lock and releases it however `fn` ends. */
  async runExclusive<R>(fn: () => Promise<R> | R): Promise<R> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
