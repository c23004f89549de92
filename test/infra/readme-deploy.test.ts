/**
 * The gcloud one-liners in README "Deploying to Google Cloud" publish
 * messages the functions accept: each JSON body, with its shell variables
 * filled in, parses as the contract of the topic it is sent to.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RollbackRequest } from '../../shared/contracts/messages/rollback-request';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Deploying to Google Cloud'));

describe('README: Deploying to Google Cloud', () => {
  const bodies = [...section.matchAll(/--(?:message|data)="(\{.*\})"/g)].map((m) =>
    m[1]!
      .replaceAll('\\"', '"')
      .replaceAll('$ID', 'emergency-20240502T100000Z')
      .replaceAll('$USER', 'oncall'),
  );

  it('gives an emergency rollback one-liner for a book, for every model, and over HTTP', () => {
    expect(bodies).toHaveLength(3);
  });

  it.each([0, 1, 2])('rollback body %i is a valid RollbackRequest', (i) => {
    const request = RollbackRequest.parse(JSON.parse(bodies[i]!));
    expect(request.correlationId).toBe('corr-emergency-20240502T100000Z');
  });

  it('links to the Emergency rollback section rather than repeating it', () => {
    expect(section).toContain('[Emergency rollback](#emergency-rollback)');
  });
});
