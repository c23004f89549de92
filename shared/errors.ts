/**
 * Named error classes. Every error says whether trying again could help
 * (`retryable`); adapters turn SDK errors into these, and handlers decide
 * ack-or-retry from `retryable` alone.
 */

export interface ForecastGuardErrorOptions {
  cause?: unknown;
  retryable?: boolean;
}

/** Base class: a message that names what is wrong, a cause, and `retryable`. */
export class ForecastGuardError extends Error {
  readonly retryable: boolean;
  constructor(message: string, options: ForecastGuardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retryable = options.retryable ?? false;
  }
}

/** Input that will never become valid by retrying: a bad message, a bad flag. */
export class ValidationError extends ForecastGuardError {
  /** Dotted paths of the offending fields, e.g. `["message.data.isbn"]`. */
  readonly fields: string[];
  constructor(message: string, fields: string[] = [], options: ForecastGuardErrorOptions = {}) {
    super(message, { ...options, retryable: false });
    this.fields = fields;
  }
}

/**
 * An object that is not part of the configured sales source (FG_SALES_URI):
 * e.g. `raw_data/ISBN_data.csv` landing beside the weekly sales file. Not a
 * bad message: a notification about it has nothing to re-check.
 */
export class NotSalesSourceError extends ValidationError {
  constructor(message: string) {
    super(message, ['uri']);
  }
}

/** Configuration that fails at start; the message names the variable. */
export class ConfigError extends ForecastGuardError {
  constructor(
    message: string,
    readonly variable: string,
  ) {
    super(message, { retryable: false });
  }
}

/** A thing that was asked for and does not exist (unknown ISBN, version, backup). */
export class NotFoundError extends ForecastGuardError {
  constructor(message: string, options: ForecastGuardErrorOptions = {}) {
    super(message, { ...options, retryable: false });
  }
}

/** A precondition does not hold (lease held, quarantined target, document exists). */
export class ConflictError extends ForecastGuardError {
  constructor(message: string, options: ForecastGuardErrorOptions = {}) {
    super(message, { retryable: false, ...options });
  }
}

/** A backend (Firestore, Pub/Sub, Vertex AI, MLflow, SMTP, Slack) could not be reached or failed. */
export class BackendUnavailableError extends ForecastGuardError {
  constructor(
    message: string,
    readonly backend: string,
    options: ForecastGuardErrorOptions = {},
  ) {
    super(message, { retryable: true, ...options });
  }
}

/**
 * No serving target is configured (a registry alone, e.g. FG_REGISTRY=mlflow
 * on one machine): what serves is unknown. Commands that only read show
 * `unknown`; commands that need serving (rollback, deploy, validate, health)
 * refuse with this message, which names what to set.
 */
export class ServingUnknownError extends ConfigError {}

/** True when `err` says retrying might help; unknown errors are treated as retryable. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof ForecastGuardError) return err.retryable;
  return true;
}

/** A short, single-line description of any thrown value, for logs and CLI output. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
