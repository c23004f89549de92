/**
 * What the Pub/Sub runtime needs to know of a consuming function, read from
 * shared/topology.ts: its consumer name, its trigger topic and the contract a
 * delivery is checked against (CONSUMED_MESSAGES). The deployed entry points
 * (entry-points.ts) and the in-process consumer of `alerts test` build their
 * spec here, so neither spells it out by hand.
 */
import { CONSUMED_MESSAGES, type ConsumedPayload } from '../contracts/topic-messages';
import type { HandlerContext, PubSubFunctionSpec } from '../runtime/pubsub-function';
import { functionSpec, type FunctionName, type TopicName, type TriggerOf } from '../topology';

/** The functions a topic triggers. */
export type TriggeredFunction = {
  [F in FunctionName]: TriggerOf<F> extends TopicName ? F : never;
}[FunctionName];

/** What function F's handler is given: its trigger topic's accepted payload. */
export type TriggerPayload<F extends TriggeredFunction> = ConsumedPayload<Extract<TriggerOf<F>, TopicName>>;

type ConsumedSchema = (typeof CONSUMED_MESSAGES)[TopicName]['schema'];

/** Function `name`'s trigger topic; a function without one is a topology error. */
export function triggerOf(name: TriggeredFunction): TopicName {
  const { trigger } = functionSpec(name);
  if (!trigger) throw new Error(`function ${name}: topology lists no trigger topic`);
  return trigger;
}

/** The runtime's spec of function `name`, with `handle` for its payloads. */
export function deliverySpec<F extends TriggeredFunction>(
  name: F,
  handle: (payload: TriggerPayload<F>, ctx: HandlerContext) => Promise<void>,
): PubSubFunctionSpec<ConsumedSchema> {
  const topic = triggerOf(name);
  const contract = CONSUMED_MESSAGES[topic];
  return {
    consumer: name,
    topic,
    schema: contract.schema,
    what: contract.name,
    // CONSUMED_MESSAGES[topic] is typed for every topic at once; topology made `topic` F's own.
    handle: (payload, ctx) => handle(payload as TriggerPayload<F>, ctx),
  };
}
