/**
 * The Slack notifier against a real local HTTP server standing in for
 * Slack's incoming webhook: the shared notifier contract, then what is
 * particular to Slack (the Block Kit payload, Retry-After, timeouts, the
 * escalation channel, config errors).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSlackNotifier } from '../../../../../shared/adapters/notify/slack/slack-notifier';
import { unescapeSlack } from '../../../../../shared/adapters/notify/slack/slack-render';
import { NotifyDeliveryError } from '../../../../../shared/adapters/notify/notify-error';
import { ValidationError } from '../../../../../shared/errors';
import { createCapturingLogger, type CapturedLogs } from '../../../../../shared/logging/capture';
import { startRecorder, type RecordedRequest, type Recorder } from '../../../../helpers/http-recorder';
import { reportFigure } from '../../../../helpers/figures';
import {
  buildNotification,
  describeNotifierContract,
  type DeliveredNotification,
  type FailureScenario,
  type NotifierHarness,
} from '../../../../helpers/notifier-contract';

const TOKEN = 'xq7Fv2kS9wRtLmN3pZ8cYb4H';
const WEBHOOK_PATH = `/services/T0FGTEST1/B0FGTEST2/${TOKEN}`;

interface SlackHarness extends NotifierHarness {
  recorder: Recorder;
  logs: CapturedLogs;
  webhookUrl: string;
}

interface SlackPayload {
  text: string;
  blocks: Array<{ type: string; text?: { type: string; text: string }; elements?: Array<{ text: string }> }>;
}

/** Every text Slack would interpret in one recorded POST. */
function slackTexts(request: RecordedRequest): string[] {
  const body = request.body as SlackPayload;
  const texts = [body.text];
  for (const block of body.blocks) {
    if (block.text) texts.push(block.text.text);
    for (const element of block.elements ?? []) texts.push(element.text);
  }
  return texts;
}

function toDelivered(request: RecordedRequest): DeliveredNotification {
  const markup = slackTexts(request);
  return { markup, readable: markup.map(unescapeSlack).join('\n') };
}

async function makeSlackHarness(): Promise<SlackHarness> {
  const recorder = await startRecorder();
  const logs = createCapturingLogger();
  const webhookUrl = `${recorder.url}${WEBHOOK_PATH}`;
  return {
    recorder,
    logs,
    webhookUrl,
    channel: 'slack',
    notifier: createSlackNotifier({ webhookUrl }, { logger: logs.logger }),
    delivered: async () => recorder.requests.filter((r) => r.status === 200).map(toDelivered),
    secrets: [WEBHOOK_PATH, TOKEN],
    logLines: () => logs.lines,
    close: () => recorder.close(),
  };
}

const failWith =
  (status: number, body?: string, headers?: Record<string, string>) =>
  (h: SlackHarness): void =>
    h.recorder.failNext(1, status, { body, headers });

const slackFailures: Array<FailureScenario<SlackHarness>> = [
  { name: 'HTTP 500', retryable: true, arrange: failWith(500, 'internal_error') },
  { name: 'HTTP 503', retryable: true, arrange: failWith(503) },
  {
    name: 'HTTP 429 with Retry-After: 7',
    retryable: true,
    retryAfterMs: 7000,
    arrange: failWith(429, 'rate_limited', { 'retry-after': '7' }),
  },
  { name: 'HTTP 400 invalid_payload', retryable: false, arrange: failWith(400, 'invalid_payload') },
  { name: 'HTTP 403 action_prohibited', retryable: false, arrange: failWith(403, 'action_prohibited') },
  { name: 'HTTP 404 no_service', retryable: false, arrange: failWith(404, 'no_service') },
  { name: 'HTTP 410 channel_is_archived', retryable: false, arrange: failWith(410, 'channel_is_archived') },
  {
    name: 'nothing listening (connection refused)',
    retryable: true,
    arrange: async (h) => {
      await h.recorder.close();
    },
  },
];

describeNotifierContract('slack', makeSlackHarness, slackFailures);

