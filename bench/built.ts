/**
 * Benches that time what Cloud Run runs measure the compiled code (dist/),
 * as deployed: tsx's transform hook is not in a deployed function.
 */
import { spawnSync } from 'node:child_process';
import { distIsFresh } from '../shared/local-stack/launch';

/** Runs `npm run build` when dist/ is older than its sources (the local stack then launches dist). */
export function ensureBuilt(root: string): void {
  if (distIsFresh(root)) return;
  process.stdout.write('  dist/ is older than its sources: npm run build\n');
  const res = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) throw new Error('npm run build failed');
}
