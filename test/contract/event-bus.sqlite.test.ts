/**
 * The EventBus contract on the embedded SQLite queue (fake clock: backoff and
 * deadlines cost no real time), then what only the embedded bus promises:
 * the real clock with short deadlines, a nack reason on dead letters,
 * exponential backoff, and separate processes sharing one file.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { SqliteEventBus } from '../../shared/adapters/local/sqlite-event-bus';
import { ConflictError } from '../../shared/errors';
import type { Clock } from '../../shared/ports/clock';
import { DEAD_LETTER_ATTRIBUTES, type SubscriptionSpec } from '../../shared/ports/event-bus';
import { deadLetterSubscriptionOf, deadLetterTopicOf, DELIVERY } from '../../shared/topology';
import { reportFigure } from '../helpers/figures';
import { describeEventBusContract, pullUntil } from './event-bus.contract';

/** Time moves only when someone sleeps on it (the bus, while `pull` waits). */
class ManualClock implements Clock {
  constructor(private ms = Date.parse('2026-03-01T09:00:00.000Z')) {}
  now(): Date {
    return new Date(this.ms);
  }
  async sleep(ms: number): Promise<void> {
    this.ms += ms;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fg-event-bus-'));
  dirs.push(dir);
  return join(dir, 'bus.sqlite');
}
/**
 * A consumer in its own Node process (tsx loads the TypeScript): says
 * `ready`, waits for `go()` (a line on stdin), then pulls five at a time and
 * acks until the subscription stays empty; `done` resolves to the ids it got.
 */
function consumerProcess(
  file: string,
  subscription: string,
): { ready: Promise<void>; go(): void; done: Promise<string[]> } {
  const script = join(dirname(file), 'consumer.ts');
  writeFileSync(
    script,
    `import { SqliteEventBus } from ${JSON.stringify(resolve(__dirname, '../../shared/adapters/local/sqlite-event-bus'))};
(async () => {
  const [file, sub] = [process.argv[2]!, process.argv[3]!];
  const bus = SqliteEventBus.open(file, { pollIntervalMs: 5 });
  process.stdout.write('ready\\n');
  await new Promise((go) => process.stdin.once('data', go));
  process.stdin.pause();
  const ids: string[] = [];
  for (let empty = 0; empty < 5; ) {
    const got = await bus.pull(sub, 5, 100);
    if (got.length === 0) { empty++; continue; }
    await bus.ack(sub, got.map((m) => m.ackId));
    ids.push(...got.map((m) => m.id));
  }
  await bus.close();
  process.stdout.write(JSON.stringify(ids) + '\\n');
})();
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script, file, subscription], {
    cwd: resolve(__dirname, '../..'),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    if (out.startsWith('ready\n')) markReady();
  });
  const done = new Promise<string[]>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0) resolve(JSON.parse(last) as string[]);
      else reject(new Error(`consumer process exited with ${code}: ${out}`));
    });
  });
  return { ready, go: () => child.stdin.end('go\n'), done };
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describeEventBusContract('sqlite', async () => {
  const file = tempFile();
  const clock = new ManualClock();
  // Production delivery settings: on the fake clock they cost nothing.
  const open = () => SqliteEventBus.open(file, { clock, pollIntervalMs: 1000 });
  let bus = open();
  return {
    bus,
    cleanup: () => bus.close(),
    reopen: async () => {
      await bus.close();
      bus = open();
      return bus;
    },
    timing: {
      ackDeadlineSeconds: DELIVERY.ackDeadlineSeconds,
      minBackoffSeconds: DELIVERY.minBackoffSeconds,
      maxBackoffSeconds: DELIVERY.maxBackoffSeconds,
      maxDeliveryAttempts: DELIVERY.maxDeliveryAttempts,
      redeliveryWaitMs: DELIVERY.maxBackoffSeconds * 1000,
      deadlineSlackMs: 5000,
      deadLetterWaitMs: 1000,
    },
  };
});

describe('SqliteEventBus (embedded only)', () => {
  const spec = (topic: string, over: Partial<SubscriptionSpec> = {}): SubscriptionSpec => ({
    name: `${topic}--consumer`,
    topic,
    ackDeadlineSeconds: 0.2,
    maxDeliveryAttempts: 3,
    deadLetterTopic: deadLetterTopicOf(topic),
    minBackoffSeconds: 0.02,
    maxBackoffSeconds: 0.1,
    ...over,
  });

  it('with the real clock and short deadlines: redelivers after the deadline, dead-letters after the last one expires', async () => {
    const bus = SqliteEventBus.open(tempFile(), { pollIntervalMs: 10 });
    try {
      await bus.ensureSubscription(spec('real-clock'));
      const id = await bus.publish('real-clock', { data: { n: 1 } });
      const started = Date.now();
      const attempts: number[] = [];
      for (let i = 0; i < 3; i++) {
        const [m] = await bus.pull('real-clock--consumer', 1, 2000);
        expect(m?.id).toBe(id);
        attempts.push(m?.deliveryAttempt ?? 0);
        // no ack: the 0.2 s deadline runs out
      }
      expect(attempts).toEqual([1, 2, 3]);
      const [dead] = await pullUntil(bus, deadLetterSubscriptionOf('real-clock'), 1, 2000, { ack: true });
      reportFigure(
        'sqlite',
        'real-clock-deadlines',
        `3 expired leases then dead-letter in ${Date.now() - started} ms`,
      );
      expect(dead?.attributes[DEAD_LETTER_ATTRIBUTES.deliveryCount]).toBe('3');
      expect(dead?.attributes[DEAD_LETTER_ATTRIBUTES.reason]).toBeUndefined();
      expect(bus.backlog('real-clock--consumer')).toEqual({ ready: 0, leased: 0 });
    } finally {
      await bus.close();
    }
  });

  it('puts the nack reason on the dead letter and leaves the message nowhere else', async () => {
    const bus = SqliteEventBus.open(tempFile(), { clock: new ManualClock() });
    try {
      await bus.ensureSubscription(spec('with-reason', { maxDeliveryAttempts: 1 }));
      await bus.publish('with-reason', { data: { isbn: 'not-an-isbn' } });
      const [m] = await bus.pull('with-reason--consumer', 1);
      await bus.nack('with-reason--consumer', [m?.ackId ?? ''], {
        reason: 'ValidationError: isbn: must be a valid ISBN-13',
      });
      const [dead] = await bus.pull(deadLetterSubscriptionOf('with-reason'), 1);
      expect(dead?.attributes).toMatchObject({
        [DEAD_LETTER_ATTRIBUTES.reason]: 'ValidationError: isbn: must be a valid ISBN-13',
        [DEAD_LETTER_ATTRIBUTES.deliveryCount]: '1',
        [DEAD_LETTER_ATTRIBUTES.subscription]: 'with-reason--consumer',
      });
      expect(dead?.id).not.toBe(m?.id);
      expect(bus.backlog('with-reason--consumer')).toEqual({ ready: 0, leased: 0 });
    } finally {
      await bus.close();
    }
  });

  it('cuts a long nack reason at 1,024 UTF-8 bytes on a character boundary, as Pub/Sub would store it', async () => {
    const bus = SqliteEventBus.open(tempFile(), { clock: new ManualClock() });
    try {
      await bus.ensureSubscription(spec('long-reason', { maxDeliveryAttempts: 1 }));
      await bus.publish('long-reason', { data: 1 });
      const [m] = await bus.pull('long-reason--consumer', 1);
      // 1 + 2×600 bytes: byte 1,024 falls inside an "é".
      await bus.nack('long-reason--consumer', [m?.ackId ?? ''], { reason: `a${'é'.repeat(600)}` });
      const [dead] = await bus.pull(deadLetterSubscriptionOf('long-reason'), 1);
      const reason = dead?.attributes[DEAD_LETTER_ATTRIBUTES.reason] ?? '';
      expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(1024);
      expect(reason).not.toContain('\uFFFD');
      expect(reason.startsWith('aéé')).toBe(true);
    } finally {
      await bus.close();
    }
  });

  it('backs off exponentially between min and max after each nack', async () => {
    const clock = new ManualClock();
    const bus = SqliteEventBus.open(tempFile(), { clock });
    try {
      await bus.ensureSubscription(
        spec('backoff', { maxDeliveryAttempts: 10, minBackoffSeconds: 10, maxBackoffSeconds: 35 }),
      );
      await bus.publish('backoff', { data: 1 });
      const gaps: number[] = [];
      for (let i = 0; i < 4; i++) {
        const [m] = await bus.pull('backoff--consumer', 1, 600_000);
        const nackedAt = clock.now().getTime();
        await bus.nack('backoff--consumer', [m?.ackId ?? '']);
        expect(await bus.pull('backoff--consumer', 1, 0)).toEqual([]);
        const [again] = await bus.pull('backoff--consumer', 1, 600_000);
        gaps.push(Math.round((clock.now().getTime() - nackedAt) / 1000));
        await bus.nack('backoff--consumer', [again?.ackId ?? '']);
      }
      // min 10 s doubling per attempt, capped at 35 s (poll granularity 50 ms)
      expect(gaps).toEqual([10, 35, 35, 35]);
    } finally {
      await bus.close();
    }
  });

  it('three processes pulling from one file never lease the same delivery', async () => {
    const file = tempFile();
    const bus = SqliteEventBus.open(file);
    try {
      await bus.ensureSubscription(spec('shared-file', { ackDeadlineSeconds: 60 }));
      const consumers = [1, 2, 3].map(() => consumerProcess(file, 'shared-file--consumer'));
      await Promise.all(Array.from({ length: 300 }, (_, i) => bus.publish('shared-file', { data: { i } })));
      await Promise.all(consumers.map((c) => c.ready));
      const started = Date.now();
      for (const c of consumers) c.go();
      const perProcess = await Promise.all(consumers.map((c) => c.done));
      const ids = perProcess.flat();
      reportFigure(
        'sqlite',
        'three-processes',
        `${perProcess.map((p) => p.length).join(' + ')} of 300 in ${Date.now() - started} ms`,
      );
      expect(ids).toHaveLength(300);
      expect(new Set(ids).size).toBe(300);
      expect(bus.backlog('shared-file--consumer')).toEqual({ ready: 0, leased: 0 });
    } finally {
      await bus.close();
    }
  });

  it('refuses to move a subscription to another topic, and drops messages nobody subscribes to', async () => {
    const bus = SqliteEventBus.open(tempFile(), { clock: new ManualClock() });
    try {
      await bus.ensureSubscription(spec('first-topic', { name: 'moving' }));
      await expect(bus.ensureSubscription(spec('second-topic', { name: 'moving' }))).rejects.toBeInstanceOf(
        ConflictError,
      );
      await bus.ensureTopic('lonely-topic');
      const id = await bus.publish('lonely-topic', { data: 1 });
      expect(typeof id).toBe('string');
      await bus.ensureSubscription(spec('lonely-topic'));
      expect(await bus.pull('lonely-topic--consumer', 1, 100)).toEqual([]);
      expect(bus.subscription('moving')).toMatchObject({ topic: 'first-topic', ackDeadlineSeconds: 0.2 });
    } finally {
      await bus.close();
    }
  });
});