describe('slack notifier', () => {
  let h: SlackHarness;
  beforeEach(async () => {
    h = await makeSlackHarness();
  });
  afterEach(() => h.close());

  test('posts one JSON Block Kit message to the webhook path: emoji title, lines, links, context', async () => {
    const n = buildNotification({ lines: ['first line', 'second line'] });
    await h.notifier.send(n);
    expect(h.recorder.requests).toHaveLength(1);
    const request = h.recorder.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe(WEBHOOK_PATH);
    expect(request.headers['content-type']).toContain('application/json');
    const body = request.body as SlackPayload;
    expect(body.text).toBe(`:red_circle: [CRITICAL] ${n.title}`);
    expect(body.blocks.map((b) => b.type)).toEqual(['section', 'section', 'section', 'context']);
    expect(body.blocks[0]!.text!.text).toBe(`*:red_circle: [CRITICAL] ${n.title}*`);
    expect(body.blocks[1]!.text!.text).toBe('first line\nsecond line');
    expect(body.blocks[2]!.text!.text).toBe(`<${n.links![0]!.url}|Runbook>`);
    expect(body.blocks[3]!.elements![0]!.text).toBe(
      `correlationId ${n.correlationId} · notification ${n.id} (firing)`,
    );
  });

  test('escapes &, < and > in every user-provided string, links included', async () => {
    await h.notifier.send(
      buildNotification({
        title: '<!channel> & co',
        lines: ['<https://evil.example|click>'],
        links: [{ label: 'a <b> & c', url: 'https://x.example/p?a=1&b=2|3' }],
      }),
    );
    const texts = slackTexts(h.recorder.requests[0]!);
    expect(texts[1]).toBe('*:red_circle: [CRITICAL] &lt;!channel&gt; &amp; co*');
    expect(texts[2]).toBe('&lt;https://evil.example|click&gt;');
    expect(texts[3]).toBe('<https://x.example/p?a=1&amp;b=2%7C3|a &lt;b&gt; &amp; c>');
  });

  test('marks resolutions and escalations with their own emoji', async () => {
    await h.notifier.send(buildNotification({ kind: 'resolved', title: 'cleared' }));
    await h.notifier.send(buildNotification({ kind: 'escalation', title: 'nobody acked' }));
    const [resolved, escalated] = h.recorder.requests.map((r) => (r.body as SlackPayload).text);
    expect(resolved).toBe(':white_check_mark: [RESOLVED] cleared');
    expect(escalated).toBe(':rotating_light: [CRITICAL][ESCALATED] nobody acked');
  });

  test('keeps a huge notification within Slack limits (3000 characters a section, 50 blocks)', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(60)}`);
    await h.notifier.send(buildNotification({ lines }));
    const body = h.recorder.requests[0]!.body as SlackPayload;
    expect(body.blocks.length).toBeLessThanOrEqual(50);
    for (const block of body.blocks) expect((block.text?.text ?? '').length).toBeLessThanOrEqual(3000);
    expect(JSON.stringify(body)).toContain('more lines not shown');
  });

  test('twenty sends in a row all arrive, in order (figure: send latency)', async () => {
    const sent = Array.from({ length: 20 }, () => buildNotification());
    const t0 = Date.now();
    for (const n of sent) await h.notifier.send(n);
    const perSend = (Date.now() - t0) / sent.length;
    const contexts = h.recorder.requests.map(
      (r) => (r.body as SlackPayload).blocks.at(-1)!.elements![0]!.text,
    );
    expect(contexts).toEqual(
      sent.map((n) => `correlationId ${n.correlationId} · notification ${n.id} (firing)`),
    );
    reportFigure('slack-notifier', 'send to local webhook', `${perSend.toFixed(1)} ms`);
  });

  test('does not retry by itself: one failed POST, one error (dispatch owns retry)', async () => {
    h.recorder.failNext(1, 500);
    await expect(h.notifier.send(buildNotification())).rejects.toBeInstanceOf(NotifyDeliveryError);
    expect(h.recorder.requests).toHaveLength(1);
  });

  test('a 429 error says how long to wait; an HTTP-date Retry-After is read against the clock', async () => {
    const now = new Date('2026-03-02T10:00:00Z');
    const notifier = createSlackNotifier(
      { webhookUrl: h.webhookUrl },
      { logger: h.logs.logger, clock: { now: () => now } },
    );
    h.recorder.failNext(1, 429, { headers: { 'retry-after': 'Mon, 02 Mar 2026 10:00:30 GMT' } });
    const err = (await notifier.send(buildNotification()).catch((e: unknown) => e)) as NotifyDeliveryError;
    expect(err).toMatchObject({ retryable: true, status: 429, retryAfterMs: 30_000, channel: 'slack' });
    expect(err.message).toBe('slack: Slack answered HTTP 429 (failed: rate limited); retry after 30000 ms');
  });

  test('a permanent refusal names the status and what Slack said', async () => {
    h.recorder.failNext(1, 404, { body: 'no_service' });
    const err = (await h.notifier.send(buildNotification()).catch((e: unknown) => e)) as NotifyDeliveryError;
    expect(err.message).toBe(
      'slack: Slack answered HTTP 404 (no_service: the webhook no longer exists); not retrying',
    );
    expect(err.status).toBe(404);
    const warning = h.logs.entries().find((e) => e.message === 'slack notification failed');
    expect(warning).toMatchObject({ severity: 'WARNING', status: 404, retryable: false });
  });

  test('a webhook that never answers times out, retryably, after timeoutMs', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const notifier = createSlackNotifier(
        { webhookUrl: `http://127.0.0.1:${port}${WEBHOOK_PATH}`, timeoutMs: 200 },
        { logger: h.logs.logger },
      );
      const err = (await notifier.send(buildNotification()).catch((e: unknown) => e)) as NotifyDeliveryError;
      expect(err).toBeInstanceOf(NotifyDeliveryError);
      expect(err.retryable).toBe(true);
      expect(err.message).toBe('slack: could not reach Slack (timed out after 200 ms); retry');
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  test('the escalation notifier is its own channel, named in its errors and log lines', async () => {
    const escalation = createSlackNotifier(
      { webhookUrl: h.webhookUrl, channel: 'slack-escalation' },
      { logger: h.logs.logger },
    );
    expect(escalation.channel).toBe('slack-escalation');
    h.recorder.failNext(1, 500);
    await expect(escalation.send(buildNotification())).rejects.toThrow(/^slack-escalation: /);
    expect(h.logs.entries().at(-1)).toMatchObject({
      message: 'slack-escalation notification failed',
      channel: 'slack-escalation',
    });
  });

  test('logs a sent notification at debug with its correlation id, never the URL', async () => {
    const n = buildNotification();
    await h.notifier.send(n);
    const sent = h.logs.entries().find((e) => e.message === 'slack notification sent');
    expect(sent).toMatchObject({ severity: 'DEBUG', correlationId: n.correlationId, notificationId: n.id });
    expect(h.logs.lines.join('\n')).not.toContain(TOKEN);
  });

  test('refuses an invalid notification naming the field, without posting', async () => {
    const err = await h.notifier
      .send(buildNotification({ title: ' ', links: [{ label: 'x', url: 'javascript:alert(1)' }] }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fields).toEqual(['notification.title', 'notification.links.0.url']);
    expect((err as Error).message).toBe(
      'slack: notification is invalid: notification.title must not be empty; notification.links.0.url must be an http or https URL',
    );
    expect(h.recorder.requests).toHaveLength(0);
  });
});

