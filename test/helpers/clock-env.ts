/**
 * The variables that set this process's clock (libfaketime under
 * `npm run test:future`), for child processes started with an environment
 * built from scratch: without them the functions would run on the real clock
 * while the test reads their documents two years ahead, and every TTL'd
 * document would look expired.
 */
export function sameClockEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] =>
        e[1] !== undefined && (e[0] === 'LD_PRELOAD' || e[0].startsWith('FAKETIME')),
    ),
  );
}
