/**
 * Deployments made outside forecast-guard, seen through their Vertex AI audit
 * entry, go through post-deploy validation on the embedded world: the
 * endpoint resolves to a book and the deployed Model to a version through
 * the ServingTarget (a wrapper gives the embedded endpoints Vertex-style
 * resource names, and can hold a deployment back as a long-running DeployModel
 * does); a bad version is quarantined and rolled back, a good one becomes
 * last-known-good; a redelivery, or the sink exporting the entry twice, is
 * one validation; forecast-guard's own deployments and other endpoints are
 * skipped. The clock is a fake that sleeping moves on.
 */
import { COLLECTIONS } from '../../../../shared/contracts/collections';
import type { VertexEndpointAuditEntry } from '../../../../shared/contracts/external/vertex-endpoint-audit';
import { Alert } from '../../../../shared/contracts/messages/alert';
import { RollbackRequest } from '../../../../shared/contracts/messages/rollback-request';
import type { ServingState } from '../../../../shared/contracts/model';
import { ConflictError } from '../../../../shared/errors';
import { createLogger } from '../../../../shared/logging/logger';
import type { Clock } from '../../../../shared/ports/clock';
import type { ServingTarget } from '../../../../shared/ports/serving-target';
import type { ValidationPorts } from '../../../../shared/services/validation/deps';
import { handlePubSubDelivery } from '../../../../shared/runtime/pubsub-function';
import { ModelDeploymentsMessage } from '../../../../shared/contracts/messages/model-deployments-message';
import {
  handleDeploymentAudit,
  type DeploymentAuditSettings,
} from '../../../../shared/services/validation/deployment-audit';
import { aForecast } from '../../../builders/model';
import { reportFigure } from '../../../helpers/figures';
import { deployModelEntry, mutateDeployedModelEntry, sinkPush } from '../../../builders/vertex-audit';
import { countingServing, openWorld, type World } from './world';

const logger = createLogger({ component: 'test', level: 'error', write: () => undefined });
const PROJECT = 'projects/123456789012/locations/europe-west2';
const PIPELINE = 'pipeline-deployer@my-project.iam.gserviceaccount.com';
const OWN = 'fg-rollback@my-project.iam.gserviceaccount.com';
const REQUESTED_AT = '2025-01-01T09:00:00.000Z';

const endpointOf = (isbn: string) => `${PROJECT}/endpoints/9${isbn.slice(3)}`;
/** The pipeline's way: every upload is its own Model, so a version is a Model of its own. */
const modelOf = (isbn: string, version: string) =>
  `${PROJECT}/models/${isbn.slice(3)}${version.padStart(4, '0')}`;

/** Vertex's DeployedModel ids are digits (the embedded target's are `<isbn>-v<version>`). */
const deployedIdOf = (isbn: string, version: string) => `1${isbn.slice(3)}${version.padStart(4, '0')}`;

/**
 * The embedded ServingTarget with Vertex-style names (`endpoint`, `model`),
 * as the Vertex adapter fills them; `hide` keeps a version off the endpoint
 * until the clock reaches a time, like a DeployModel still running.
 */
function namedServing(inner: ServingTarget, clock: Clock) {
  const hidden = new Map<string, number>();
  const name = (s: ServingState): ServingState => ({
    ...s,
    endpoint: endpointOf(s.isbn),
    deployments: s.deployments
      .filter((d) => (hidden.get(`${s.isbn}@${d.version}`) ?? 0) <= clock.now().getTime())
      .map((d) => ({
        ...d,
        model: modelOf(s.isbn, d.version),
        deployedModelId: deployedIdOf(s.isbn, d.version),
      })),
  });
  const target: ServingTarget & {
    hide(isbn: string, version: string, untilMs: number): void;
    reads: number;
  } = {
    reads: 0,
    hide: (isbn, version, untilMs) => hidden.set(`${isbn}@${version}`, untilMs),
    async getServing(isbn) {
      target.reads++;
      const s = await inner.getServing(isbn);
      return s && name(s);
    },
    async listServing() {
      target.reads++;
      return (await inner.listServing()).map(name);
    },
    setTraffic: async (isbn, split) => name(await inner.setTraffic(isbn, split)),
    undeploy: (isbn, version) => inner.undeploy(isbn, version),
    predict: (isbn, instances, options) => inner.predict(isbn, instances, options),
  };
  return target;
}

/** A clock fixed at `start` that sleeping moves on. */
function steppingClock(start: string): Clock & { slept: number } {
  let t = Date.parse(start);
  const clock = {
    slept: 0,
    now: () => new Date(t),
    sleep: async (ms: number) => {
      clock.slept += ms;
      t += ms;
    },
  };
  return clock;
}

