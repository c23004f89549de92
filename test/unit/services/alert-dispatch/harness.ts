/**
 * A dispatcher over an in-memory SQLite state store, a clock the test steps
 * (sleeping advances it, so group waits and backoff take no real time) and
 * recording notifiers that can be told to fail.
 */
import { SqliteStateStore } from '../../../../shared/adapters/local/sqlite-state-store';
import { NotifyDeliveryError } from '../../../../shared/adapters/notify/notify-error';
import { DEFAULT_ALERT_POLICY, type AlertPolicy } from '../../../../shared/domain/alerting/policy';
import { createCapturingLogger, type CapturedLogs } from '../../../../shared/logging/capture';
import type { Clock } from '../../../../shared/ports/clock';
import type { Notification, Notifier } from '../../../../shared/ports/notifier';
import { createDispatchMemory, type AlertDispatchDeps } from '../../../../shared/services/alert-dispatch';

export interface SteppedClock extends Clock {
  advance(ms: number): void;
  /** Sleepers now waiting for the clock (manual mode). */
  readonly sleepers: number;
  /** Resolves once `n` sleepers wait (manual mode), so a test can step past their wait together. */
  waitForSleepers(n: number): Promise<void>;
}

/**
 * A clock the test steps. `auto` (the default): a sleep moves time forward
 * by its length at once. Manual: a sleep waits until the test advances the
 * clock past its end, as concurrent invocations waiting out a group wait do.
 */
export function steppedClock(options: { start?: string; auto?: boolean } = {}): SteppedClock {
  let now = Date.parse(options.start ?? '2024-05-01T10:00:00.000Z');
  const auto = options.auto ?? true;
  const waiting: Array<{ until: number; wake: () => void }> = [];
  const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
  const wakeDue = () => {
    for (const w of [...waiting]) {
      if (w.until <= now) {
        waiting.splice(waiting.indexOf(w), 1);
        w.wake();
      }
    }
  };
  return {
    now: () => new Date(now),
    sleep: async (ms) => {
      if (auto) {
        now += Math.max(0, ms);
        // Let other tasks run, as a real sleep would.
        await tick();
        return;
      }
      await new Promise<void>((wake) => waiting.push({ until: now + Math.max(0, ms), wake }));
    },
    advance: (ms) => {
      now += ms;
      wakeDue();
    },
    get sleepers() {
      return waiting.length;
    },
    async waitForSleepers(n) {
      for (let i = 0; i < 10_000 && waiting.length < n; i++) await tick();
      if (waiting.length < n) throw new Error(`expected ${n} sleepers, have ${waiting.length}`);
    },
  };
}

/** A notifier that records what it was sent and fails while `failures` holds errors. */
export class RecordingNotifier implements Notifier {
  readonly sent: Notification[] = [];
  readonly failures: Error[] = [];
  attempts = 0;
  constructor(readonly channel: string) {}

  async send(n: Notification): Promise<void> {
    this.attempts += 1;
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.sent.push(structuredClone(n));
  }

  /** The next `n` sends fail like Slack answering 500 (retryable) or 400 (not). */
  failNext(n: number, retryable = true): void {
    for (let i = 0; i < n; i++) {
      this.failures.push(
        new NotifyDeliveryError(`${this.channel}: answered HTTP ${retryable ? 500 : 400}`, this.channel, {
          retryable,
          status: retryable ? 500 : 400,
        }),
      );
    }
  }
}

export interface Harness {
  deps: AlertDispatchDeps;
  clock: SteppedClock;
  state: SqliteStateStore;
  logs: CapturedLogs;
  slack: RecordingNotifier;
  escalation: RecordingNotifier;
  email: RecordingNotifier;
  log: RecordingNotifier;
  close(): Promise<void>;
}

export function makeHarness(
  policy: Partial<AlertPolicy> = {},
  clockOptions: { auto?: boolean } = {},
): Harness {
  const clock = steppedClock(clockOptions);
  const state = new SqliteStateStore(':memory:', { clock });
  const logs = createCapturingLogger({ clock });
  const slack = new RecordingNotifier('slack');
  const escalation = new RecordingNotifier('slack-escalation');
  const email = new RecordingNotifier('email');
  const log = new RecordingNotifier('log');
  const deps: AlertDispatchDeps = {
    state,
    clock,
    logger: logs.logger,
    notifiers: [slack, escalation, email, log],
    memory: createDispatchMemory(),
    environment: 'production',
    policy: { ...DEFAULT_ALERT_POLICY, ...policy },
    maxDeliveryAttempts: 5,
  };
  return { deps, clock, state, logs, slack, escalation, email, log, close: () => state.close() };
}
