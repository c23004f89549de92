export * from './state-store';
export * from './event-bus';
export * from './model-registry';
export * from './serving-target';
export * from './pipeline-monitor';
export * from './sales-data';
export * from './notifier';
export * from './clock';
