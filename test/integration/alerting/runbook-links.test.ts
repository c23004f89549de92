/**
 * Through the real Slack notifier (the http-recorder as Slack's webhook) and
 * the real email notifier (aiosmtpd), wired from config as in production: the
 * page and the email carry the runbook of their alert's kind, as a link under
 * FG_RUNBOOK_BASE_URL, or as the repository path by default.
 */
import type { Alert } from '../../../shared/contracts/messages/alert';
import { dispatchAlert } from '../../../shared/services/alert-dispatch';
import { startRecorder, type Recorder } from '../../helpers/http-recorder';
import { describeWithSmtpServer, startSmtpServer, type SmtpServer } from '../../helpers/smtp-server';
import { embeddedState, realDeps, steppedClock } from './harness';

const ISBN = '9780722532935';
const BASE = 'https://github.com/acme/forecast-guard/blob/main/docs/runbooks/';

describeWithSmtpServer('runbook links in the Slack page and the email', () => {
  let slack: Recorder;
  let smtp: SmtpServer;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    slack = await startRecorder();
    smtp = await startSmtpServer();
  });
  afterAll(async () => {
    await slack?.close();
    await smtp?.stop();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  async function send(kind: Alert['kind'], runbookBaseUrl?: string) {
    slack.clear();
    const clock = steppedClock();
    const opened = await embeddedState.open(clock);
    cleanups.push(opened.cleanup);
    const { deps } = realDeps(
      opened.state,
      clock,
      { slack, smtp },
      'production',
      runbookBaseUrl === undefined ? {} : { runbookBaseUrl },
    );
    const mailsBefore = smtp.messages().length;
    await dispatchAlert(
      {
        kind,
        severity: 'critical',
        status: 'firing',
        isbn: ISBN,
        modelVersion: '22',
        summary: `${kind} on ${ISBN}`,
        details: {},
        source: 'health-check',
        observedAt: clock.now().toISOString(),
        correlationId: `corr-runbook-${kind}-${Date.now()}`,
        environment: 'production',
      },
      {},
      deps,
    );
    const posts = slack.requests.filter((r) => r.status === 200);
    expect(posts).toHaveLength(1);
    const mails = smtp.messages().slice(mailsBefore);
    expect(mails).toHaveLength(1);
    return { slack: JSON.stringify(posts[0]!.body), mail: mails[0]! };
  }

  it('links the kind’s runbook under FG_RUNBOOK_BASE_URL', async () => {
    const { slack: page, mail } = await send('rmse_spike', BASE);
    expect(page).toContain(`<${BASE}rmse_spike.md|Runbook rmse_spike>`);
    expect(mail.html).toContain(`<a href="${BASE}rmse_spike.md">Runbook rmse_spike</a>`);
    expect(mail.text).toContain(`Runbook rmse_spike: ${BASE}rmse_spike.md`);
  });

  it('names the repository path by default', async () => {
    const { slack: page, mail } = await send('endpoint_unhealthy');
    expect(page).toContain('Runbook endpoint_unhealthy: `docs/runbooks/endpoint_unhealthy.md`');
    expect(mail.text).toContain('Runbook endpoint_unhealthy: docs/runbooks/endpoint_unhealthy.md');
    expect(mail.html).toContain('<code>docs/runbooks/endpoint_unhealthy.md</code>');
  });
});