describe('slack notifier config', () => {
  const logger = createCapturingLogger().logger;
  const configError = (config: unknown): ValidationError => {
    try {
      createSlackNotifier(config as never, { logger });
    } catch (err) {
      if (err instanceof ValidationError) return err;
      throw err;
    }
    throw new Error('expected a ValidationError');
  };

  test('a missing webhook URL names the field', () => {
    const err = configError({});
    expect(err.fields).toEqual(['webhookUrl']);
    expect(err.message).toMatch(/^slack notifier config is invalid: webhookUrl /);
  });

  test('a bad webhook URL names the field and never echoes the value', () => {
    const err = configError({ webhookUrl: 'ftp://hooks.example.com/services/T1/B1/n0tForY0urEyes' });
    expect(err.fields).toEqual(['webhookUrl']);
    expect(err.message).toBe(
      'slack notifier config is invalid: webhookUrl must be an https URL (plain http only to a loopback host)',
    );
    expect(err.message).not.toContain('n0tForY0urEyes');
  });

  test('plain http to a remote host, a bad channel name and a zero timeout are each named', () => {
    const err = configError({
      webhookUrl: 'http://hooks.example.com/x',
      channel: 'Slack Alerts',
      timeoutMs: 0,
    });
    expect(err.fields).toEqual(['channel', 'webhookUrl', 'timeoutMs']);
  });
});
