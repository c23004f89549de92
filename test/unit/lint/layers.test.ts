/**
 * The layer rules `npm run lint` enforces (.dependency-cruiser.cjs) reject the
 * imports they name. Each tree under test/fixtures/layers/ is a miniature
 * repository: `clean` obeys every rule, every other one breaks exactly one.
 *
 * dependency-cruiser is ESM only and jest runs this file as CommonJS without
 * vm modules, so one child Node process cruises every fixture with the
 * project's own config and prints the violations as JSON.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const repoRoot = join(__dirname, '..', '..', '..');
const fixtures = join(repoRoot, 'test', 'fixtures', 'layers');

interface Violation {
  rule: string;
  from: string;
  to: string;
}

interface Cruised {
  modules: string[];
  violations: Violation[];
}

// Same rules and options as the lint script; the fixtures have no tsconfig of their own.
const CRUISE_ALL = `
import { cruise } from 'dependency-cruiser';
import { createRequire } from 'node:module';
import { join } from 'node:path';
const [configFile, root, ...cases] = process.argv.slice(1);
const config = createRequire(import.meta.url)(configFile);
const out = {};
for (const name of cases) {
  const options = { ...config.options, tsConfig: undefined, ruleSet: { forbidden: config.forbidden }, validate: true, baseDir: join(root, name) };
  const { output } = await cruise(['.'], options);
  out[name] = {
    modules: output.modules.map((m) => m.source),
    violations: output.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to })),
  };
}
process.stdout.write(JSON.stringify(out));
`;

const CASES: Record<string, { rule: string; from: string; to: string }> = {
  'domain-imports-adapter': {
    rule: 'domain-imports-only-contracts-and-errors',
    from: 'shared/domain/rule.ts',
    to: 'shared/adapters/store.ts',
  },
  'domain-imports-port-type': {
    rule: 'domain-imports-only-contracts-and-errors',
    from: 'shared/domain/rule.ts',
    to: 'shared/ports/store.ts',
  },
  'service-imports-adapter': {
    rule: 'services-never-import-adapters',
    from: 'shared/services/use-case.ts',
    to: 'shared/adapters/store.ts',
  },
  'service-imports-config': {
    rule: 'services-never-import-adapters',
    from: 'shared/services/use-case.ts',
    to: 'shared/config/index.ts',
  },
  'adapter-imports-service': {
    rule: 'adapters-never-import-services',
    from: 'shared/adapters/store.ts',
    to: 'shared/services/use-case.ts',
  },
  'function-imports-adapter': {
    rule: 'functions-go-through-wiring',
    from: 'functions/lookup/index.ts',
    to: 'shared/adapters/store.ts',
  },
  'contract-imports-service': {
    rule: 'contracts-and-ports-never-import-implementations',
    from: 'shared/contracts/book.ts',
    to: 'shared/services/use-case.ts',
  },
};

describe('layer rules (.dependency-cruiser.cjs)', () => {
  let cruised: Record<string, Cruised>;
  const violations = (name: string) => cruised[name]?.violations;

  beforeAll(() => {
    const names = ['clean', 'cycle', ...Object.keys(CASES)];
    const stdout = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        CRUISE_ALL,
        join(repoRoot, '.dependency-cruiser.cjs'),
        fixtures,
        ...names,
      ],
      { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 },
    );
    cruised = JSON.parse(stdout) as Record<string, Cruised>;
  }, 90_000);

  it('passes a tree where every layer imports only what it may (node built-ins and zod in the domain too)', () => {
    // Every file was reached, so an empty list means the rules looked and found nothing.
    expect(cruised.clean?.modules).toEqual(
      expect.arrayContaining([
        'functions/lookup/index.ts',
        'shared/wiring/build.ts',
        'shared/services/use-case.ts',
        'shared/adapters/memory-store.ts',
        'shared/domain/hash.ts',
      ]),
    );
    expect(violations('clean')).toEqual([]);
  });

  it.each(Object.entries(CASES))('%s: breaks exactly its rule on exactly that import', (name, expected) => {
    expect(violations(name)).toEqual([expected]);
  });

  it('cycle: no-circular rejects two domain files that import each other', () => {
    const found = violations('cycle') ?? [];
    expect(found.length).toBeGreaterThan(0);
    for (const v of found) {
      expect(v.rule).toBe('no-circular');
      expect([v.from, v.to].sort()).toEqual(['shared/domain/a.ts', 'shared/domain/b.ts']);
    }
  });

  it('declares every rule with a comment saying it in words', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const config = require(join(repoRoot, '.dependency-cruiser.cjs')) as {
      forbidden: { name: string; comment?: string }[];
    };
    const tested = new Set([...Object.values(CASES).map((c) => c.rule), 'no-circular']);
    expect(config.forbidden.map((r) => r.name).sort()).toEqual([...tested].sort());
    for (const rule of config.forbidden) expect(rule.comment?.length ?? 0).toBeGreaterThan(20);
  });
});
