/** Every payload contract: messages, external formats, documents, and the helpers that parse them. */
export * from './collections';
export * from './documents';
export * from './external';
export * from './issues';
export * from './messages';
export * from './model';
export * from './parse';
export * from './primitives';
export * from './pubsub-event';
export * from './topic-messages';
