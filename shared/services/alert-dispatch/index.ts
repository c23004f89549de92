/**
 * alert-dispatch: the notification pipeline (validate → fingerprint →
 * inhibit/silence → dedup → group → route → send → record), the retry path
 * (`flushPendingNotifications`) and the operator's alert actions.
 */
export type { AlertDispatchDeps } from './deps';
export { dispatchAlert, type DispatchContext, type DispatchResult } from './dispatch';
export { flushPendingNotifications, type FlushOptions, type FlushResult } from './flush';
export { sendDelivery, claimDelivery, type SendOutcome, type SendStatus } from './send';
export { routeNotifications } from './route';
export { listAlerts, acknowledge, silence, summarise, type AlertSummary } from './alert-states';
export {
  OUTBOX,
  DISPATCH_CHANNEL,
  deliveryDocId,
  isOpen,
  readDoc,
  type OutboxDoc,
  type OutboxPayload,
} from './outbox';
export {
  sendTestAlert,
  type TestAlertOptions,
  type TestAlertResult,
  type TestChannelResult,
} from './test-alert';
