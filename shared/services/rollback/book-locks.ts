/**
 * An in-process queue per book in front of the StateStore lease: requests of
 * one process (one function instance, one CLI run) for the same book take
 * turns here instead of contending on the lease document, where every
 * Firestore collision costs a lock timeout. The lease still decides between
 * processes.
 */

interface Waiter {
  grant: () => void;
  timer?: NodeJS.Timeout;
}

/** First-come-first-served queues keyed by ISBN, with a timeout per wait. */
export class BookLocks {
  private readonly queues = new Map<string, Waiter[]>();

  /**
   * Resolves with a release function once `isbn` is this caller's, or with
   * undefined after `timeoutMs` (the caller then reports the book busy).
   */
  acquire(isbn: string, timeoutMs: number): Promise<(() => void) | undefined> {
    const queue = this.queues.get(isbn) ?? [];
    this.queues.set(isbn, queue);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        grant: () => {
          if (waiter.timer) clearTimeout(waiter.timer);
          let released = false;
          resolve(() => {
            if (released) return;
            released = true;
            this.next(isbn, queue);
          });
        },
      };
      queue.push(waiter);
      if (queue.length === 1) {
        waiter.grant();
        return;
      }
      waiter.timer = setTimeout(() => {
        const at = queue.indexOf(waiter);
        if (at > 0) queue.splice(at, 1);
        resolve(undefined);
      }, timeoutMs);
      waiter.timer.unref?.();
    });
  }

  /**
   * The book at once when nobody in this process holds or waits for it (the
   * release function), else undefined and nothing queued: a group of books is
   * leased together only when none of them has to wait.
   */
  tryAcquire(isbn: string): (() => void) | undefined {
    if (this.queues.has(isbn)) return undefined;
    const queue: Waiter[] = [{ grant: () => undefined }];
    this.queues.set(isbn, queue);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.next(isbn, queue);
    };
  }

  private next(isbn: string, queue: Waiter[]): void {
    queue.shift();
    const head = queue[0];
    if (head) head.grant();
    else this.queues.delete(isbn);
  }
}
