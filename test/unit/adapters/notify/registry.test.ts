/** The registry: one explicit list, and the notifiers a loaded config enables. */
import { buildNotifiers, NOTIFIER_REGISTRY } from '../../../../shared/adapters/notify/registry';
import { loadConfig } from '../../../../shared/config/load-config';
import { ValidationError } from '../../../../shared/errors';
import { createCapturingLogger } from '../../../../shared/logging/capture';

const logger = createCapturingLogger().logger;

describe('notifier registry', () => {
  test('lists every channel once, in dispatch order', () => {
    expect(NOTIFIER_REGISTRY.map((r) => r.channel)).toEqual(['slack', 'slack-escalation', 'email', 'log']);
  });

  test('an empty config enables only the log channel', () => {
    const notifiers = buildNotifiers(loadConfig({}), { logger });
    expect(notifiers.map((n) => n.channel)).toEqual(['log']);
  });

  test('a full config enables every channel, each named as registered', () => {
    const config = loadConfig({
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/alerts',
      SLACK_ESCALATION_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B1/escalation',
      SMTP_URL: 'smtps://fg:secret@mail.example.com',
      ALERT_EMAIL_TO: 'oncall@example.com, ml-team@example.com',
      ALERT_EMAIL_FROM: 'forecast-guard <alerts@example.com>',
    });
    const notifiers = buildNotifiers(config, { logger });
    expect(notifiers.map((n) => n.channel)).toEqual(['slack', 'slack-escalation', 'email', 'log']);
  });

  test('only the escalation webhook: escalation without the alert channel', () => {
    const config = loadConfig({ SLACK_ESCALATION_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B1/x' });
    expect(buildNotifiers(config, { logger }).map((n) => n.channel)).toEqual(['slack-escalation', 'log']);
  });

  test('a hand-built config with a bad channel setting fails naming the field', () => {
    const config = { notify: { slackWebhookUrl: 'ftp://nope.example/x', emailTo: [] } };
    expect(() => buildNotifiers(config, { logger })).toThrow(ValidationError);
    expect(() => buildNotifiers(config, { logger })).toThrow(
      /^slack notifier config is invalid: webhookUrl /,
    );
  });
});
