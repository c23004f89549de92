/**
 * functions/<name>/index.ts and topology agree: each function's file calls
 * the service module topology names for it (the README's topic table says
 * so), and registers itself through the entry-point factory under its own
 * name, so its entry point, trigger and schema come from topology.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { FUNCTIONS } from '../../../shared/topology';
import { httpEntryPointOf } from '../../../shared/wiring/entry-points';

const ROOT = resolve(__dirname, '..', '..', '..');

/** Repository-relative paths (no extension) of the relative imports of a file. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map((i) => i.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) =>
      relative(ROOT, resolve(dirname(file), name))
        .split('\\')
        .join('/'),
    );
}

describe.each(FUNCTIONS.map((f) => [f.name, f] as const))('functions/%s/index.ts', (name, spec) => {
  const file = join(ROOT, 'functions', name, 'index.ts');

  it('exists', () => {
    expect(existsSync(file)).toBe(true);
  });

  it(`imports its service module (topology: ${spec.service})`, () => {
    const service = importsOf(file).filter((p) => p === spec.service || p.startsWith(`${spec.service}/`));
    expect(service).not.toEqual([]);
  });

  it('registers its CloudEvent entry point through the factory, under its own name', () => {
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(new RegExp(`(pubsubFunction|rawDeliveryFunction)\\('${name}'`));
    expect(text).not.toContain('functions.cloudEvent(');
  });
});

describe('httpEntryPointOf', () => {
  it('gives the HTTP entry point topology declares on the function, or on its HTTP schedule', () => {
    expect(httpEntryPointOf('rollback')).toBe('rollbackHttp');
    expect(httpEntryPointOf('alert-dispatch')).toBe('alertDispatchFlush');
  });

  it('refuses a function topology gives no HTTP entry point, naming it', () => {
    expect(() => httpEntryPointOf('health-check')).toThrow(
      'function health-check: topology lists 0 HTTP entry points (); want one',
    );
  });
});
