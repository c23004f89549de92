/**
 * infra/ turns on rollback-http's identity-token check: FG_ROLLBACK_AUDIENCE
 * is set on the HTTP deployment (and on nothing else), naming the function's
 * own URL, so the function never falls back to guessing Google Cloud from
 * K_SERVICE (it no longer does) or to a bearer token that is not there.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../shared/config';

const tf = readFileSync(join(__dirname, '../../infra/functions.tf'), 'utf8');

/** The text of one `resource "TYPE" "NAME" { … }` block (braces balanced). */
function block(type: string, name: string): string {
  const start = tf.indexOf(`resource "${type}" "${name}" {`);
  if (start < 0) throw new Error(`infra/functions.tf has no ${type}.${name}`);
  let depth = 0;
  for (let i = tf.indexOf('{', start); i < tf.length; i++) {
    if (tf[i] === '{') depth++;
    if (tf[i] === '}' && --depth === 0) return tf.slice(start, i + 1);
  }
  throw new Error(`unbalanced ${type}.${name}`);
}

describe('infra: rollback-http authentication', () => {
  it('sets FG_ROLLBACK_AUDIENCE on the HTTP functions only, naming their cloudfunctions.net URL', () => {
    const http = block('google_cloudfunctions2_function', 'http');
    expect(http).toMatch(/FG_ROLLBACK_AUDIENCE\s*=/);
    expect(http).toContain('https://${var.region}-${var.project_id}.cloudfunctions.net/${each.key}');
    expect(block('google_cloudfunctions2_function', 'function')).not.toContain('FG_ROLLBACK_AUDIENCE');
  });

  it('the value infra builds is one the config accepts', () => {
    const value = [
      'https://europe-west2-acme-forecasts.cloudfunctions.net/rollback-http',
      'https://rollback-http-123456789012.europe-west2.run.app',
      '32555940559.apps.googleusercontent.com',
    ].join(',');
    expect(loadConfig({ FG_ROLLBACK_AUDIENCE: value }).rollbackAudiences).toHaveLength(3);
  });
});
