/**
 * `forecast-guard alerts …` and `dead-letters …` in-process on the embedded
 * backend, with Slack (http-recorder) and email (aiosmtpd) configured as an
 * operator would: a test alert end to end, list / ack / silence, bad input
 * named, dead letters listed with their reason and replayed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli';
import { SqliteEventBus } from '../../../shared/adapters/local/sqlite-event-bus';
import { QUEUE_DB_FILE } from '../../../shared/wiring/backend';
import { ensureTopology } from '../../../shared/wiring/topology-setup';
import { startRecorder, type Recorder } from '../../helpers/http-recorder';
import { describeWithSmtpServer, startSmtpServer, type SmtpServer } from '../../helpers/smtp-server';
import { EMAIL_FROM, EMAIL_TO, SLACK_PATH, slackPages } from './harness';

const ISBN = '9780722532935';

const run = runCli;

describeWithSmtpServer('forecast-guard alerts / dead-letters (embedded)', () => {
  let stateDir: string;
  let env: Record<string, string>;
  let slack: Recorder;
  let smtp: SmtpServer;
  let fp: string;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'fg-alerts-cli-'));
    slack = await startRecorder();
    smtp = await startSmtpServer();
    env = {
      FG_STATE_DIR: stateDir,
      SLACK_WEBHOOK_URL: `${slack.url}${SLACK_PATH}`,
      SMTP_URL: smtp.url,
      ALERT_EMAIL_TO: EMAIL_TO,
      ALERT_EMAIL_FROM: EMAIL_FROM,
      USER: 'alice',
    };
  });
  afterAll(async () => {
    await slack?.close();
    await smtp?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  function file(name: string, content: unknown): string {
    const path = join(stateDir, name);
    writeFileSync(path, JSON.stringify(content));
    return path;
  }

  it('sends a test alert end to end and reports every channel', async () => {
    const res = await run(env, 'alerts', 'test', '--json');
    expect(res.code).toBe(0);
    // The log channel writes its line to stderr; stdout holds the one JSON document.
    expect(res.stderr).toContain('notification: [CRITICAL] Test alert');
    const doc = res.json();
    expect(doc).toMatchObject({ dispatched: true, correlationId: expect.stringMatching(/^corr-/) });
    expect(doc.channels).toEqual([
      { channel: 'email', status: 'delivered', attempts: 1 },
      { channel: 'log', status: 'delivered', attempts: 1 },
      { channel: 'slack', status: 'delivered', attempts: 1 },
    ]);
    expect(slackPages(slack)[0]!.text).toContain(
      '[CRITICAL] Test alert from forecast-guard (requested by alice)',
    );
    expect(smtp.messages()[0]!.headers['x-forecast-guard-correlation-id']).toBe(doc.correlationId);
  });

  it('lists alert state, acknowledges and silences by fingerprint', async () => {
    const alert = {
      kind: 'rmse_above_threshold',
      severity: 'critical',
      status: 'firing',
      isbn: ISBN,
      summary: 'RMSE 112.4 is above the limit 80',
      source: 'health-check',
      observedAt: new Date().toISOString(),
      correlationId: 'corr-cli-1',
    };
    expect((await run(env, 'publish', 'alerts', '--file', file('alert.json', alert))).code).toBe(0);
    // Nothing else consumes the embedded queue here: alerts test dispatches what waits, ours included.
    expect((await run(env, 'alerts', 'test', '--json')).code).toBe(0);
    expect(slackPages(slack).some((p) => p.text.includes(`${ISBN}: RMSE 112.4 is above the limit 80`))).toBe(
      true,
    );

    const all = (await run(env, 'alerts', 'list', '--json')).json();
    expect(all.alerts.map((a: { kind: string; status: string }) => `${a.kind}:${a.status}`)).toEqual([
      'rmse_above_threshold:firing',
      'test:resolved',
    ]);
    const firing = await run(env, 'alerts', 'list', '--status', 'firing', '--json');
    expect(firing.code).toBe(0);
    const [row] = firing.json().alerts;
    expect(row).toMatchObject({
      kind: 'rmse_above_threshold',
      severity: 'critical',
      status: 'firing',
      isbn: ISBN,
      notifyCount: 1,
    });
    fp = row.fingerprint;

    const acked = await run(env, 'alerts', 'ack', fp, '--by', 'bob', '--json');
    expect(acked.code).toBe(0);
    expect(acked.json().alert).toMatchObject({ fingerprint: fp, acknowledgedBy: 'bob' });
    const silenced = await run(env, 'alerts', 'silence', fp, '--for', '2h', '--json');
    expect(silenced.code).toBe(0);
    const until = Date.parse(silenced.json().alert.silencedUntil);
    expect(until - Date.now()).toBeGreaterThan(7_100_000);
    expect(until - Date.now()).toBeLessThanOrEqual(7_200_000);

    const table = await run(env, 'alerts', 'list');
    expect(table.stdout).toContain('FINGERPRINT');
    expect(table.stdout).toContain(fp);
    expect(table.stdout).toContain('bob');
  });

  it.each([
    [['alerts', 'ack', 'nope', '--by', 'x'], 'FP must be a 16-character fingerprint'],
    [['alerts', 'ack', '0123456789abcdef'], '--by is required'],
    [['alerts', 'ack', '0123456789abcdef', '--by', 'x'], 'no alert with fingerprint 0123456789abcdef'],
    [
      ['alerts', 'silence', '0123456789abcdef', '--for', 'soon'],
      '--for must be a duration like 30m, 2h or 1d',
    ],
    [['alerts', 'list', '--status', 'loud'], '--status must be one of firing|resolved|pending (got "loud")'],
    [['alerts', 'test', '--severity', 'urgent'], '--severity must be one of critical|warning|info'],
    [['dead-letters', 'list', 'nowhere'], 'unknown topic "nowhere"'],
    [['dead-letters', 'replay'], 'TOPIC is required'],
  ])('refuses %j naming what is wrong (exit 2)', async (argv, message) => {
    const res = await run(env, ...argv);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(message);
  });

  it('lists dead letters with their reason without consuming them', async () => {
    const bad = {
      kind: 'rmse_spike',
      severity: 'urgent',
      status: 'firing',
      summary: 'x',
      source: 's',
      observedAt: 'now',
      correlationId: 'c',
    };
    expect((await run(env, 'publish', 'alerts', '--file', file('bad.json', bad), '--no-check')).code).toBe(0);
    await run(env, 'alerts', 'test', '--json');
    const res = await run(env, 'dead-letters', 'list', 'alerts', '--json');
    expect(res.code).toBe(0);
    const { messages } = res.json();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ topic: 'alerts', attempts: 1, consumer: 'alert-dispatch' });
    expect(messages[0].reason).toContain('severity: must be one of critical|warning|info (got "urgent")');
    // Still there: listing only read it (it is held for the ack deadline, then visible again).
    const bus = SqliteEventBus.open(join(stateDir, QUEUE_DB_FILE));
    expect(bus.backlog('alerts-dead-letter-inspect')).toEqual({ ready: 0, leased: 1 });
    await bus.close();
  });

  it('replays a dead letter to its original topic and acks it', async () => {
    const bus = SqliteEventBus.open(join(stateDir, QUEUE_DB_FILE));
    await ensureTopology(bus);
    await bus.ensureSubscription({
      name: 'test-rollback-tap',
      topic: 'rollback-requests',
      ackDeadlineSeconds: 10,
      maxDeliveryAttempts: 5,
      minBackoffSeconds: 1,
      maxBackoffSeconds: 10,
    });
    const data = { requestId: 'r-1', reason: 'typo' };
    const deadId = await bus.publish('rollback-requests-dead-letter', {
      data,
      attributes: {
        correlationId: 'corr-replay',
        deadLetterReason: 'RollbackRequest is invalid: scope: is required',
        deadLetterConsumer: 'rollback',
        deadLetterSourceMessageId: 'orig-1',
        CloudPubSubDeadLetterSourceDeliveryCount: '3',
      },
    });
    const res = await run(
      env,
      'dead-letters',
      'replay',
      'rollback-requests',
      '--id',
      'orig-1',
      '--wait',
      '70s',
      '--json',
    );
    expect(res.code).toBe(0);
    const [replayed] = res.json().messages;
    expect(replayed).toMatchObject({
      id: deadId,
      topic: 'rollback-requests',
      attempts: 3,
      sourceMessageId: 'orig-1',
    });
    const [again] = await bus.pull('test-rollback-tap', 10, 500);
    expect(again!.id).toBe(replayed.replayedAs);
    expect(JSON.parse(again!.data.toString('utf8'))).toEqual(data);
    expect(again!.attributes).toEqual({ correlationId: 'corr-replay', replayOf: deadId });
    expect(bus.backlog('rollback-requests-dead-letter-inspect')).toEqual({ ready: 0, leased: 0 });
    const missing = await run(env, 'dead-letters', 'replay', 'rollback-requests', '--id', 'nope');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no dead letter nope is visible');
    await bus.close();
  });
});
