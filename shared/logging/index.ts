/** Structured logging: the Cloud Logging JSON logger, correlation ids, redaction and the local file sink. */
export * from './logger';
export * from './correlation';
export * from './redact';
export * from './serialize-error';
export * from './capture';
export * from './rotating-file';
