/**
 * The jest projects split the suite by folder, and the global setup starts the
 * Java emulators only when a selected project holds emulator suites.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { EMULATOR_PROJECTS, noEmulatorsReason } from '../../helpers/global-setup';

const ROOT = join(__dirname, '..', '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const jestConfig = require(join(ROOT, 'jest.config.js')) as {
  projects: { displayName: string; roots: string[] }[];
};

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith('.test.ts') ? [relative(ROOT, path)] : [];
  });
}

describe('jest projects', () => {
  it('give every test file exactly one project, named after its folder', () => {
    const names = jestConfig.projects.map((p) => p.displayName);
    expect(names).toEqual(['unit', 'contract', 'integration', 'infra', 'browser']);
    for (const p of jestConfig.projects) expect(p.roots).toEqual([`<rootDir>/test/${p.displayName}`]);
    const outside = testFiles(join(ROOT, 'test')).filter((f) => !names.includes(f.split('/')[1] ?? ''));
    expect(outside).toEqual([]);
  });

  it('name only real projects as needing the emulators', () => {
    const names = jestConfig.projects.map((p) => p.displayName);
    for (const p of EMULATOR_PROJECTS) expect(names).toContain(p);
  });
});

describe('noEmulatorsReason', () => {
  it('starts the emulators for a whole run or one that selects an emulator project', () => {
    expect(noEmulatorsReason({}, {})).toBeUndefined();
    expect(noEmulatorsReason({}, { selectProjects: [] })).toBeUndefined();
    expect(noEmulatorsReason({}, { selectProjects: ['unit', 'integration'] })).toBeUndefined();
    expect(noEmulatorsReason({}, { ignoreProjects: ['contract'] })).toBeUndefined();
  });

  it('starts none for unit, infra or browser alone, or when every emulator project is ignored', () => {
    for (const selectProjects of [['unit'], ['infra'], ['browser'], ['unit', 'infra']]) {
      expect(noEmulatorsReason({}, { selectProjects })).toBe(
        'no selected project needs them (contract, integration do)',
      );
    }
    expect(noEmulatorsReason({}, { ignoreProjects: ['contract', 'integration'] })).toMatch(
      /no selected project/,
    );
    expect(noEmulatorsReason({}, { selectProjects: ['contract'], ignoreProjects: ['contract'] })).toMatch(
      /no selected project/,
    );
  });

  it('starts none when FG_TEST_NO_EMULATORS=1, whatever is selected', () => {
    expect(noEmulatorsReason({ FG_TEST_NO_EMULATORS: '1' }, { selectProjects: ['integration'] })).toBe(
      'FG_TEST_NO_EMULATORS=1 was set',
    );
    expect(noEmulatorsReason({ FG_TEST_NO_EMULATORS: '0' }, {})).toBeUndefined();
  });
});
