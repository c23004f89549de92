/**
 * A resolved episode stays resolved when its old `firing` comes back: through
 * the real functions framework on the embedded backend, alert-dispatch pages,
 * then sends the resolution; the same firing then arrives again, replayed
 * from `alerts-dead-letter` by `dead-letters replay` (a new message id, the
 * same Alert), and as a late redelivery. Alerts are ordered by `observedAt`:
 * both are stale, acked, and nobody is paged. A firing observed after the
 * resolution is a new episode and pages.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../../functions/alert-dispatch';
import { replayDeadLetters } from '../../../cli/commands/dead-letters';
import { SqliteEventBus } from '../../../shared/adapters/local/sqlite-event-bus';
import { SqliteStateStore, stateDbPath } from '../../../shared/adapters/local/sqlite-state-store';
import { COLLECTIONS } from '../../../shared/contracts/collections';
import type { AlertState } from '../../../shared/contracts/documents/alert-state';
import type { Alert } from '../../../shared/contracts/messages/alert';
import type { ReceivedMessage } from '../../../shared/ports/event-bus';
import { QUEUE_DB_FILE } from '../../../shared/wiring/backend';
import { closeFunctionRuntimes } from '../../../shared/wiring/function-runtime';
import { ensureTopology } from '../../../shared/wiring/topology-setup';
import { useFunctionEnv, type FunctionEnv } from '../../helpers/function-env';
import { startFunctionServer, type FunctionServer } from '../../helpers/function-server';
import { startRecorder, type Recorder } from '../../helpers/http-recorder';

const SUBSCRIPTION = 'alerts--alert-dispatch';
const ISBN = '9780722532935';
const T0 = Date.now();

function anAlert(overrides: Partial<Alert>): Alert {
  return {
    kind: 'rmse_above_threshold',
    severity: 'critical',
    status: 'firing',
    isbn: ISBN,
    modelVersion: '22',
    summary: 'RMSE 112.4 is above the staging limit 80',
    details: { rmse: 112.4 },
    source: 'health-check',
    observedAt: new Date(T0).toISOString(),
    correlationId: 'corr-stale-1',
    ...overrides,
  };
}

describe('a stale firing through the functions framework (alert-dispatch, embedded)', () => {
  let stateDir: string;
  let slack: Recorder;
  let server: FunctionServer;
  let bus: SqliteEventBus;
  let state: SqliteStateStore;
  let fnEnv: FunctionEnv | undefined;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'fg-stale-'));
    slack = await startRecorder();
    fnEnv = useFunctionEnv({
      FG_STATE_DIR: stateDir,
      FG_LOG_LEVEL: 'error',
      FG_ENVIRONMENT: 'staging',
      SLACK_WEBHOOK_URL: `${slack.url}/services/T0FG/B0ALERTS/token`,
      FG_GROUP_WAIT: '0s',
    });
    bus = SqliteEventBus.open(join(stateDir, QUEUE_DB_FILE));
    await ensureTopology(bus);
    server = await startFunctionServer('alertDispatch');
  });

  afterAll(async () => {
    await server?.close();
    await closeFunctionRuntimes();
    await state?.close();
    await bus?.close();
    await slack?.close();
    rmSync(stateDir, { recursive: true, force: true });
    fnEnv?.restore();
  });

  /** POSTs one message of the function's subscription as Pub/Sub would, and acks it when the function did. */
  async function deliverNext(deliveryAttempt = 1): Promise<{ status: number; message: ReceivedMessage }> {
    const [message] = await bus.pull(SUBSCRIPTION, 1, 1000);
    if (!message) throw new Error(`nothing on ${SUBSCRIPTION}`);
    const body = {
      message: {
        data: message.data.toString('base64'),
        attributes: message.attributes,
        messageId: message.id,
        message_id: message.id,
        publishTime: message.publishTime,
        publish_time: message.publishTime,
      },
      subscription: `projects/demo-local/subscriptions/${SUBSCRIPTION}`,
      deliveryAttempt,
    };
    const res = await fetch(`${server.url}/projects/demo-local/topics/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status < 300) await bus.ack(SUBSCRIPTION, [message.ackId]);
    return { status: res.status, message };
  }

  const slackKinds = () =>
    slack.requests.map((r) => (JSON.stringify(r.body).includes('cleared') ? 'resolved' : 'firing'));

  async function alertState(): Promise<AlertState> {
    state ??= new SqliteStateStore(stateDbPath(stateDir));
    const [doc] = await state.query<AlertState>(COLLECTIONS.alertStates);
    return doc!.data;
  }

  it('pages, then sends the resolution', async () => {
    await bus.publish('alerts', { data: anAlert({}), attributes: { correlationId: 'corr-stale-1' } });
    expect((await deliverNext()).status).toBeLessThan(300);
    await bus.publish('alerts', {
      data: anAlert({
        status: 'resolved',
        severity: 'info',
        summary: 'RMSE back to 41',
        observedAt: new Date(T0 + 3_600_000).toISOString(),
        correlationId: 'corr-stale-2',
      }),
      attributes: { correlationId: 'corr-stale-2' },
    });
    expect((await deliverNext()).status).toBeLessThan(300);
    expect(slackKinds()).toEqual(['firing', 'resolved']);
    expect((await alertState()).status).toBe('resolved');
  });

  it('a dead-letter replay of the old firing is stale: acked, nobody paged, the episode stays resolved', async () => {
    await bus.publish('alerts-dead-letter', {
      data: anAlert({}),
      attributes: {
        correlationId: 'corr-stale-1',
        deadLetterReason: 'BackendUnavailableError: slack down',
        deadLetterConsumer: 'alert-dispatch',
        deadLetterSourceMessageId: 'orig-firing',
      },
    });
    const [replayed] = await replayDeadLetters(bus, 'alerts', { id: 'orig-firing' });
    const { status, message } = await deliverNext();
    expect(message.id).toBe(replayed!.replayedAs);
    expect(status).toBeLessThan(300);
    expect(slackKinds()).toEqual(['firing', 'resolved']);
    expect((await alertState()).status).toBe('resolved');
  });

  it('a late redelivery of the old firing (attempt 4) is stale too', async () => {
    await bus.publish('alerts', { data: anAlert({}), attributes: { correlationId: 'corr-stale-1' } });
    expect((await deliverNext(4)).status).toBeLessThan(300);
    expect(slackKinds()).toEqual(['firing', 'resolved']);
    expect((await alertState()).status).toBe('resolved');
  });

  it('a firing observed after the resolution opens a new episode and pages', async () => {
    await bus.publish('alerts', {
      data: anAlert({ observedAt: new Date(T0 + 7_200_000).toISOString(), correlationId: 'corr-stale-3' }),
      attributes: { correlationId: 'corr-stale-3' },
    });
    expect((await deliverNext()).status).toBeLessThan(300);
    expect(slackKinds()).toEqual(['firing', 'resolved', 'firing']);
    expect((await alertState()).status).toBe('firing');
  });
});
