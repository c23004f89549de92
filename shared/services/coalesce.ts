/**
 * Sharing one read among callers who ask for the same thing at the same
 * time, without ever answering a caller from a read that began before it
 * asked. A caller that finds no read running starts one. A caller that finds
 * one running does not join it (a write that finished just before it asked
 * could be missing from it): it waits for the next read, which starts when
 * the running one settles and is shared by every caller that asked
 * meanwhile. So each answer is read after its caller asked, and a burst of
 * N callers costs about two reads instead of N.
 *
 * A read is started with the argument of the caller that starts it (the
 * first to ask for it); those who share it get its answer, so give the same
 * reader only callers whose arguments are interchangeable. A failed read
 * fails every caller that shared it; the next caller starts afresh.
 */
export function coalescing<A, T>(read: (arg: A) => Promise<T>): (arg: A) => Promise<T> {
  let running: Promise<void> | undefined;
  let next: Promise<T> | undefined;
  const start = (arg: A): Promise<T> => {
    const value = read(arg);
    const done: Promise<void> = value
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        if (running === done) running = undefined;
      });
    running = done;
    return value;
  };
  return (arg) => {
    if (next) return next;
    if (!running) return start(arg);
    const queued = running.then(() => {
      next = undefined;
      return start(arg);
    });
    next = queued;
    return queued;
  };
}
