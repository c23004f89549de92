/**
 * The CLI's one logger: stderr only, errors only unless FG_LOG_LEVEL is set,
 * and every secret the configuration holds scrubbed — the list comes from the
 * variable table, so a secret added there is scrubbed here too.
 */
import { cliLogger } from '../../../cli/logger';
import { configSecrets, loadConfig, VARIABLES } from '../../../shared/config';

const SECRETS = {
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/slack-secret-value',
  SLACK_ESCALATION_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B001/escalation-secret',
  SMTP_URL: 'smtps://mailer:smtp-password-value@mail.example.com:465',
  ALERT_EMAIL_TO: 'ops@example.com',
  ALERT_EMAIL_FROM: 'fg@example.com',
  FG_ROLLBACK_TOKEN: 'rollback-token-value-0123456789',
  FG_FLUSH_TOKEN: 'flush-token-value-0123456789',
};

function captured(env: Record<string, string>) {
  const lines: string[] = [];
  const logger = cliLogger({ error: (line) => lines.push(line) }, loadConfig(env), 'test-cli');
  return { logger, lines };
}

describe('configSecrets', () => {
  it('is every value the variable table marks secret, and nothing else', () => {
    const config = loadConfig({ FG_STATE_DIR: '/tmp/fg-logger-test', ...SECRETS });
    const secretNames = VARIABLES.filter((v) => v.secret).map((v) => v.name);
    expect(secretNames).toEqual(
      expect.arrayContaining(['FG_ROLLBACK_TOKEN', 'SLACK_WEBHOOK_URL', 'SMTP_URL']),
    );
    expect(configSecrets(config).sort()).toEqual(
      secretNames
        .map((n) => (SECRETS as Record<string, string>)[n])
        .filter((v): v is string => v !== undefined)
        .sort(),
    );
  });
});

describe('cliLogger', () => {
  it('logs errors only by default, to the error stream', () => {
    const { logger, lines } = captured({ FG_STATE_DIR: '/tmp/fg-logger-test' });
    logger.info('quiet');
    logger.error('loud');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ message: 'loud', severity: 'ERROR' });
  });

  it('follows FG_LOG_LEVEL when set', () => {
    const { logger, lines } = captured({ FG_STATE_DIR: '/tmp/fg-logger-test', FG_LOG_LEVEL: 'info' });
    logger.info('now heard');
    expect(lines).toHaveLength(1);
  });

  it('scrubs every configured secret wherever it appears', () => {
    const { logger, lines } = captured({ FG_STATE_DIR: '/tmp/fg-logger-test', ...SECRETS });
    logger.error(`token ${SECRETS.FG_ROLLBACK_TOKEN} and ${SECRETS.FG_FLUSH_TOKEN}`, {
      note: `mail via ${SECRETS.SMTP_URL}`,
    });
    const text = lines.join('\n');
    expect(text).not.toContain('rollback-token-value');
    expect(text).not.toContain('flush-token-value');
    expect(text).not.toContain('smtp-password-value');
    expect(text).toContain('***');
  });
});
