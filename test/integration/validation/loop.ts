/**
 * The post-deploy loop on a seeded fleet, driven through the real topics: a
 * deployment announced on `model-deployments` is delivered to the
 * post-deploy-validation handler (the function's own spec, through
 * handlePubSubDelivery), a rollback request on `rollback-requests` is applied
 * by the rollback service, and alerts are read off a tap on `alerts`. The
 * StateStore and EventBus are the embedded ones or Google's emulators; the
 * registry, endpoints and sales are the embedded fleet either way.
 */
import { join } from 'node:path';
import { CsvSalesData } from '../../../shared/adapters/local/csv-sales-data';
import type { SqliteModelRegistry } from '../../../shared/adapters/local/sqlite-model-registry';
import type { SqliteServingTarget } from '../../../shared/adapters/local/sqlite-serving-target';
import { Alert } from '../../../shared/contracts/messages/alert';
import { ModelDeployed } from '../../../shared/contracts/messages/model-deployed';
import { RollbackRequest } from '../../../shared/contracts/messages/rollback-request';
import { parseWith } from '../../../shared/contracts/parse';
import { createLogger } from '../../../shared/logging/logger';
import { randomIds, systemClock } from '../../../shared/ports/clock';
import type { EventBus } from '../../../shared/ports/event-bus';
import type { StateStore } from '../../../shared/ports/state-store';
import { handlePubSubDelivery, type Outcome } from '../../../shared/runtime/pubsub-function';
import { applyRollback, type RollbackResult } from '../../../shared/services/rollback';
import { seedEmbeddedFleet } from '../../../shared/wiring/seed';
import { handleModelDeployed } from '../../../shared/services/validation/post-deploy';
import type {
  ValidationDeps,
  ValidationPorts,
  ValidationSettings,
} from '../../../shared/services/validation/deps';
import { embeddedWorld } from '../../helpers/embedded-world';

export const DEPLOYMENTS_SUB = 'model-deployments--post-deploy-validation';
export const ROLLBACKS_SUB = 'rollback-requests--rollback';
export const ALERTS_TAP = 'test-validation-alerts-tap';

export interface LoopWorld {
  dir: string;
  registry: SqliteModelRegistry;
  serving: SqliteServingTarget;
  sales: CsvSalesData;
  state: StateStore;
  bus: EventBus;
  isbns: string[];
  validationDeps(): ValidationDeps;
  /** Delivers what waits on model-deployments to post-deploy validation, as the function would. */
  deliverDeployments(waitMs?: number): Promise<Outcome[]>;
  /** Applies what waits on rollback-requests with the rollback service. */
  applyRollbacks(waitMs?: number): Promise<RollbackResult[]>;
  /** Alerts published since the last call. */
  alerts(waitMs?: number): Promise<Alert[]>;
  close(): Promise<void>;
}

const logger = createLogger({ component: 'test', level: 'error', write: () => undefined });

/** Seeds `books` books (3 versions each, v3 serving and last-known-good) in a new temp dir, with the StateStore and EventBus `makePorts` opens. */
export async function seedLoopWorld(
  books: number,
  makePorts: (dir: string) => { state: StateStore; bus: EventBus },
): Promise<LoopWorld> {
  const world = await embeddedWorld({
    prefix: 'fg-validation-loop-',
    clock: systemClock,
    taps: { [ALERTS_TAP]: 'alerts' },
    ports: makePorts,
  });
  const { dir, registry, serving, pipelines, state, bus } = world;
  const salesCsv = join(dir, 'sales.csv');
  await seedEmbeddedFleet(
    { stateDir: dir, salesCsv, books, seed: 42, concurrency: 1 },
    { registry, serving, pipelines, state },
  );
  const sales = new CsvSalesData(salesCsv);
  const validationPorts = (): ValidationPorts => ({
    registry,
    serving,
    sales,
    state,
    bus,
    clock: systemClock,
    ids: randomIds,
    logger,
  });
  const validationSettings: ValidationSettings = { environment: 'production' };
  const validationDeps = (): ValidationDeps => ({ ...validationPorts(), ...validationSettings });
  const drain = async (sub: string, waitMs: number) => {
    const msgs = await bus.pull(sub, 50, waitMs);
    if (msgs.length)
      await bus.ack(
        sub,
        msgs.map((m) => m.ackId),
      );
    return msgs;
  };
  return {
    dir,
    registry,
    serving,
    sales,
    state,
    bus,
    isbns: await registry.listModels(),
    validationDeps,
    async deliverDeployments(waitMs = 2000) {
      const out: Outcome[] = [];
      for (const m of await drain(DEPLOYMENTS_SUB, waitMs)) {
        const push = {
          message: {
            data: m.data.toString('base64'),
            attributes: m.attributes,
            messageId: m.id,
            publishTime: m.publishTime,
          },
          subscription: `projects/test/subscriptions/${DEPLOYMENTS_SUB}`,
        };
        out.push(
          await handlePubSubDelivery(
            {
              consumer: 'post-deploy-validation',
              topic: 'model-deployments',
              schema: ModelDeployed,
              what: 'ModelDeployed',
              handle: async (event, ctx) => {
                const { messageId, correlationId } = ctx;
                await handleModelDeployed(
                  { message: event, messageId, correlationId },
                  { ...validationPorts(), logger: ctx.logger },
                  validationSettings,
                );
              },
            },
            push,
            { state, bus, clock: systemClock, ids: randomIds, logger },
          ),
        );
      }
      return out;
    },
    async applyRollbacks(waitMs = 2000) {
      const out: RollbackResult[] = [];
      for (const m of await drain(ROLLBACKS_SUB, waitMs)) {
        const request = parseWith(RollbackRequest, JSON.parse(m.data.toString('utf8')), 'RollbackRequest');
        const result = await applyRollback(
          request,
          { state, registry, serving, bus, clock: systemClock, logger },
          { holder: `test@loop:${process.pid}`, environment: 'production' },
        );
        out.push(result as RollbackResult);
      }
      return out;
    },
    async alerts(waitMs = 300) {
      return (await drain(ALERTS_TAP, waitMs)).map((m) => Alert.parse(JSON.parse(m.data.toString('utf8'))));
    },
    close: world.close,
  };
}
