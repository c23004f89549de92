/** The stage table of the alert-dispatch pipeline names files that exist, in the order the file comment tells. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DISPATCH_STAGES } from '../../../../shared/services/alert-dispatch/pipeline';

const ROOT = join(__dirname, '..', '..', '..', '..');
const SERVICE = join(ROOT, 'shared/services/alert-dispatch');
const DOMAIN = join(ROOT, 'shared/domain/alerting');

describe('DISPATCH_STAGES', () => {
  it.each(DISPATCH_STAGES.map((s) => [s.stage, s] as const))(
    '%s names its effect and decision files',
    (_, s) => {
      expect(existsSync(join(SERVICE, s.effect))).toBe(true);
      for (const file of s.decision) expect(existsSync(join(DOMAIN, file))).toBe(true);
    },
  );

  it('is numbered in the file comment in the same order', () => {
    const comment = readFileSync(join(SERVICE, 'pipeline.ts'), 'utf8').split('*/')[0] ?? '';
    const numbered = [...comment.matchAll(/^ \* +(\d)\. (\S+)/gm)].map((m) => `${m[1]}. ${m[2]}`);
    expect(numbered).toEqual(DISPATCH_STAGES.map((s, i) => `${i + 1}. ${s.stage}`));
  });
});
