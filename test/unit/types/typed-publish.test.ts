/**
 * The typed publisher, proven with the compiler itself: small snippets are
 * compiled against the real modules (one Program for all of them) and the
 * diagnostics asserted. test/types/typed-publish.ts holds the same cases for
 * `npm run typecheck`; here the messages are checked too, so a refusal for
 * the wrong reason (a typo in the snippet) does not pass.
 */
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(__dirname, '..', '..', '..');
const SNIPPET_DIR = join(ROOT, 'test', 'unit', 'types', '__snippets__');

const PRELUDE = `
import type { TopicPayload } from '../../../../shared/contracts/topic-messages';
import type { EventBus, Publisher, PublisherFor } from '../../../../shared/ports/event-bus';
declare const bus: EventBus;
declare const alert: TopicPayload<'alerts'>;
declare const lifecycle: TopicPayload<'model-lifecycle'>;
export {};
`;

const SNIPPETS = {
  good: `
    const hc: PublisherFor<'health-check'> = bus;
    const rb: PublisherFor<'rollback'> = bus;
    void hc.publish('alerts', { data: alert, attributes: { correlationId: 'corr-1' } });
    void rb.publish('model-lifecycle', { data: lifecycle });
    const narrow: Publisher<'alerts'> = bus;
    void narrow.publish('alerts', { data: { ...alert, severity: 'critical' } });
  `,
  unlistedTopic: `
    const pe: PublisherFor<'pipeline-events'> = bus;
    void pe.publish('model-deployments', { data: {} });
  `,
  nothingListed: `
    const ds: PublisherFor<'daily-summary'> = bus;
    void ds.publish('alerts', { data: alert });
  `,
  wrongField: `
    const hc: PublisherFor<'health-check'> = bus;
    void hc.publish('alerts', { data: { ...alert, severity: 'apocalyptic' } });
  `,
  otherTopicsPayload: `
    const rb: PublisherFor<'rollback'> = bus;
    void rb.publish('alerts', { data: lifecycle });
  `,
} as const;
type Case = keyof typeof SNIPPETS;

function fileOf(name: Case): string {
  return join(SNIPPET_DIR, `${name}.ts`);
}

/** The repository's compiler options, so the snippets compile as the code does. */
function compilerOptions(): ts.CompilerOptions {
  const configPath = join(ROOT, 'tsconfig.json');
  const read = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(configPath));
  return { ...parsed.options, noEmit: true, types: ['node'] };
}

/** Diagnostics of every snippet, by case, from one Program over in-memory files. */
function compileSnippets(): Record<Case, readonly ts.Diagnostic[]> {
  const options = compilerOptions();
  const sources = new Map<string, string>(
    (Object.keys(SNIPPETS) as Case[]).map((name) => [fileOf(name), PRELUDE + SNIPPETS[name]]),
  );
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => sources.has(f) || fileExists.call(host, f);
  host.readFile = (f) => sources.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, onError, create) => {
    const text = sources.get(f);
    return text === undefined
      ? getSourceFile.call(host, f, lang, onError, create)
      : ts.createSourceFile(f, text, lang, true);
  };
  const program = ts.createProgram([...sources.keys()], options, host);
  const byCase = {} as Record<Case, readonly ts.Diagnostic[]>;
  for (const name of Object.keys(SNIPPETS) as Case[]) {
    const source = program.getSourceFile(fileOf(name));
    if (!source) throw new Error(`snippet ${name} was not compiled`);
    byCase[name] = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
  }
  return byCase;
}

/** Each diagnostic as `TS<code>: <message> [at <the source it points at>]`, with what it relates to. */
function messages(diagnostics: readonly ts.Diagnostic[]): string[] {
  return diagnostics.map((d) => {
    const at = d.file && d.start !== undefined ? d.file.text.slice(d.start, d.start + (d.length ?? 0)) : '';
    const related = (d.relatedInformation ?? []).map((r) =>
      ts.flattenDiagnosticMessageText(r.messageText, ' '),
    );
    return [
      `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')} [at ${at}]`,
      ...related,
    ].join(' | ');
  });
}

describe('typed publishing (compiled with the TypeScript compiler)', () => {
  let result: Record<Case, readonly ts.Diagnostic[]>;
  beforeAll(() => {
    result = compileSnippets();
  }, 60_000);

  it('compiles a function publishing its own topics with their contracts', () => {
    expect(messages(result.good)).toEqual([]);
  });

  it('refuses a topic topology does not list for the function, naming both', () => {
    const [only, ...rest] = messages(result.unlistedTopic);
    expect(rest).toEqual([]);
    expect(only).toMatch(
      /^TS2345: Argument of type '"model-deployments"' is not assignable to parameter of type '"alerts"'/,
    );
  });

  it('refuses every topic to a function topology lists none for', () => {
    const [only, ...rest] = messages(result.nothingListed);
    expect(rest).toEqual([]);
    expect(only).toMatch(
      /^TS2345: Argument of type '"alerts"' is not assignable to parameter of type 'never'/,
    );
  });

  it('refuses a payload whose field breaks the contract, naming the field', () => {
    const found = messages(result.wrongField);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^TS2322: /);
    expect(found[0]).toContain('"apocalyptic"');
    expect(found[0]).toContain('[at severity]');
    expect(found[0]).toContain("The expected type comes from property 'severity'");
  });

  it("refuses another topic's payload, naming what is missing", () => {
    const found = messages(result.otherTopicsPayload);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^TS2740: /);
    expect(found[0]).toMatch(
      /is missing the following properties from type .*: kind, severity, status, summary/,
    );
    expect(found[0]).toContain('[at data]');
  });
});
