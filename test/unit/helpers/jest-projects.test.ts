/**
 * The jest projects split the suite by folder; `npm run test:unit` runs the
 * unit project without starting the Java emulators, which is safe only while
 * no unit suite needs them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const jestConfig = require(join(ROOT, 'jest.config.js')) as {
  projects: { displayName: string; roots: string[] }[];
};
const scripts = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith('.test.ts') ? [relative(ROOT, path)] : [];
  });
}

describe('jest projects', () => {
  const names = jestConfig.projects.map((p) => p.displayName);

  it('give every test file exactly one project, named after its folder', () => {
    expect(names).toEqual(['unit', 'contract', 'integration', 'infra', 'browser']);
    for (const p of jestConfig.projects) expect(p.roots).toEqual([`<rootDir>/test/${p.displayName}`]);
    const outside = testFiles(join(ROOT, 'test')).filter((f) => !names.includes(f.split('/')[1] ?? ''));
    expect(outside).toEqual([]);
  });

  it('run the unit project alone, without the emulators, and the contract and integration ones by name', () => {
    expect(scripts['test:unit']).toBe('FG_TEST_NO_EMULATORS=1 jest --selectProjects unit');
    expect(scripts['test:contract']).toBe('jest --selectProjects contract');
    expect(scripts['test:integration']).toBe('jest --selectProjects integration');
    expect(scripts.test).toBe('jest');
  });

  it('keep every suite that uses the emulators out of the unit project', () => {
    const usesEmulators = /\b(?:describeOnEmulators|emulatorHosts)\(/;
    const unitUsers = testFiles(join(ROOT, 'test', 'unit')).filter((f) =>
      usesEmulators.test(readFileSync(join(ROOT, f), 'utf8')),
    );
    expect(unitUsers).toEqual([]);
    // The check looks for the right names: integration suites do use them.
    const integrationUsers = testFiles(join(ROOT, 'test', 'integration')).filter((f) =>
      usesEmulators.test(readFileSync(join(ROOT, f), 'utf8')),
    );
    expect(integrationUsers.length).toBeGreaterThan(0);
  });
});
