/**
 * The checks every notifier passes (Alertmanager gives each of its
 * notifiers the same shared test): a notification arrives with its title,
 * lines, links, correlation id and id; which failures are retryable; no
 * secret in any thrown error or captured log line; hostile text escaped
 * wherever the channel reads markup.
 *
 * A suite calls `describeNotifierContract(label, make, failures)`: `make`
 * builds a fresh harness per test — the notifier wired to a real stand-in
 * server (http-recorder for Slack, aiosmtpd for email) — and each failure
 * scenario sets that server up to fail the next send.
 */
import { ForecastGuardError, isRetryable } from '../../shared/errors';
import { serializeError } from '../../shared/logging/serialize-error';
import type { Notification, Notifier } from '../../shared/ports/notifier';

/** One notification as it arrived at the stand-in server. */
export interface DeliveredNotification {
  /** What a reader sees: the channel's markup decoded (Slack entities unescaped, the email's text part, the log line's fields). */
  readable: string;
  /** Text the channel interprets as markup (Slack mrkdwn, email HTML); hostile text must arrive escaped in each. Empty when the channel has none. */
  markup: string[];
}

export interface NotifierHarness {
  notifier: Notifier;
  /** The name the notifier must report. */
  channel: string;
  /** Everything that arrived so far, in order. */
  delivered(): Promise<DeliveredNotification[]>;
  /** Values that must never appear in a thrown error or a log line (webhook path, SMTP password). */
  secrets: string[];
  /** Every log line the notifier (and any notifier a scenario built) wrote, as JSON text. */
  logLines(): string[];
  close(): Promise<void>;
}

export interface FailureScenario<H extends NotifierHarness> {
  name: string;
  retryable: boolean;
  /** When set, the error must carry exactly this `retryAfterMs`. */
  retryAfterMs?: number;
  /** Makes the next send fail; returns the notifier to send with when it is not `harness.notifier`. */
  arrange(harness: H): Promise<Notifier | void> | Notifier | void;
}

let sequence = 0;

/** A valid notification with a fresh id and correlation id; `overrides` win. */
export function buildNotification(overrides: Partial<Notification> = {}): Notification {
  sequence += 1;
  return {
    id: `ntf-${process.pid}-${sequence}`,
    severity: 'critical',
    kind: 'firing',
    title: `RMSE spike on 9780722532935 (${sequence})`,
    lines: ['RMSE 96.4 is 31% over the baseline 73.5', 'model version 22 · production'],
    correlationId: `corr-${process.pid}-${sequence}`,
    links: [{ label: 'Runbook', url: 'https://runbooks.example.com/forecast-guard/rmse-spike' }],
    ...overrides,
  };
}

/** Text that must never become a mention, a link or an entity in any channel's markup. */
export const HOSTILE = {
  mention: '<!channel>',
  here: '<!here>',
  user: '<@U024BE7LH>',
  link: '<https://evil.example/phish|click here>',
  amp: 'Tom & Jerry',
} as const;

// An `&` that does not start one of the entities channels write.
const BARE_AMPERSAND = /&(?!(?:amp|lt|gt|quot|#39|#x27);)/;

/** Registers the shared checks for one notifier. */
export function describeNotifierContract<H extends NotifierHarness>(
  label: string,
  make: () => Promise<H>,
  failures: ReadonlyArray<FailureScenario<H>> = [],
): void {
  describe(`${label} (notifier contract)`, () => {
    let harness: H;

    beforeEach(async () => {
      harness = await make();
    });

    afterEach(async () => {
      try {
        const leaks = harness.logLines().filter((line) => harness.secrets.some((s) => line.includes(s)));
        expect(leaks).toEqual([]);
      } finally {
        await harness.close();
      }
    });

    test('reports its channel name', () => {
      expect(harness.notifier.channel).toBe(harness.channel);
    });

    test('delivers the title, every line, the links, the correlation id and the notification id', async () => {
      const n = buildNotification();
      await harness.notifier.send(n);
      const delivered = await harness.delivered();
      expect(delivered).toHaveLength(1);
      const { readable } = delivered[0]!;
      for (const text of [n.title, ...n.lines, n.correlationId, n.id, n.links![0]!.label, n.links![0]!.url]) {
        expect(readable).toContain(text);
      }
    });

    test('delivers every send, the same notification twice included, each with its id', async () => {
      const first = buildNotification({ severity: 'warning', kind: 'repeat' });
      const second = buildNotification({ severity: 'info', kind: 'resolved', lines: [] });
      await harness.notifier.send(first);
      await harness.notifier.send(first);
      await harness.notifier.send(second);
      const delivered = await harness.delivered();
      expect(delivered).toHaveLength(3);
      expect(delivered[0]!.readable).toContain(first.id);
      expect(delivered[1]!.readable).toContain(first.id);
      expect(delivered[2]!.readable).toContain(second.id);
      expect(delivered[2]!.readable).toContain(second.title);
    });

    test('escapes hostile text wherever the channel reads markup, and keeps it readable', async () => {
      const n = buildNotification({
        title: `ISBN 9780722532935 ${HOSTILE.mention} ${HOSTILE.amp}`,
        lines: [HOSTILE.link, `${HOSTILE.here} ${HOSTILE.user}`, 'a < b > c & d'],
        correlationId: `corr-${HOSTILE.amp}-<x>`,
      });
      await harness.notifier.send(n);
      const [delivered] = await harness.delivered();
      expect(delivered).toBeDefined();
      for (const markup of delivered!.markup) {
        for (const raw of [HOSTILE.mention, HOSTILE.here, HOSTILE.user, '<https://evil']) {
          expect(markup).not.toContain(raw);
        }
        expect(markup).not.toMatch(BARE_AMPERSAND);
      }
      for (const text of [...Object.values(HOSTILE), 'a < b > c & d', n.correlationId]) {
        expect(delivered!.readable).toContain(text);
      }
    });

    for (const scenario of failures) {
      const verdict = scenario.retryable ? 'retryable' : 'not retryable';
      test(`${scenario.name} → ${verdict}, no secret in the error`, async () => {
        const notifier = (await scenario.arrange(harness)) ?? harness.notifier;
        const error = await notifier.send(buildNotification()).then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(error).toBeInstanceOf(ForecastGuardError);
        expect(isRetryable(error)).toBe(scenario.retryable);
        const err = error as ForecastGuardError & { retryAfterMs?: number };
        expect(err.message).toContain(notifier.channel);
        if (scenario.retryAfterMs !== undefined) expect(err.retryAfterMs).toBe(scenario.retryAfterMs);
        // The whole error as it would be logged: message, stack and cause chain.
        const serialized = JSON.stringify(serializeError(err));
        for (const secret of harness.secrets) expect(serialized).not.toContain(secret);
      });
    }
  });
}
