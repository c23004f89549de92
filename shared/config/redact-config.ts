/**
 * The config made safe to print: `redactConfig` for a log line at start,
 * `describeConfig` for the README-style table (`forecast-guard config`).
 * Secrets show as `***` when set; the SMTP URL keeps its host and user but
 * loses its password, so an operator can still see where mail goes.
 */
import { REDACTED, stripUrlPassword } from '../logging/redact';
import type { Config } from './config';
import { VARIABLES } from './variables';

const hide = (value: string | undefined) => (value === undefined ? undefined : REDACTED);

/** A copy of `config` safe to log: secrets `***`, passwords removed from URLs. */
export function redactConfig(config: Config): Config {
  const { notify, mlflow } = config;
  return {
    ...config,
    notify: {
      ...notify,
      slackWebhookUrl: hide(notify.slackWebhookUrl),
      slackEscalationWebhookUrl: hide(notify.slackEscalationWebhookUrl),
      smtpUrl: notify.smtpUrl === undefined ? undefined : stripUrlPassword(notify.smtpUrl),
    },
    mlflow: mlflow && {
      ...mlflow,
      trackingUri: stripUrlPassword(mlflow.trackingUri),
      token: hide(mlflow.token),
    },
    rollbackToken: hide(config.rollbackToken),
  };
}

/** One row of the configuration table. */
export interface ConfigRow {
  variable: string;
  /** The effective value; `***` for a set secret; empty when unset. */
  value: string;
  /** True when the variable was unset and its default applies. */
  isDefault: boolean;
  /** The default, as it would be written. */
  defaultValue?: string;
  secret: boolean;
  description: string;
}

/** Every variable with its effective value (secrets hidden), whether it is the default, and what it does. */
export function describeConfig(config: Config): ConfigRow[] {
  const defaulted = new Set(config.defaulted);
  return VARIABLES.map((v) => {
    const shown = v.show(config);
    const value = shown === undefined ? '' : v.secret ? REDACTED : stripUrlPassword(shown);
    return {
      variable: v.name,
      value,
      isDefault: defaulted.has(v.name),
      ...(v.default !== undefined ? { defaultValue: v.default } : {}),
      secret: v.secret,
      description: v.description,
    };
  });
}
