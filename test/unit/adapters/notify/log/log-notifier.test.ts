/**
 * The log notifier: the shared notifier contract (its "server" is the
 * captured log), then its severity mapping and that it never fails.
 */
import { createLogNotifier, logSeverityOf } from '../../../../../shared/adapters/notify/log/log-notifier';
import { createCapturingLogger } from '../../../../../shared/logging/capture';
import { createLogger } from '../../../../../shared/logging/logger';
import type { Notification } from '../../../../../shared/ports/notifier';
import { buildNotification, describeNotifierContract } from '../../../../helpers/notifier-contract';

describeNotifierContract('log', async () => {
  const logs = createCapturingLogger();
  return {
    channel: 'log',
    notifier: createLogNotifier({}, { logger: logs.logger }),
    // A log line is structured: its fields are the notification, nothing in it is markup.
    delivered: async () =>
      logs
        .entries()
        .filter((e) => e.channel === 'log')
        .map((e) => {
          const links = (e.links as Array<{ label: string; url: string }> | undefined) ?? [];
          const readable = [
            String(e.message),
            ...(e.lines as string[]),
            ...links.map((l) => `${l.label} ${l.url}`),
            String(e.correlationId),
            String(e.notificationId),
          ].join('\n');
          return { readable, markup: [] };
        }),
    secrets: [],
    logLines: () => logs.lines,
    close: async () => undefined,
  };
});

describe('log notifier', () => {
  test('writes one line per notification at the severity the alert maps to', async () => {
    const logs = createCapturingLogger();
    const notifier = createLogNotifier({}, { logger: logs.logger });
    const sent: Array<Partial<Notification>> = [
      { severity: 'critical' },
      { severity: 'warning' },
      { severity: 'info' },
      { severity: 'critical', kind: 'resolved' },
    ];
    for (const overrides of sent) await notifier.send(buildNotification(overrides));
    expect(logs.entries().map((e) => e.severity)).toEqual(['CRITICAL', 'WARNING', 'INFO', 'NOTICE']);
  });

  test('the line carries the notification as fields, and the correlation id as a label', async () => {
    const logs = createCapturingLogger();
    const n = buildNotification({ kind: 'escalation' });
    await createLogNotifier({}, { logger: logs.logger }).send(n);
    const [entry] = logs.entries();
    expect(entry).toMatchObject({
      message: `notification: [CRITICAL][ESCALATED] ${n.title}`,
      channel: 'log',
      notificationId: n.id,
      correlationId: n.correlationId,
      kind: 'escalation',
      alertSeverity: 'critical',
      title: n.title,
      lines: n.lines,
      links: n.links,
      'logging.googleapis.com/labels': expect.objectContaining({ correlationId: n.correlationId }),
    });
    expect(entry!.invalid).toBeUndefined();
  });

  test('never fails: a malformed notification is logged with what is wrong', async () => {
    const logs = createCapturingLogger();
    const notifier = createLogNotifier({}, { logger: logs.logger });
    const broken = { id: 'x', title: '', lines: 'not a list' } as unknown as Notification;
    await expect(notifier.send(broken)).resolves.toBeUndefined();
    await expect(notifier.send(undefined as unknown as Notification)).resolves.toBeUndefined();
    const [entry] = logs.entries();
    expect(entry!.invalid).toEqual(
      expect.arrayContaining([
        'notification.title must not be empty',
        'notification.correlationId Invalid input: expected string, received undefined',
      ]),
    );
    expect(logs.entries()).toHaveLength(2);
  });

  test('never fails even when the log sink throws', async () => {
    const logger = createLogger({
      component: 'test',
      write: () => {
        throw new Error('EPIPE');
      },
    });
    await expect(createLogNotifier({}, { logger }).send(buildNotification())).resolves.toBeUndefined();
  });

  test('maps severities: resolved is NOTICE whatever the severity', () => {
    expect(logSeverityOf({ severity: 'info', kind: 'resolved' })).toBe('NOTICE');
    expect(logSeverityOf({ severity: 'critical', kind: 'repeat' })).toBe('CRITICAL');
  });

  test('a bad channel name in the config is named', () => {
    expect(() => createLogNotifier({ channel: 'Log!' }, { logger: createCapturingLogger().logger })).toThrow(
      'log notifier config is invalid: channel must be lowercase letters, digits and hyphens',
    );
  });
});
