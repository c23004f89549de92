/**
 * Tests do not write to process.env: the in-process functions read theirs
 * through useFunctionEnv (test/helpers/function-env.ts), child processes get
 * theirs in their spawn options, and config is loaded from a plain object.
 * Emulator endpoints too: the adapters take them from the config, never from
 * a client library reading process.env.
 * This guard scans every .ts file under test/ and names the file and line of
 * any assignment to, delete of, or Object.assign onto process.env.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/** The only files allowed to write process.env, and why. */
const ALLOWED: Record<string, string> = {
  'test/helpers/global-setup.ts':
    'jest hands globalSetup results (the emulator hosts) to its workers only through process.env',
};

// A key assigned (also ??= and +=), a key deleted, the whole object replaced or assigned onto.
const WRITES: RegExp[] = [
  /\bprocess\.env\.[A-Za-z_$][\w$]*\s*(?:[-+*/|&?]{0,2})=(?!=)/,
  /\bprocess\.env\[[^\]]*\]\s*(?:[-+*/|&?]{0,2})=(?!=)/,
  /\bprocess\.env\s*=(?!=)/,
  /\bdelete\s+process\.env\b/,
  /\bObject\.(?:assign|defineProperty|defineProperties)\(\s*process\.env\b/,
];

/** `file:line: text` for every line of `source` that writes process.env. */
export function envWrites(file: string, source: string): string[] {
  return source
    .split('\n')
    .flatMap((text, i) => (WRITES.some((re) => re.test(text)) ? [`${file}:${i + 1}: ${text.trim()}`] : []));
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

describe('tests do not mutate process.env', () => {
  it('no test file assigns, deletes or Object.assigns process.env keys (outside the allow-list)', () => {
    const found = tsFiles(join(ROOT, 'test'))
      .map((path) => relative(ROOT, path))
      .filter((file) => !(file in ALLOWED))
      .flatMap((file) => envWrites(file, readFileSync(join(ROOT, file), 'utf8')));
    expect(found).toEqual([]);
  });

  it('every allow-listed file exists and still writes process.env (else it leaves the list)', () => {
    for (const file of Object.keys(ALLOWED)) {
      expect(envWrites(file, readFileSync(join(ROOT, file), 'utf8')).length).toBeGreaterThan(0);
    }
  });

  it('catches each form of write, names file and line, and lets reads and comparisons pass', () => {
    // Spelled in two parts so this file's own samples are not writes the first case finds.
    const env = ['process', 'env'].join('.');
    const source = [
      `const a = ${env}.FG_STATE_DIR ?? 'x';`,
      `if (${env}.K_SERVICE === 'x') {}`,
      `${env}.FG_STATE_DIR = '/tmp/x';`,
      `${env}['FG_LOG_LEVEL'] = 'error';`,
      `${env}[name] ??= value;`,
      `delete ${env}.K_SERVICE;`,
      `delete ${env}[name];`,
      `Object.assign(${env}, { A: '1' });`,
      `${env} = { ...saved };`,
      `spawn(cmd, { env: { ...${env}, A: '1' } });`,
    ].join('\n');
    expect(envWrites('t.ts', source).map((l) => l.split(': ')[0])).toEqual([
      't.ts:3',
      't.ts:4',
      't.ts:5',
      't.ts:6',
      't.ts:7',
      't.ts:8',
      't.ts:9',
    ]);
  });
});