/** The DeployModel request entry of the pipeline deploying one version of a book. */
function deployEntry(isbn: string, version: string, over: { principal?: string; operation?: string } = {}) {
  return deployModelEntry({
    endpoint: endpointOf(isbn),
    model: modelOf(isbn, version),
    principal: over.principal ?? PIPELINE,
    operation: over.operation ?? `77${version}`,
    timestamp: REQUESTED_AT,
  });
}

describe('post-deploy validation of deployments seen in the Vertex audit log', () => {
  let world: World;
  let clock: ReturnType<typeof steppingClock>;
  let serving: ReturnType<typeof namedServing>;

  beforeEach(async () => {
    world = await openWorld();
    clock = steppingClock(REQUESTED_AT);
    serving = namedServing(world.serving, clock);
  });
  afterEach(async () => world.close());

  const ports = (over: Partial<ValidationPorts> = {}): ValidationPorts =>
    world.ports({ serving, clock, logger, ...over });
  const settings = (): DeploymentAuditSettings => ({
    ...world.settings(),
    ownPrincipals: [OWN],
    auditWait: { waitMs: 300_000, pollMs: 15_000, giveUpAfterMs: 3600_000 },
  });
  const request = (entry: VertexEndpointAuditEntry) => ({ entry, correlationId: 'corr-audit' });

  /** The pipeline deploys a version (×10 forecasts when `broken`) with all the traffic, announcing nothing. */
  async function pipelineDeploys(isbn: string, broken: boolean): Promise<string> {
    const base = aForecast({ level: 110, trend: 0 });
    const f = (xs: number[]) => xs.map((x) => (broken ? x * 10 : x));
    const version = await world.addVersion(isbn, {
      forecast: { mean: f(base.mean), lower: f(base.lower), upper: f(base.upper) },
    });
    await world.serving.setTraffic(isbn, { [version]: 100 });
    return version;
  }

  it('a bad deployment is validated, quarantined and rolled back to last-known-good, one critical alert', async () => {
    const isbn = await world.aBook(2);
    const bad = await pipelineDeploys(isbn, true);
    const started = performance.now();
    const result = await handleDeploymentAudit(request(deployEntry(isbn, bad)), ports(), settings());
    reportFigure(
      'post-deploy-validation',
      'audit entry → verdict acted on (embedded, 104 predictions)',
      `${(performance.now() - started).toFixed(0)} ms`,
    );
    expect(result).toMatchObject({ action: 'validated', isbn, version: bad, reused: false });
    if (result.action !== 'validated') throw new Error('unreachable');
    expect(result.report.passed).toBe(false);
    expect((await world.registry.getVersion(isbn, bad))!.quarantine).toMatchObject({
      by: 'post-deploy-validation',
      reportId: result.report.reportId,
    });
    const rollbacks = (await world.drain('rollback-requests')).map((m) => RollbackRequest.parse(m.data));
    expect(rollbacks).toEqual([
      expect.objectContaining({ scope: { isbns: [isbn] }, target: { kind: 'last-known-good' } }),
    ]);
    const alerts = (await world.drain('alerts')).map((m) => Alert.parse(m.data));
    expect(alerts).toEqual([
      expect.objectContaining({ kind: 'validation_failed', severity: 'critical', isbn, modelVersion: bad }),
    ]);
    expect((await world.state.get(COLLECTIONS.lastKnownGood, isbn))!.data).toMatchObject({ version: '2' });
  });

  it('a good deployment is validated and becomes last-known-good; nothing is rolled back', async () => {
    const isbn = await world.aBook(2);
    const good = await pipelineDeploys(isbn, false);
    const result = await handleDeploymentAudit(request(deployEntry(isbn, good)), ports(), settings());
    expect(result).toMatchObject({ action: 'validated', version: good });
    if (result.action !== 'validated') throw new Error('unreachable');
    expect(result.report.passed).toBe(true);
    expect(await world.drain('rollback-requests')).toHaveLength(0);
    expect((await world.registry.getVersion(isbn, good))!.quarantine).toBeUndefined();
    expect((await world.state.get(COLLECTIONS.lastKnownGood, isbn))!.data).toMatchObject({ version: good });
  });

  it('waits on the clock for a long-running DeployModel to show on the endpoint', async () => {
    const isbn = await world.aBook(2);
    const good = await pipelineDeploys(isbn, false);
    serving.hide(isbn, good, Date.parse(REQUESTED_AT) + 100_000);
    const result = await handleDeploymentAudit(request(deployEntry(isbn, good)), ports(), settings());
    expect(result).toMatchObject({ action: 'validated', version: good });
    // Seen at the first read at or after 100 s, polling every 15 s: 7 sleeps.
    expect(clock.slept).toBe(105_000);
  });

  it('asks for a redelivery when the deployment is not there within the wait, and gives up long after', async () => {
    const isbn = await world.aBook(2);
    const v = await pipelineDeploys(isbn, false);
    serving.hide(isbn, v, Number.MAX_SAFE_INTEGER);
    const entry = deployEntry(isbn, v);
    const err = await handleDeploymentAudit(request(entry), ports(), settings()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).retryable).toBe(true);
    expect((err as Error).message).toContain(`is not on the endpoint of ${isbn} yet (waited 300 s`);
    expect(clock.slept).toBe(300_000);
    // An hour after the request it is taken as failed: acknowledged, nothing validated.
    await clock.sleep(3600_000);
    const late = await handleDeploymentAudit(request(entry), ports(), settings());
    expect(late).toMatchObject({ action: 'ignore' });
    expect((late as { reason: string }).reason).toContain('the deployment failed or was undone');
    expect(await world.drain('alerts')).toHaveLength(0);
  });

  it('a redelivery, and the sink exporting the entry twice, validate once', async () => {
    const isbn = await world.aBook(2);
    const bad = await pipelineDeploys(isbn, true);
    const counted = countingServing(serving);
    const runtime = { state: world.state, bus: world.bus, clock, ids: world.ids, logger };
    const spec = {
      consumer: 'post-deploy-validation',
      topic: 'model-deployments',
      schema: ModelDeploymentsMessage,
      what: 'model-deployments message',
      handle: async (message: unknown, c: { correlationId: string; logger: typeof logger }) => {
        await handleDeploymentAudit(
          { entry: message as VertexEndpointAuditEntry, correlationId: c.correlationId },
          ports({ serving: counted, logger: c.logger }),
          settings(),
        );
      },
    };
    const push = (messageId: string) =>
      sinkPush(
        deployEntry(isbn, bad),
        messageId,
        'projects/p/subscriptions/model-deployments--post-deploy-validation',
      );
    expect(await handlePubSubDelivery(spec, push('m-1'), runtime)).toBe('handled');
    const predictions = counted.calls;
    expect(predictions).toBeGreaterThan(0);
    expect(await handlePubSubDelivery(spec, push('m-1'), runtime)).toBe('duplicate');
    // The same entry under another message id (the sink's at-least-once export): its report is reused.
    expect(await handlePubSubDelivery(spec, push('m-2'), runtime)).toBe('handled');
    expect(counted.calls).toBe(predictions);
    const reports = await world.state.query(COLLECTIONS.validationReports, {});
    expect(reports.filter((r) => (r.data as { isbn: string }).isbn === isbn)).toHaveLength(1);
  });

  it("skips forecast-guard's own deployments and endpoints that are no book's, touching nothing", async () => {
    const isbn = await world.aBook(2);
    const v = await pipelineDeploys(isbn, true);
    const counted = countingServing(serving);
    const own = await handleDeploymentAudit(
      request(deployEntry(isbn, v, { principal: OWN })),
      ports({ serving: counted }),
      settings(),
    );
    expect(own).toMatchObject({ action: 'ignore' });
    expect(serving.reads).toBe(0);

    const stranger = deployEntry(isbn, v);
    stranger.protoPayload.request!.endpoint = `${PROJECT}/endpoints/123`;
    const other = await handleDeploymentAudit(request(stranger), ports({ serving: counted }), settings());
    expect(other).toEqual({
      action: 'ignore',
      reason: `endpoint ${PROJECT}/endpoints/123 is not the endpoint of a book forecast-guard watches`,
    });
    expect(counted.calls).toBe(0);
    expect((await world.registry.getVersion(isbn, v))!.quarantine).toBeUndefined();
  });

  it('MutateDeployedModel validates the version behind the DeployedModel id', async () => {
    const isbn = await world.aBook(2);
    const bad = await pipelineDeploys(isbn, true);
    const deployed = (await serving.getServing(isbn))!.deployments.find((d) => d.version === bad)!;
    const entry = mutateDeployedModelEntry({
      endpoint: endpointOf(isbn),
      deployedModelId: deployed.deployedModelId!,
      timestamp: REQUESTED_AT,
    });
    const result = await handleDeploymentAudit(request(entry), ports(), settings());
    expect(result).toMatchObject({ action: 'validated', isbn, version: bad });
    expect((await world.registry.getVersion(isbn, bad))!.quarantine).toBeDefined();
  });
});
