/** A dispatcher instance's memory: turns per alert, the last decided observations, nothing shared between instances. */
import {
  createDispatchMemory,
  oneAtATime,
  remember,
  REMEMBERED,
} from '../../../../shared/services/alert-dispatch/memory';
import { alert } from '../../domain/alerting/builders';

describe('dispatch memory', () => {
  it('runs calls with the same key one after another, and others at once', async () => {
    const memory = createDispatchMemory();
    const order: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = oneAtATime(memory, 'k', async () => {
      order.push('first start');
      await gate;
      order.push('first end');
    });
    const second = oneAtATime(memory, 'k', async () => {
      order.push('second');
    });
    const other = oneAtATime(memory, 'other', async () => {
      order.push('other');
    });
    await other;
    expect(order).toEqual(['first start', 'other']);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first start', 'other', 'first end', 'second']);
    expect(memory.turns.size).toBe(0);
  });

  it('takes the next turn after a call that failed', async () => {
    const memory = createDispatchMemory();
    const failed = oneAtATime(memory, 'k', async () => {
      throw new Error('boom');
    });
    await expect(failed).rejects.toThrow('boom');
    await expect(oneAtATime(memory, 'k', async () => 'next')).resolves.toBe('next');
  });

  it('remembers the latest observations, dropping the oldest once full', () => {
    const memory = createDispatchMemory();
    for (let i = 0; i <= REMEMBERED; i++) remember(memory, `k${i}`, alert());
    expect(memory.decided.size).toBe(REMEMBERED);
    expect(memory.decided.has('k0')).toBe(false);
    const again = alert();
    remember(memory, 'k1', again);
    remember(memory, `k${REMEMBERED + 1}`, alert());
    // k1 was refreshed, so k2 is now the oldest.
    expect(memory.decided.get('k1')).toBe(again);
    expect(memory.decided.has('k2')).toBe(false);
  });

  it('is not shared between two instances', () => {
    const a = createDispatchMemory();
    const b = createDispatchMemory();
    remember(a, 'k', alert());
    expect(b.decided.size).toBe(0);
  });
});
