/**
 * Every function's entry points, built from shared/topology.ts: the entry
 * point's name, the topic that triggers it, the consumer name that keys
 * de-duplication, and the schema a delivery is checked against
 * (CONSUMED_MESSAGES) all come from there, so functions/<name>/index.ts says
 * only which service a message goes to.
 */
import * as functions from '@google-cloud/functions-framework';
import { handlePubSubDelivery, type HandlerContext } from '../runtime/pubsub-function';
import { functionSpec, HTTP_SCHEDULES, type FunctionName } from '../topology';
import { deliverySpec, type TriggeredFunction, type TriggerPayload } from './delivery-spec';
import { functionRuntime, type FunctionRuntime } from './function-runtime';

export type { TriggeredFunction, TriggerPayload } from './delivery-spec';

export type PubSubHandler<F extends TriggeredFunction> = (
  payload: TriggerPayload<F>,
  ctx: HandlerContext,
  rt: FunctionRuntime,
) => Promise<void>;

/**
 * Registers function `name`'s CloudEvent entry point: each delivery of its
 * trigger topic goes through the Pub/Sub runtime (de-duplication, schema,
 * ack / retry / dead-letter) to `handle`. Returns the entry point's name.
 */
export function pubsubFunction<F extends TriggeredFunction>(name: F, handle: PubSubHandler<F>): string {
  const { entryPoint } = functionSpec(name);
  functions.cloudEvent(entryPoint, async (event: functions.CloudEvent<unknown>) => {
    const rt = await functionRuntime(name);
    await handlePubSubDelivery(
      deliverySpec(name, (payload, ctx) => handle(payload, ctx, rt)),
      event,
      { ...rt.backend, logger: rt.logger, ids: rt.ids },
    );
  });
  return entryPoint;
}

/**
 * Registers the CloudEvent entry point of a function that decodes its own
 * deliveries (sales-data-events: two delivery forms, a de-duplication key of
 * its own); `handle` gets the event as it arrived. Returns the entry point's name.
 */
export function rawDeliveryFunction(
  name: TriggeredFunction,
  handle: (event: unknown, rt: FunctionRuntime) => Promise<unknown>,
): string {
  const { entryPoint } = functionSpec(name);
  functions.cloudEvent(entryPoint, async (event: functions.CloudEvent<unknown>) => {
    await handle(event, await functionRuntime(name));
  });
  return entryPoint;
}

/** The HTTP entry point topology gives function `name` (FunctionSpec.http) or a schedule of it (HTTP_SCHEDULES). */
export function httpEntryPointOf(name: FunctionName): string {
  const own = functionSpec(name).http?.entryPoint;
  const scheduled = HTTP_SCHEDULES.filter((s) => s.function === name).map((s) => s.entryPoint);
  const all = [...(own ? [own] : []), ...scheduled];
  const [only, ...more] = all;
  if (!only || more.length > 0) {
    throw new Error(
      `function ${name}: topology lists ${all.length} HTTP entry points (${all.join(', ')}); want one`,
    );
  }
  return only;
}

/**
 * Registers function `name`'s HTTP entry point under the name topology gives
 * it. Returns the entry point's name.
 */
export function httpFunction(name: FunctionName, handle: functions.HttpFunction): string {
  const entryPoint = httpEntryPointOf(name);
  functions.http(entryPoint, handle);
  return entryPoint;
}

/**
 * A value built once per function runtime (an instance's alerting deps),
 * so every event after the first reuses it.
 */
export function perRuntime<T>(build: (rt: FunctionRuntime) => T): (rt: FunctionRuntime) => T {
  const built = new WeakMap<FunctionRuntime, T>();
  return (rt) => {
    if (!built.has(rt)) built.set(rt, build(rt));
    return built.get(rt) as T;
  };
}
