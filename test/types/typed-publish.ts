/**
 * Compile-time proof that a function can publish only what topology lets it,
 * with the payload its topic's contract takes. `npm run typecheck` compiles
 * this file (tsconfig includes test/); it never runs. Each `@ts-expect-error`
 * line must fail to compile, and an expectation that no longer fails is an
 * error itself, so this file cannot pass by accident. The same cases, with
 * the compiler's messages asserted, run in test/unit/types/typed-publish.test.ts.
 */
import type { TopicPayload } from '../../shared/contracts/topic-messages';
import type { EventBus, Publisher, PublisherFor } from '../../shared/ports/event-bus';
import type { PublishesOf } from '../../shared/topology';

declare const bus: EventBus;
declare const alert: TopicPayload<'alerts'>;
declare const lifecycle: TopicPayload<'model-lifecycle'>;

/** True only when A and B are the same type (not merely assignable one way). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const exactly = <T extends true>(): T | undefined => undefined;

// The raw bus fits every function's publisher: wiring hands it over unchanged.
export const healthCheck: PublisherFor<'health-check'> = bus;
export const pipelineEvents: PublisherFor<'pipeline-events'> = bus;
export const rollback: PublisherFor<'rollback'> = bus;
export const dailySummary: PublisherFor<'daily-summary'> = bus;

// What topology lists, read as literal unions.
exactly<Equal<PublishesOf<'pipeline-events'>, 'alerts'>>();
exactly<Equal<PublishesOf<'rollback'>, 'alerts' | 'model-lifecycle'>>();
exactly<Equal<PublishesOf<'post-deploy-validation'>, 'alerts' | 'rollback-requests' | 'model-lifecycle'>>();
exactly<Equal<PublishesOf<'daily-summary'>, never>>();

export async function allowed(): Promise<void> {
  await healthCheck.publish('alerts', { data: alert, attributes: { correlationId: 'corr-1' } });
  await rollback.publish('model-lifecycle', { data: lifecycle });
}

export async function refused(): Promise<void> {
  // @ts-expect-error pipeline-events is not granted model-deployments (the drift topology used to carry)
  await pipelineEvents.publish('model-deployments', { data: {} });
  // @ts-expect-error health-check publishes alerts only
  await healthCheck.publish('rollback-requests', { data: {} });
  // @ts-expect-error daily-summary publishes nothing
  await dailySummary.publish('alerts', { data: alert });
  // @ts-expect-error a topic that does not exist
  await healthCheck.publish('alertz', { data: alert });
}

export async function wrongPayloads(): Promise<void> {
  // @ts-expect-error an Alert's severity is one of the contract's values
  await healthCheck.publish('alerts', { data: { ...alert, severity: 'apocalyptic' } });
  // @ts-expect-error an Alert needs a summary
  await healthCheck.publish('alerts', { data: { ...alert, summary: undefined } });
  // @ts-expect-error a LifecycleEvent is not an Alert
  await rollback.publish('alerts', { data: lifecycle });
  const narrow: Publisher<'model-lifecycle'> = bus;
  // @ts-expect-error an Alert is not a LifecycleEvent
  await narrow.publish('model-lifecycle', { data: alert });
}
