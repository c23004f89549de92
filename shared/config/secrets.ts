/**
 * The secret values a loaded config holds — every variable the table in
 * variables.ts marks secret — for loggers to scrub wherever they appear.
 * One list: a secret added to the table is scrubbed everywhere.
 */
import type { Config } from './config';
import { VARIABLES } from './variables';

export function configSecrets(config: Config): string[] {
  return VARIABLES.filter((v) => v.secret)
    .map((v) => v.show(config))
    .filter((s): s is string => typeof s === 'string' && s !== '');
}
