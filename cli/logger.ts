/**
 * The CLI's logger: log lines go to stderr (stdout is the operator's table or
 * JSON document), errors only unless FG_LOG_LEVEL asks for more, and every
 * secret the configuration holds is scrubbed (configSecrets: the one list).
 */
import { configSecrets, type Config } from '../shared/config';
import { createLogger, type Logger } from '../shared/logging/logger';
import type { Output } from './output';

export function cliLogger(out: Pick<Output, 'error'>, config: Config, component: string): Logger {
  const level = config.defaulted.includes('FG_LOG_LEVEL') ? 'error' : config.logLevel;
  return createLogger({ component, level, secrets: configSecrets(config), write: (line) => out.error(line) });
}
