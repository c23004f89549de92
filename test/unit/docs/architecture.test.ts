/**
 * docs/ARCHITECTURE.md stays true to the code: every path it names exists,
 * its topic table is the one topology gives, and it quotes the layer rules
 * exactly as .dependency-cruiser.cjs (what `npm run lint` enforces) states them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { topicTable } from '../../../scripts/topic-table';

const ROOT = join(__dirname, '../../..');
const doc = readFileSync(join(ROOT, 'docs/ARCHITECTURE.md'), 'utf8');

/** The text between `<!-- name:start … -->` and `<!-- name:end -->`, without the start line. */
function block(name: string): string {
  const inner = doc.split(`<!-- ${name}:start`)[1]?.split(`<!-- ${name}:end -->`)[0] ?? '';
  return inner.slice(inner.indexOf('\n') + 1).trim();
}

/** Backticked repository paths: `shared/…`, `functions/…`, `cli/…`, and so on (globs and placeholders left out). */
function namedPaths(text: string): string[] {
  const paths = new Set<string>();
  for (const [, path = ''] of text.matchAll(
    /`((?:shared|functions|cli|bin|scripts|infra|test|docs)\/[^`\s]*)`/g,
  )) {
    if (!/[<*]/.test(path)) paths.add(path.replace(/\/$/, ''));
  }
  return [...paths];
}

/** A file or folder, or a module named without its `.ts` (as topology names a use case). */
function exists(path: string): boolean {
  return existsSync(join(ROOT, path)) || existsSync(join(ROOT, `${path}.ts`));
}

describe('docs/ARCHITECTURE.md', () => {
  it('names only paths that exist', () => {
    const paths = namedPaths(doc);
    expect(paths.length).toBeGreaterThan(60);
    expect(paths.filter((p) => !exists(p))).toEqual([]);
  });

  it('finds a path that does not exist (the check above can fail)', () => {
    const missing = namedPaths('see `shared/services/no-such-file.ts`').filter(
      (p) => !existsSync(join(ROOT, p)),
    );
    expect(missing).toEqual(['shared/services/no-such-file.ts']);
  });

  it('shows the topic table topology gives', () => {
    expect(block('topic-table')).toBe(topicTable().trim());
  });

  it('quotes every layer rule npm run lint enforces, word for word', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const config = require(join(ROOT, '.dependency-cruiser.cjs')) as {
      forbidden: Array<{ name: string; comment: string }>;
    };
    const quoted = config.forbidden.map((rule) => `- \`${rule.name}\`: ${rule.comment}`).join('\n');
    expect(block('layer-rules')).toBe(quoted);
  });

  it('describes the three flows, each from an entry file to its deciding rule', () => {
    const flows: Array<[heading: string, entry: string, rule: string]> = [
      [
        '### Hourly check → alert → Slack',
        'functions/health-check/index.ts',
        'shared/domain/alerting/routing.ts',
      ],
      ['### Emergency rollback', 'cli/commands/rollback.ts', 'shared/domain/rollback/targets.ts'],
      [
        '### Deploy → validation → quarantine → rollback',
        'functions/post-deploy-validation/index.ts',
        'shared/domain/validation/outcome.ts',
      ],
    ];
    for (const [flow, entry, rule] of flows) {
      const section = doc.split(flow)[1]?.split('\n### ')[0] ?? '';
      expect(section).toContain(`\`${entry}\``);
      expect(section).toContain(`**\`${rule}\``);
    }
  });
});
