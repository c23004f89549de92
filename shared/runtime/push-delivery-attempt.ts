/**
 * Keeps Pub/Sub's `deliveryAttempt` when the functions framework turns a raw
 * push into a CloudEvent. A push subscription with a dead-letter policy puts
 * `deliveryAttempt` at the top level of the push body (beside `message` and
 * `subscription`; https://cloud.google.com/pubsub/docs/push, "Receive
 * messages", and https://cloud.google.com/pubsub/docs/handling-failures).
 * The framework (5.x: `legacyPubSubEventMiddleware`, then
 * `backgroundEventToCloudEventMiddleware`) keeps only the message's data and
 * attributes, so without this a handler never knows it is on the last
 * attempt. The framework offers no hook, and its modules are not exported,
 * so we wrap those two middlewares in place, before it builds its server:
 * the first remembers the attempt of a raw push, the second writes it into
 * the CloudEvent's `data.deliveryAttempt`, where Eventarc's
 * MessagePublishedData carries it and `pubsubEventFrom` reads it. Nothing
 * else of the conversion changes.
 */
import { dirname, join } from 'node:path';

type Next = (err?: unknown) => void;
type Middleware = (req: { body?: unknown }, res: unknown, next: Next) => void;

const WRAPPED = Symbol.for('forecast-guard.keepsDeliveryAttempt');
const attempts = new WeakMap<object, number>();

/** Installs the two wrappers once per framework copy; idempotent. */
export function keepPushDeliveryAttempt(): void {
  const dir = dirname(require.resolve('@google-cloud/functions-framework'));
  // Absolute paths: the package's `exports` hide these modules from a bare specifier.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const legacy = require(join(dir, 'pubsub_middleware.js')) as { legacyPubSubEventMiddleware: Middleware };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const toCloudEvent = require(join(dir, 'middleware', 'background_event_to_cloud_event.js')) as {
    backgroundEventToCloudEventMiddleware: Middleware;
  };
  const originalLegacy = legacy.legacyPubSubEventMiddleware;
  const originalToCloudEvent = toCloudEvent.backgroundEventToCloudEventMiddleware;
  if (typeof originalLegacy !== 'function' || typeof originalToCloudEvent !== 'function') return;
  if ((originalLegacy as unknown as Record<symbol, boolean>)[WRAPPED]) return;

  const rememberAttempt: Middleware = (req, res, next) => {
    const attempt = deliveryAttemptOf(req.body);
    originalLegacy(req, res, (err?: unknown) => {
      if (err === undefined && attempt !== undefined) attempts.set(req, attempt);
      next(err);
    });
  };
  const writeAttempt: Middleware = (req, res, next) => {
    originalToCloudEvent(req, res, (err?: unknown) => {
      const attempt = attempts.get(req);
      const data = isRecord(req.body) ? req.body.data : undefined;
      if (err === undefined && attempt !== undefined && isRecord(data) && 'message' in data) {
        data.deliveryAttempt = attempt;
      }
      next(err);
    });
  };
  (rememberAttempt as unknown as Record<symbol, boolean>)[WRAPPED] = true;
  legacy.legacyPubSubEventMiddleware = rememberAttempt;
  toCloudEvent.backgroundEventToCloudEventMiddleware = writeAttempt;
}

/** The top-level `deliveryAttempt` of a raw push body (`{message, subscription, deliveryAttempt}`), if sane. */
function deliveryAttemptOf(body: unknown): number | undefined {
  if (!isRecord(body) || !('message' in body) || 'context' in body) return undefined;
  const n = body.deliveryAttempt;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
