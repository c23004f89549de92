import { BookLocks } from '../../../../shared/services/rollback/book-locks';

describe('BookLocks', () => {
  it('grants one book to one caller at a time, in arrival order; other books are independent', async () => {
    const locks = new BookLocks();
    const order: string[] = [];
    const first = await locks.acquire('a', 1000);
    const second = locks.acquire('a', 1000).then((release) => {
      order.push('second');
      return release;
    });
    const third = locks.acquire('a', 1000).then((release) => {
      order.push('third');
      return release;
    });
    const other = await locks.acquire('b', 10);
    expect(other).toBeDefined();
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual([]);
    first!();
    (await second)!();
    (await third)!();
    expect(order).toEqual(['second', 'third']);
  });

  it('gives up after the timeout, and the queue still works afterwards', async () => {
    const locks = new BookLocks();
    const held = await locks.acquire('a', 1000);
    expect(await locks.acquire('a', 20)).toBeUndefined();
    const waiting = locks.acquire('a', 1000);
    held!();
    held!(); // a second release is harmless
    const next = await waiting;
    expect(next).toBeDefined();
    next!();
    expect(await locks.acquire('a', 10)).toBeDefined();
  });
});
