/**
 * The message a consumer publishes on `<topic>-dead-letter` when it gives up
 * on a delivery. It must itself publish on Pub/Sub whatever the original
 * carried, or the give-up throws and the delivery is retried forever:
 *
 * - our own attributes always win and always fit: the reason is cut at 1,024
 *   UTF-8 bytes on a character boundary, ids likewise;
 * - the original's attributes follow as long as there is room under 100 and
 *   Pub/Sub would accept each one (a push can carry anything; one Pub/Sub
 *   delivered already fits); how many were left out is said in
 *   `deadLetterDroppedAttributes`;
 * - data that would take the message past 10 MB is cut, and its original
 *   size said in `deadLetterDataBytes`.
 * Limits: PUBSUB_LIMITS (Pub/Sub's "Quotas and limits" page).
 *
 * Beside the EventBus port rather than in shared/runtime: the Pub/Sub runtime
 * and the sales-data-events service both dead-letter, and services may not
 * import the runtime.
 */
import { withCorrelation } from '../logging/correlation';
import { attributeProblem, messageBytes, PUBSUB_LIMITS, truncateUtf8, type Attributes } from './event-bus';

export interface DeadLetterInput {
  consumer: string;
  reason: string;
  correlationId: string;
  /** The original's id; absent when the delivery could not even be decoded. */
  sourceMessageId?: string;
  data: Buffer | undefined;
  attributes: Record<string, unknown>;
}

/** Attribute names of a dead letter this code adds (besides `correlationId`). */
export const DEAD_LETTER_OWN = {
  reason: 'deadLetterReason',
  consumer: 'deadLetterConsumer',
  sourceMessageId: 'deadLetterSourceMessageId',
  droppedAttributes: 'deadLetterDroppedAttributes',
  dataBytes: 'deadLetterDataBytes',
} as const;

const OWN_KEYS = new Set<string>([...Object.values(DEAD_LETTER_OWN), 'correlationId']);

/** The dead letter for one refused delivery, within Pub/Sub's limits. */
export function deadLetterMessage(input: DeadLetterInput): { data: Buffer; attributes: Attributes } {
  const cap = (text: string) => truncateUtf8(text, PUBSUB_LIMITS.maxAttributeValueBytes);
  const own: Attributes = withCorrelation(
    {
      [DEAD_LETTER_OWN.reason]: cap(input.reason || 'no reason given'),
      [DEAD_LETTER_OWN.consumer]: cap(input.consumer),
      ...(input.sourceMessageId !== undefined
        ? { [DEAD_LETTER_OWN.sourceMessageId]: cap(input.sourceMessageId) }
        : {}),
    },
    input.correlationId,
  );
  let data = input.data ?? Buffer.alloc(0);
  // Room for our attributes, the two counters and the data-size note, whatever happens below.
  const reserved = Object.keys(own).length + 2;
  const originals = Object.entries(input.attributes).filter(([key]) => !OWN_KEYS.has(key));
  const kept: Attributes = {};
  let dropped = 0;
  for (const [key, value] of originals) {
    if (Object.keys(kept).length + reserved >= PUBSUB_LIMITS.maxAttributes || attributeProblem(key, value)) {
      dropped++;
      continue;
    }
    kept[key] = value as string;
  }
  const attributes: Attributes = { ...kept, ...own };
  if (dropped > 0) attributes[DEAD_LETTER_OWN.droppedAttributes] = String(dropped);
  // Attributes first: the reason matters more than the tail of an oversized payload.
  const room = PUBSUB_LIMITS.maxMessageBytes - messageBytes(Buffer.alloc(0), attributes) - 64;
  if (data.length > room) {
    attributes[DEAD_LETTER_OWN.dataBytes] = String(data.length);
    data = data.subarray(0, Math.max(0, room));
  }
  return { data, attributes };
}
