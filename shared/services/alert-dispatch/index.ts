/**
 * alert-dispatch: the notification pipeline (pipeline.ts lists its stages in
 * the order they run), the retry path (`flushPendingNotifications`), the
 * operator's alert actions, and what other services send through: the daily
 * summary uses `sendOnce`, `flushPendingNotifications` and `countUndelivered`
 * from here, never the stage files.
 */
export type { AlertDispatchDeps, AlertDispatchPorts, AlertDispatchSettings } from './deps';
export { createDispatchMemory, type DispatchMemory } from './memory';
export { dispatchAlert, type DispatchContext, type DispatchResult } from './pipeline';
export { flushPendingNotifications, type FlushOptions, type FlushResult } from './flush';
export { sendDelivery, sendOnce, claimDelivery, type SendOutcome, type SendStatus } from './send';
export { listAlerts, acknowledge, silence, summarise, type AlertSummary } from './alert-states';
export { OUTBOX, countUndelivered } from './outbox';
export {
  sendTestAlert,
  type AlertConsumer,
  type TestAlertOptions,
  type TestAlertResult,
  type TestChannelResult,
} from './test-alert';
