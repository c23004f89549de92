/**
 * An alert's identity: a stable hash of (environment, kind, isbn). Values such
 * as the RMSE seen are left out on purpose, so every observation of the same
 * problem lands on one AlertState and people are told once.
 */
import { createHash } from 'node:crypto';
import type { AlertKind } from '../../contracts/messages/alert';
import type { Environment } from '../../contracts/primitives';

/** What an alert's identity is made of. */
export interface FingerprintInput {
  environment: Environment;
  kind: AlertKind;
  /** Absent for fleet-level alerts (registry unreachable, a pipeline run). */
  isbn?: string;
}

/** Hex characters kept: 64 bits, short enough to type after `alerts ack`, far from colliding in one fleet. */
export const FINGERPRINT_LENGTH = 16;

/**
 * The fingerprint of an alert: 16 lowercase hex characters, the same for the
 * same (environment, kind, isbn) on every machine and every release.
 */
export function alertFingerprint(input: FingerprintInput): string {
  // A JSON array keeps the parts apart: ("a", "b:c") and ("a:b", "c") must not collide.
  const key = JSON.stringify(['fg-alert/v1', input.environment, input.kind, input.isbn ?? null]);
  return createHash('sha256').update(key).digest('hex').slice(0, FINGERPRINT_LENGTH);
}

/** True when `value` looks like a fingerprint (for CLI input checks). */
export function isFingerprint(value: string): boolean {
  return new RegExp(`^[0-9a-f]{${FINGERPRINT_LENGTH}}$`).test(value);
}
