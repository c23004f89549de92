/** The rollback service: apply a request, restore a backup, recover interrupted runs. */
export * from './apply-rollback';
export * from './recover';
export * from './results';
export * from './deps';
export { BookLocks } from './book-locks';
export { readBackup, type LoadedBackup } from './backups';
export { recordServingChange } from './serving-history';
