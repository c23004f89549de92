/**
 * The local scheduler's cron reading is the domain's (shared/domain/schedule/cron.ts):
 * the health check judges a schedule's last attempt by the same rules the
 * local stack fires it by.
 */
export * from '../domain/schedule/cron';
