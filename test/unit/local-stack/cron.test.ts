/**
 * The local stack's Cloud Scheduler: cron read as Cloud Scheduler reads it
 * (fields, lists, ranges, steps, time zones, Vixie's day-of-month OR
 * day-of-week), bad expressions refused naming the field, and the scheduler
 * publishing every schedule's body to its topic.
 */
import { ValidationError } from '../../../shared/errors';
import { cronMatches, nextCronTime, parseCron } from '../../../shared/local-stack/cron';
import { LocalScheduler } from '../../../shared/local-stack/scheduler';
import { HTTP_SCHEDULES, SCHEDULES } from '../../../shared/topology';

describe('cron', () => {
  it('finds the next hourly and daily fire of topology, in their time zones', () => {
    const hourly = parseCron('0 * * * *');
    expect(nextCronTime(hourly, 'Etc/UTC', new Date('2025-01-01T09:00:00Z'))!.toISOString()).toBe(
      '2025-01-01T10:00:00.000Z',
    );
    expect(nextCronTime(hourly, 'Etc/UTC', new Date('2025-01-01T09:59:59Z'))!.toISOString()).toBe(
      '2025-01-01T10:00:00.000Z',
    );
    const daily = parseCron('0 8 * * *');
    // 08:00 in London is 08:00 UTC in winter and 07:00 UTC in summer.
    expect(nextCronTime(daily, 'Europe/London', new Date('2025-01-01T09:00:00Z'))!.toISOString()).toBe(
      '2025-01-02T08:00:00.000Z',
    );
    expect(nextCronTime(daily, 'Europe/London', new Date('2025-07-01T09:00:00Z'))!.toISOString()).toBe(
      '2025-07-02T07:00:00.000Z',
    );
  });

  it('reads lists, ranges, steps and Sunday as 0 or 7', () => {
    const c = parseCron('*/15 9-17 * * 1-5');
    expect([...c.minutes]).toEqual([0, 15, 30, 45]);
    expect(c.hours.size).toBe(9);
    expect(cronMatches(c, new Date('2025-01-06T09:30:00Z'), 'Etc/UTC')).toBe(true); // a Monday
    expect(cronMatches(c, new Date('2025-01-05T09:30:00Z'), 'Etc/UTC')).toBe(false); // a Sunday
    expect([...parseCron('0 0 * * 7').daysOfWeek]).toEqual([0]);
    expect([...parseCron('5,10 0 * * *').minutes]).toEqual([5, 10]);
  });

  it('fires when either restricted day field matches (day of month OR day of week)', () => {
    const c = parseCron('0 12 1 * 1');
    expect(cronMatches(c, new Date('2025-01-01T12:00:00Z'), 'Etc/UTC')).toBe(true); // the 1st, a Wednesday
    expect(cronMatches(c, new Date('2025-01-06T12:00:00Z'), 'Etc/UTC')).toBe(true); // a Monday
    expect(cronMatches(c, new Date('2025-01-07T12:00:00Z'), 'Etc/UTC')).toBe(false);
  });

  it.each([
    ['0 * * *', /must have 5 fields .* has 4/],
    ['60 * * * *', /minute "60" is outside 0-59/],
    ['0 25 * * *', /hour "25" is outside 0-23/],
    ['0 * * * mon', /day of week "mon" is not a number, range or \*/],
    ['*/0 * * * *', /minute "\*\/0" has a step that is not a whole number/],
  ])('refuses %j naming the field', (expression, message) => {
    expect(() => parseCron(expression)).toThrow(ValidationError);
    expect(() => parseCron(expression)).toThrow(message);
  });

  it('refuses a time zone that is not an IANA name', () => {
    expect(() => nextCronTime(parseCron('0 * * * *'), 'Mars/Olympus', new Date())).toThrow(
      /time zone "Mars\/Olympus"/,
    );
  });
});

