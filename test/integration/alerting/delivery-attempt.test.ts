/**
 * Pub/Sub's `deliveryAttempt` reaches alert-dispatch through the real
 * functions framework. A push subscription with a dead-letter policy puts it
 * at the top level of the push body; the framework's conversion of a raw push
 * into a CloudEvent used to drop it, so the handler never knew it was on the
 * last attempt and kept asking for a redelivery that Pub/Sub would dead-letter.
 * Slack answers 500 throughout: on attempt 1 the function asks for a retry
 * (500); on attempt 5 (the subscription's last) it acks, the notification
 * kept pending for the scheduled flush.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as functions from '@google-cloud/functions-framework';
import '../../../functions/alert-dispatch';
import type { Alert } from '../../../shared/contracts/messages/alert';
import { pubsubEventFrom } from '../../../shared/contracts/pubsub-event';
import { DELIVERY } from '../../../shared/topology';
import { closeFunctionRuntimes } from '../../../shared/wiring/function-runtime';
import { useFunctionEnv, type FunctionEnv } from '../../helpers/function-env';
import { startFunctionServer, type FunctionServer } from '../../helpers/function-server';
import { startRecorder, type Recorder } from '../../helpers/http-recorder';

function anAlert(isbn: string, n: number): Alert {
  return {
    kind: 'rmse_above_threshold',
    severity: 'critical',
    status: 'firing',
    isbn,
    modelVersion: '22',
    summary: 'RMSE 112.4 is above the production limit 80',
    details: { rmse: 112.4 },
    source: 'health-check',
    observedAt: new Date().toISOString(),
    correlationId: `corr-attempt-${n}`,
  };
}

/** A push body as Pub/Sub sends it to a subscription with a dead-letter policy. */
function pushBody(messageId: string, alert: Alert, deliveryAttempt: number) {
  return {
    message: {
      data: Buffer.from(JSON.stringify(alert)).toString('base64'),
      attributes: { correlationId: alert.correlationId },
      messageId,
      message_id: messageId,
      publishTime: new Date().toISOString(),
      publish_time: new Date().toISOString(),
    },
    subscription: 'projects/demo-local/subscriptions/alerts--alert-dispatch',
    deliveryAttempt,
  };
}

describe('deliveryAttempt through the functions framework (alert-dispatch, embedded)', () => {
  let stateDir: string;
  let slack: Recorder;
  let server: FunctionServer;
  let fnEnv: FunctionEnv | undefined;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'fg-attempt-'));
    slack = await startRecorder({ defaultStatus: 500, defaultBody: 'server_error' });
    fnEnv = useFunctionEnv({
      FG_STATE_DIR: stateDir,
      FG_LOG_LEVEL: 'error',
      FG_ENVIRONMENT: 'staging',
      SLACK_WEBHOOK_URL: `${slack.url}/services/T0FG/B0ALERTS/token`,
      FG_GROUP_WAIT: '0s',
    });
    server = await startFunctionServer('alertDispatch');
  });

  afterAll(async () => {
    await server?.close();
    await closeFunctionRuntimes();
    await slack?.close();
    rmSync(stateDir, { recursive: true, force: true });
    fnEnv?.restore();
  });

  const post = (body: unknown) =>
    fetch(`${server.url}/projects/demo-local/topics/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('before the last attempt, an undelivered page asks Pub/Sub for a retry', async () => {
    const res = await post(pushBody('attempt-1', anAlert('9780722532935', 1), 1));
    expect(res.status).toBe(500);
    expect(slack.requests.length).toBeGreaterThan(0);
  });

  it(`on the last attempt (${DELIVERY.maxDeliveryAttempts}), the same failure is acked: kept pending for the flush, not dead-lettered`, async () => {
    const sent = slack.requests.length;
    const res = await post(pushBody('attempt-5', anAlert('9780241003008', 5), DELIVERY.maxDeliveryAttempts));
    expect(slack.requests.length).toBeGreaterThan(sent);
    expect(res.status).toBeLessThan(300);
  });

  it('the converted CloudEvent carries deliveryAttempt where pubsubEventFrom reads it', async () => {
    const seen: unknown[] = [];
    functions.cloudEvent('deliveryAttemptProbe', (event: unknown) => {
      seen.push(event);
    });
    const probe = await startFunctionServer('deliveryAttemptProbe');
    try {
      const res = await fetch(`${probe.url}/projects/demo-local/topics/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(pushBody('probe-1', anAlert('9780722532935', 9), 3)),
      });
      expect(res.status).toBeLessThan(300);
      expect(pubsubEventFrom(seen[0]).deliveryAttempt).toBe(3);
      // A push without the field (no dead-letter policy) has none.
      const { deliveryAttempt: _omitted, ...plain } = pushBody('probe-2', anAlert('9780722532935', 10), 1);
      await fetch(`${probe.url}/projects/demo-local/topics/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(plain),
      });
      expect(pubsubEventFrom(seen[1]).deliveryAttempt).toBeUndefined();
    } finally {
      await probe.close();
    }
  });
});
