/**
 * How function processes are started: which node, with which flags, running
 * which server (function-server.ts, the functions framework's app on a
 * loopback listener) over which bundle. Compiled (`npm start`): it loads
 * dist/functions/index.js. Run from TypeScript sources (tests, tsx): the
 * compiled bundle when dist/ is up to date with every source file (it loads
 * in a quarter of the time), otherwise the sources through tsx, so nothing
 * stale is ever served.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ConfigError } from '../errors';

export interface FunctionLaunch {
  node: string;
  /** Flags before the framework's main (e.g. a TypeScript loader). */
  nodeArgs: string[];
  /** What the child runs: function-server, which serves the framework's app on 127.0.0.1. */
  functionServer: string;
  /** The module the framework loads the entry points from. */
  source: string;
  /** Preloaded into each child: ends it when the supervisor is gone. */
  orphanGuard: string;
  /** `dist` or `sources (tsx)`, for the banner and logs. */
  describe: string;
}

/** The repository root: the nearest folder above `from` holding package.json. */
export function repositoryRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new ConfigError(`no package.json above ${from}`, 'cwd');
    dir = up;
  }
  return dir;
}

/** Folders whose TypeScript the function bundle is compiled from. */
const SOURCE_DIRS = ['functions', 'shared'];

function* typeScriptFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* typeScriptFiles(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}

/** True when every source file has a compiled twin in dist/ at least as new as itself. */
export function distIsFresh(root: string): boolean {
  for (const dir of SOURCE_DIRS) {
    for (const file of typeScriptFiles(join(root, dir))) {
      const compiled = join(root, 'dist', relative(root, file).replace(/\.ts$/, '.js'));
      try {
        if (statSync(compiled).mtimeMs < statSync(file).mtimeMs) return false;
      } catch {
        return false;
      }
    }
  }
  return true;
}

/** The launch for how this code runs; see the file comment. */
export function defaultLaunch(root: string = repositoryRoot()): FunctionLaunch {
  const compiled = !__filename.endsWith('.ts') || distIsFresh(root);
  if (compiled) {
    const source = join(root, 'dist', 'functions', 'index.js');
    if (!existsSync(source))
      throw new ConfigError(`${source} is missing; run \`npm run build\` first`, 'dist');
    return {
      node: process.execPath,
      nodeArgs: [],
      functionServer: join(root, 'dist', 'shared', 'local-stack', 'function-server.js'),
      source,
      orphanGuard: join(root, 'dist', 'shared', 'local-stack', 'orphan-guard.js'),
      describe: 'dist',
    };
  }
  return {
    node: process.execPath,
    nodeArgs: ['--require', require.resolve('tsx/cjs')],
    functionServer: join(__dirname, 'function-server.ts'),
    source: join(root, 'functions', 'index.ts'),
    orphanGuard: join(__dirname, 'orphan-guard.ts'),
    describe: 'sources (tsx)',
  };
}
