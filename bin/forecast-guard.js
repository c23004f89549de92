#!/usr/bin/env node
// The operator CLI. Runs the compiled code in dist/ (built by `npm ci` via the
// prepare script, or `npm run build`).
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const entry = join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write('forecast-guard: dist/ is missing; run `npm run build` first\n');
  process.exit(2);
}
// `forecast-guard ... | head` closes the pipe early: that is not an error worth a stack trace.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
require(entry)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
