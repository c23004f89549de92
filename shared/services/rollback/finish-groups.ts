/**
 * Group commit of finished books: a book that has been switched and verified
 * (or put back, or skipped) hands its record, history and lease release here
 * and the run moves on to the next book; the group commits them, many books
 * per transaction, each book's three writes together (`finishBooks`). This is
 * a group commit: a finished book commits at once when no commit is in
 * flight; otherwise it waits for the commit in flight and goes with every
 * book that finished meanwhile, and a group that reaches FINISH_GROUP_BOOKS
 * commits at once. A slow store (Firestore: a round trip per commit) thus
 * gets big groups, a fast one small groups and no waiting; state writes stay
 * interleaved with the switches, as when each book committed alone. A book's
 * lease, holding its intent, stays in the StateStore until its group
 * commits: a crash before that leaves the book to recovery exactly as a
 * crash between a switch and its record always did.
 *
 * When a group's transaction fails, each of its books is committed again on
 * its own (`finishBook`), so one book whose record cannot be written (or an
 * outage that passes) does not fail its neighbours; a book that still fails
 * is rejected to its caller, its lease and intent kept for recovery.
 */
import { describeError } from '../../errors';
import type { RollbackDeps } from './deps';
import { commitGroups, FINISH_GROUP_BOOKS, WRITES_PER_FINISH } from './groups';
import { finishBook, finishBooks, type FinishBook } from './leases';

interface Pending {
  finish: FinishBook;
  resolve: (ours: boolean) => void;
  reject: (err: unknown) => void;
}

/** Collects finished books and commits them a group per transaction. */
export class FinishGroups {
  private pending: Pending[] = [];
  private inFlight = 0;
  private readonly groupBooks: number;

  constructor(
    private readonly deps: RollbackDeps,
    options: { groupBooks?: number } = {},
  ) {
    this.groupBooks = options.groupBooks ?? FINISH_GROUP_BOOKS;
  }

  /** Resolves once the book's group committed: true when the lease was still this run's (see `finishBook`). */
  finish(finish: FinishBook): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.pending.push({ finish, resolve, reject });
      this.next();
    });
  }

  /** Commits every book handed in so far, without waiting for a commit in flight. */
  flush(): void {
    const books = this.pending;
    this.pending = [];
    for (const group of commitGroups(books, this.groupBooks, WRITES_PER_FINISH)) this.start(group);
  }

  /** A full group commits at once; otherwise what waits commits as soon as no commit is in flight. */
  private next(): void {
    while (this.pending.length >= this.groupBooks) this.start(this.pending.splice(0, this.groupBooks));
    if (this.inFlight === 0 && this.pending.length > 0) this.flush();
  }

  private start(group: Pending[]): void {
    this.inFlight += 1;
    void this.commit(group).finally(() => {
      this.inFlight -= 1;
      this.next();
    });
  }

  private async commit(group: Pending[]): Promise<void> {
    let ours: boolean[];
    try {
      ours = await finishBooks(
        this.deps,
        group.map((p) => p.finish),
      );
    } catch (err) {
      this.deps.logger.warning(
        `could not commit ${group.length} finished books together (${describeError(err)}); committing each on its own`,
        { error: err },
      );
      await Promise.all(group.map((p) => finishBook(this.deps, p.finish).then(p.resolve, p.reject)));
      return;
    }
    group.forEach((p, i) => p.resolve(ours[i] === true));
  }
}