describe('LocalScheduler', () => {
  it('with a tick, publishes every schedule body to its topic every tick', async () => {
    const published: Array<[string, Record<string, unknown>]> = [];
    const scheduler = new LocalScheduler({
      schedules: SCHEDULES,
      clock: { now: () => new Date() },
      tickSeconds: 0.05,
      publish: async (topic, body) => {
        published.push([topic, body]);
        return `m${published.length}`;
      },
    });
    scheduler.start();
    while (published.length < 4) await new Promise((r) => setTimeout(r, 10));
    await scheduler.stop();
    expect(published.slice(0, 2)).toEqual([
      ['health-check-requests', { trigger: 'schedule' }],
      ['daily-summary-requests', { trigger: 'schedule' }],
    ]);
    const status = scheduler.status();
    expect(status.map((s) => [s.name, s.when])).toEqual([
      ['hourly-health-check', 'every 0.05 s (--tick)'],
      ['daily-summary', 'every 0.05 s (--tick)'],
    ]);
    expect(status[0]!.lastFire).toMatchObject({
      topic: 'health-check-requests',
      messageId: expect.stringMatching(/^m/),
    });
  });

  it('by cron, arms each schedule for its next fire and says when', () => {
    const scheduler = new LocalScheduler({
      schedules: SCHEDULES,
      clock: { now: () => new Date('2025-01-01T09:10:00Z') },
      publish: async () => 'never',
    });
    scheduler.start();
    const status = scheduler.status();
    void scheduler.stop();
    expect(status.map((s) => [s.name, s.when, s.nextAt])).toEqual([
      ['hourly-health-check', '0 * * * * (Etc/UTC)', '2025-01-01T10:00:00.000Z'],
      ['daily-summary', '0 8 * * * (Europe/London)', '2025-01-02T08:00:00.000Z'],
    ]);
  });

  it('keeps a failed publish as the last fire, with the reason', async () => {
    const scheduler = new LocalScheduler({
      schedules: SCHEDULES.slice(0, 1),
      clock: { now: () => new Date() },
      tickSeconds: 0.02,
      publish: async () => {
        throw new Error('queue closed');
      },
    });
    scheduler.start();
    while (!scheduler.status()[0]!.lastFire) await new Promise((r) => setTimeout(r, 10));
    await scheduler.stop();
    expect(scheduler.status()[0]!.lastFire!.error).toBe('Error: queue closed');
  });

  it('with a tick, calls every HTTP schedule (the flush) and keeps what it answered', async () => {
    const calls: string[] = [];
    const answers = [401, 200];
    const scheduler = new LocalScheduler({
      schedules: [],
      httpSchedules: HTTP_SCHEDULES,
      clock: { now: () => new Date() },
      tickSeconds: 0.02,
      publish: async () => 'unused',
      invoke: async (s) => {
        calls.push(s.entryPoint);
        return answers.shift() ?? 200;
      },
    });
    scheduler.start();
    while (!scheduler.status()[0]!.lastFire) await new Promise((r) => setTimeout(r, 5));
    expect(scheduler.status()[0]!.lastFire).toMatchObject({ status: 401, error: 'answered HTTP 401' });
    while (calls.length < 2 || scheduler.status()[0]!.lastFire!.status !== 200)
      await new Promise((r) => setTimeout(r, 5));
    await scheduler.stop();
    expect(calls.slice(0, 2)).toEqual(['alertDispatchFlush', 'alertDispatchFlush']);
    expect(scheduler.status()).toEqual([
      expect.objectContaining({
        name: 'alert-dispatch-flush',
        topic: 'POST alertDispatchFlush',
        when: 'every 0.02 s (--tick)',
      }),
    ]);
  });

  it('by cron, arms the flush every 5 minutes', () => {
    const scheduler = new LocalScheduler({
      schedules: [],
      httpSchedules: HTTP_SCHEDULES,
      clock: { now: () => new Date('2025-01-01T09:11:00Z') },
      publish: async () => 'never',
      invoke: async () => 200,
    });
    scheduler.start();
    const [flush] = scheduler.status();
    void scheduler.stop();
    expect(flush).toMatchObject({ when: '*/5 * * * * (Etc/UTC)', nextAt: '2025-01-01T09:15:00.000Z' });
  });

  it('refuses a tick that is not a positive number of seconds', () => {
    expect(
      () =>
        new LocalScheduler({
          schedules: SCHEDULES,
          clock: { now: () => new Date() },
          tickSeconds: 0,
          publish: async () => '',
        }),
    ).toThrow(/tickSeconds must be a positive number of seconds \(got 0\)/);
  });
});
