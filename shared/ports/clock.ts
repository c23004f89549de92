/** Clock and ids, passed in so tests and drills control time. */
import { randomUUID } from 'node:crypto';

export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface IdGenerator {
  next(prefix?: string): string;
}

/** Random UUID-based ids (`prefix-<uuid>`), the production default. */
export const randomIds: IdGenerator = {
  next: (prefix) => (prefix ? `${prefix}-${randomUUID()}` : randomUUID()),
};
