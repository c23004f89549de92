/** Each channel shows a notification's runbooks: a link for an http(s) URL, the repository path as text otherwise. */
import { renderEmail } from '../../../../shared/adapters/notify/email/email-render';
import { plainText, runbooksOf } from '../../../../shared/adapters/notify/render';
import { renderSlackMessage } from '../../../../shared/adapters/notify/slack/slack-render';
import { checkNotification } from '../../../../shared/adapters/notify/validate';
import { buildNotification } from '../../../helpers/notifier-contract';

const WEB = 'https://github.com/acme/forecast-guard/blob/main/docs/runbooks/rmse_spike.md';

describe('runbook links on every channel', () => {
  const linked = buildNotification({
    runbooks: [
      { kind: 'rmse_spike', url: WEB },
      { kind: 'data_drift', url: 'docs/runbooks/data_drift.md' },
    ],
  });

  it('Slack links an http(s) runbook and prints a repository path', () => {
    const text = JSON.stringify(renderSlackMessage(linked).blocks);
    expect(text).toContain(`<${WEB}|Runbook rmse_spike>`);
    expect(text).toContain('Runbook data_drift: `docs/runbooks/data_drift.md`');
  });

  it('the email links it in HTML and lists it in the text part', () => {
    const mail = renderEmail(linked, 'alerts@example.com');
    expect(mail.html).toContain(`<li><a href="${WEB}">Runbook rmse_spike</a></li>`);
    expect(mail.html).toContain('<li>Runbook data_drift: <code>docs/runbooks/data_drift.md</code></li>');
    expect(mail.text).toContain(`Runbook rmse_spike: ${WEB}`);
    expect(mail.text).toContain('Runbook data_drift: docs/runbooks/data_drift.md');
  });

  it('the runbooks are added after the links; the rest of the text is unchanged', () => {
    const without = { ...linked, runbooks: undefined };
    expect(plainText(linked)).toBe(
      plainText(without).replace(
        /\n\ncorrelationId /,
        `\n\nRunbook rmse_spike: ${WEB}\nRunbook data_drift: docs/runbooks/data_drift.md\n\ncorrelationId `,
      ),
    );
    expect(JSON.stringify(renderSlackMessage(without))).not.toContain('Runbook rmse_spike');
  });

  it('drops a runbook with another scheme, and validation names the field', () => {
    const hostile = buildNotification({ runbooks: [{ kind: 'rmse_spike', url: 'javascript:alert(1)' }] });
    expect(runbooksOf(hostile)).toEqual([]);
    expect(JSON.stringify(renderSlackMessage(hostile))).not.toContain('javascript:');
    expect(() => checkNotification(hostile, 'slack')).toThrow(
      /notification\.runbooks\.0\.url must be an http or https URL or a repository-relative path/,
    );
  });
});
