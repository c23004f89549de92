/** Clock and ids, passed in so tests and drills control time. */

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
