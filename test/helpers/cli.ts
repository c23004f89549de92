/** Runs the `forecast-guard` CLI in-process (its `main`), capturing what it prints and its exit code. */
import { main } from '../../cli/main';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as the one JSON document `--json` prints. */
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function runCli(env: Record<string, string>, ...argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    env,
    streams: { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) },
  });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}
