import { coalescing } from '../../../shared/services/coalesce';

/** A read the test finishes by hand, returning what `source` holds when it starts. */
function manualReads(source: { value: number }) {
  const pending: Array<() => void> = [];
  let started = 0;
  const read = () => {
    started++;
    const seen = source.value;
    return new Promise<number>((resolve) => pending.push(() => resolve(seen)));
  };
  return {
    read,
    started: () => started,
    /** Finishes the oldest read still running. */
    finish: async () => {
      pending.shift()?.();
      await new Promise((r) => setImmediate(r));
    },
  };
}

describe('coalescing', () => {
  it('starts a read for a caller that finds none running', async () => {
    const reads = manualReads({ value: 1 });
    const get = coalescing(reads.read);
    const answer = get(undefined);
    expect(reads.started()).toBe(1);
    await reads.finish();
    await expect(answer).resolves.toBe(1);
  });

  it('has callers that ask while a read runs share the next read, started when that one settles', async () => {
    const source = { value: 1 };
    const reads = manualReads(source);
    const get = coalescing(reads.read);
    const first = get(undefined);
    source.value = 2; // written after the first read began, before the others asked
    const later = Array.from({ length: 10 }, () => get(undefined));
    expect(reads.started()).toBe(1);
    await reads.finish();
    expect(reads.started()).toBe(2);
    await reads.finish();
    await expect(first).resolves.toBe(1);
    // None is answered from the read that began before it asked: each sees the write.
    expect(await Promise.all(later)).toEqual(Array(10).fill(2));
    expect(reads.started()).toBe(2);
  });

  it('starts afresh once every read has settled', async () => {
    const source = { value: 1 };
    const reads = manualReads(source);
    const get = coalescing(reads.read);
    const a = get(undefined);
    await reads.finish();
    await a;
    source.value = 5;
    const b = get(undefined);
    expect(reads.started()).toBe(2);
    await reads.finish();
    await expect(b).resolves.toBe(5);
  });

  it('starts each read with the argument of the caller that starts it', async () => {
    const args: string[] = [];
    let release = () => {};
    const get = coalescing(async (who: string) => {
      args.push(who);
      await new Promise<void>((r) => (release = r));
      return who;
    });
    const a = get('alice');
    const others = [get('bob'), get('carol')];
    release();
    await a;
    await new Promise((r) => setImmediate(r));
    release();
    expect(await Promise.all(others)).toEqual(['bob', 'bob']);
    expect(args).toEqual(['alice', 'bob']);
  });

  it('fails every caller that shared a failed read, and the next caller reads again', async () => {
    let calls = 0;
    const get = coalescing(async (_: void) => {
      calls++;
      if (calls <= 2) throw new Error(`backend down (read ${calls})`);
      return 'ok';
    });
    const first = get();
    const shared = [get(), get()];
    await expect(first).rejects.toThrow('backend down (read 1)');
    for (const s of shared) await expect(s).rejects.toThrow('backend down (read 2)');
    await expect(get()).resolves.toBe('ok');
    expect(calls).toBe(3);
  });
});
