/**
 * Stage 1, validate: the payload against the Alert contract, with its
 * environment settled (an alert whose producer left it out belongs to the
 * environment this dispatcher serves). Bad input is a ValidationError naming
 * each field, which the Pub/Sub runtime dead-letters with that reason.
 */
import { Alert } from '../../contracts/messages/alert';
import { parseWith } from '../../contracts/parse';
import type { Environment } from '../../contracts/primitives';

/** An alert that passed its contract, with the environment it belongs to. */
export interface ValidAlert {
  alert: Alert;
  environment: Environment;
}

/** Parses `input` as an Alert (ValidationError naming each bad field otherwise). */
export function validateAlert(input: unknown, environment: Environment): ValidAlert {
  const alert = parseWith(Alert, input, 'Alert');
  return { alert, environment: alert.environment ?? environment };
}
