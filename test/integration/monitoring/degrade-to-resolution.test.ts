/**
 * Monitoring end to end, wired as the local stack wires it: a served model
 * goes bad (`demo degrade`), three scheduled health checks see it, and a
 * person gets exactly one Slack page and one email; the book is rolled back
 * to its last-known-good version, and the next checks bring exactly one
 * resolution notice. Every hop is a real function behind the functions
 * framework. Embedded: the SQLite queue's push dispatcher feeds them. On the
 * emulators: state in Firestore, and the Pub/Sub emulator pushes to them.
 * Slack is a local HTTP server, email is aiosmtpd.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../../functions/alert-dispatch';
import '../../../functions/health-check';
import { PushDispatcher } from '../../../shared/adapters/local/push-dispatcher';
import type { SqliteEventBus } from '../../../shared/adapters/local/sqlite-event-bus';
import { loadConfig } from '../../../shared/config';
import { COLLECTIONS } from '../../../shared/contracts/collections';
import { PRODUCTION_ALIAS } from '../../../shared/ports/model-registry';
import { demoDegrade } from '../../../shared/services/demo';
import { seedEmbeddedFleet } from '../../../shared/wiring/seed';
import { openBackend, SALES_CSV_FILE, type Backend } from '../../../shared/wiring/backend';
import { closeFunctionRuntimes } from '../../../shared/wiring/function-runtime';
import { ensureTopology } from '../../../shared/wiring/topology-setup';
import { describeOnEmulators, emulatorEnv, emulatorHosts, uniqueProjectId } from '../../helpers/emulators';
import { reportFigure } from '../../helpers/figures';
import { useFunctionEnv, type FunctionEnv } from '../../helpers/function-env';
import { startFunctionServer, type FunctionServer } from '../../helpers/function-server';
import { startRecorder, type Recorder } from '../../helpers/http-recorder';
import { describeWithSmtpServer, startSmtpServer, type SmtpServer } from '../../helpers/smtp-server';

const ALCHEMIST = '9780722532935';

type Wiring = 'embedded' | 'emulators';

function monitoringSuite(wiring: Wiring): void {
  let stateDir: string;
  let backend: Backend;
  let slack: Recorder;
  let smtp: SmtpServer;
  let servers: FunctionServer[] = [];
  let dispatchers: PushDispatcher[] = [];
  let fnEnv: FunctionEnv | undefined;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'fg-monitoring-'));
    slack = await startRecorder();
    smtp = await startSmtpServer();
    // Staging (production refuses a plain-http Slack URL); this book's breaches page as in production.
    const thresholds = join(stateDir, 'thresholds.json');
    writeFileSync(thresholds, JSON.stringify({ [ALCHEMIST]: { breachSeverity: 'critical' } }));
    fnEnv = useFunctionEnv({
      FG_STATE_DIR: stateDir,
      FG_LOG_LEVEL: 'error',
      FG_ENVIRONMENT: 'staging',
      FG_THRESHOLDS_FILE: thresholds,
      SLACK_WEBHOOK_URL: `${slack.url}/services/T0/B0/secret`,
      SMTP_URL: smtp.url,
      ALERT_EMAIL_TO: 'oncall@example.com',
      ALERT_EMAIL_FROM: 'forecast-guard <alerts@example.com>',
      // On Firestore a contended alert transaction is retried by redelivery (a second or more), so
      // a run's alerts are collected longer before they go out, as a deployment would set it.
      ...(wiring === 'emulators'
        ? {
            FG_BACKEND: 'gcp',
            GOOGLE_CLOUD_PROJECT: uniqueProjectId(),
            FG_GROUP_WAIT: '12s',
            ...emulatorEnv(),
          }
        : {}),
    });
    const config = loadConfig(fnEnv.env);
    const seeding = openBackend(config);
    await seedEmbeddedFleet(
      { stateDir, salesCsv: join(stateDir, SALES_CSV_FILE), books: 12, seed: 42 },
      seeding,
    );
    await seeding.close();
    // Reopened after seeding so its clock is the seeded world's, as every function's is.
    backend = openBackend(config);
    const health = await startFunctionServer('healthCheck');
    const dispatch = await startFunctionServer('alertDispatch');
    servers = [health, dispatch];
    const endpoints: Record<string, string> = { 'health-check': health.url, 'alert-dispatch': dispatch.url };
    if (wiring === 'emulators') {
      await ensureTopology(backend.bus, {
        pushEndpointFor: (consumer, topic) =>
          endpoints[consumer] && `${endpoints[consumer]}/projects/${config.gcp.projectId}/topics/${topic}`,
      });
    } else {
      await ensureTopology(backend.bus);
      const bus = backend.bus as SqliteEventBus;
      dispatchers = Object.entries(endpoints).map(
        ([consumer, endpoint]) =>
          new PushDispatcher({
            bus,
            subscription: `${consumer === 'health-check' ? 'health-check-requests' : 'alerts'}--${consumer}`,
            projectId: 'demo-local',
            endpoint,
            pullWaitMs: 50,
          }),
      );
      for (const d of dispatchers) d.start();
    }
  }, 90_000);

  afterAll(async () => {
    for (const d of dispatchers) await d.stop();
    for (const s of servers) await s.close();
    await closeFunctionRuntimes();
    await backend?.close();
    await slack?.close();
    await smtp?.stop();
    rmSync(stateDir, { recursive: true, force: true });
    fnEnv?.restore();
  });

  async function healthRun(n: number): Promise<void> {
    const before = (await backend.state.query(COLLECTIONS.healthReports)).length;
    await backend.bus.publish('health-check-requests', { data: { trigger: 'schedule' } });
    const deadline = Date.now() + 45_000;
    while ((await backend.state.query(COLLECTIONS.healthReports)).length <= before) {
      if (Date.now() > deadline) throw new Error(`health check ${n} wrote no report within 45 s`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  /** Waits until nothing more arrives for `quietMs` (alert-dispatch's group wait included). */
  async function settle(quietMs = wiring === 'emulators' ? 14_000 : 4000): Promise<void> {
    let seen = -1;
    while (seen !== slack.requests.length + smtp.messages().length) {
      seen = slack.requests.length + smtp.messages().length;
      await new Promise((r) => setTimeout(r, quietMs));
    }
  }

  it('pages once for a degraded model across three health-check runs', async () => {
    const started = performance.now();
    await demoDegrade(ALCHEMIST, {
      registry: backend.embeddedRegistry!,
      serving: backend.serving,
      bus: backend.bus,
    });
    await healthRun(1);
    await slack.waitFor(1, 30_000);
    reportFigure(
      'monitoring',
      `demo degrade → health check → Slack page (${wiring})`,
      `${(performance.now() - started).toFixed(0)} ms`,
    );
    await healthRun(2);
    await healthRun(3);
    await settle();
    expect(slack.requests).toHaveLength(1);
    expect(JSON.stringify(slack.requests[0]!.body)).toContain(ALCHEMIST);
    const mails = smtp.messages();
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toMatch(/CRITICAL/);
    expect(mails[0]!.text).toContain(ALCHEMIST);
  }, 180_000);

  it('sends exactly one resolution notice after the book is rolled back to last-known-good', async () => {
    const lkg = await backend.state.get<{ version: string }>(COLLECTIONS.lastKnownGood, ALCHEMIST);
    await backend.serving.setTraffic(ALCHEMIST, { [lkg!.data.version]: 100 });
    await backend.registry.setAlias(ALCHEMIST, PRODUCTION_ALIAS, lkg!.data.version);
    await healthRun(4);
    await healthRun(5);
    await settle();
    expect(slack.requests).toHaveLength(2);
    expect(JSON.stringify(slack.requests[1]!.body)).toMatch(/resolved/i);
    const mails = smtp.messages();
    expect(mails).toHaveLength(2);
    expect(mails[1]!.subject).toMatch(/RESOLVED/);
  }, 180_000);
}

describeWithSmtpServer('monitoring end to end', () => {
  describe('embedded', () => monitoringSuite('embedded'));
  if (emulatorHosts()) describe('emulators', () => monitoringSuite('emulators'));
  else describeOnEmulators('monitoring end to end', () => undefined);
});
