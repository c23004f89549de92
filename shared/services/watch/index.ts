export * from './watch-status';
