/*
 * Preloaded (`node --require`) by bench/cold-start.ts: adds up the time each
 * top-level npm package takes to load when the project's own code requires
 * it (nested packages count toward the one the project asked for), and
 * prints the totals as one JSON line on stderr when the process exits.
 * NODE_DEBUG=module says the same at a thousand lines per package.
 */
'use strict';
const Module = require('node:module');
const builtins = new Set(Module.builtinModules);
const original = Module._load;
const totals = new Map();

function packageOf(request) {
  if (request.startsWith('.') || request.startsWith('/') || request.startsWith('node:')) return undefined;
  if (builtins.has(request)) return undefined;
  const parts = request.split('/');
  return request.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

Module._load = function load(request, parent) {
  const pkg = packageOf(request);
  const fromProject = parent && parent.filename && !parent.filename.includes('node_modules');
  if (!pkg || !fromProject) return original.apply(this, arguments);
  const started = process.hrtime.bigint();
  try {
    return original.apply(this, arguments);
  } finally {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    totals.set(pkg, (totals.get(pkg) || 0) + ms);
  }
};

process.on('exit', () => {
  process.stderr.write(`COLD-START-PACKAGES ${JSON.stringify(Object.fromEntries(totals))}\n`);
});
