/** Exit codes of every command (README, Operator CLI). */
import { BackendUnavailableError, ConfigError, NotFoundError, ValidationError } from '../shared/errors';

export const EXIT = {
  ok: 0,
  /** The check found a problem: alerts firing, validation failed, a rollback step failed. */
  problem: 1,
  /** Bad usage or input; the message names what is wrong. */
  usage: 2,
  /** A backend could not be reached. */
  unreachable: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Thrown for bad flags; exits 2 with the message. */
export class UsageError extends ValidationError {}

export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof ValidationError || err instanceof ConfigError || err instanceof NotFoundError) {
    return EXIT.usage;
  }
  if (err instanceof BackendUnavailableError) return EXIT.unreachable;
  return EXIT.problem;
}
