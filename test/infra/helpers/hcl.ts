/**
 * infra/ as data: every .tf file parsed with HashiCorp's own HCL parser
 * (@cdktf/hcl2json), the environments' tfvars, and topology.json. The
 * checks read this model, so a test can hand them a mutated copy too.
 * Expressions come back as their source text wrapped in `${…}`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const INFRA_DIR = join(__dirname, '..', '..', '..', 'infra');

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Block = Record<string, Json>;

/** One file as hcl2json gives it: blocks are arrays (a block may repeat). */
export interface HclFile {
  resource?: Record<string, Record<string, Block[]>>;
  data?: Record<string, Record<string, Block[]>>;
  locals?: Block[];
  variable?: Record<string, Block[]>;
  output?: Record<string, Block[]>;
  [key: string]: unknown;
}

export interface InfraModel {
  /** Parsed .tf files by file name. */
  files: Record<string, HclFile>;
  /** Parsed environments/<env>.tfvars by environment. */
  tfvars: Record<string, Block>;
  /** infra/topology.json. */
  topology: Record<string, Json>;
}

// The parser is Go compiled to WebAssembly: its runtime keeps running once started, which would hold
// a jest worker open, so it runs in a short-lived child process, once per batch of files. Results are
// cached by text, since mutation tests re-parse mostly unchanged files.
const parsed = new Map<string, HclFile>();
const CHILD = `
const { parse } = require('@cdktf/hcl2json');
let input = '';
process.stdin.on('data', (d) => (input += d)).on('end', async () => {
  const out = [];
  for (const { name, text } of JSON.parse(input)) {
    try { out.push({ doc: await parse(name, text) }); } catch (e) { out.push({ error: name + ': ' + (e.message || e) }); }
  }
  // A file, not stdout: a large write to a pipe is cut off by process.exit, and the Go
  // runtime may print to stdout too (both seen as unparseable JSON on a loaded machine).
  require('node:fs').writeFileSync(process.argv[1], JSON.stringify(out));
  process.exit(0);
});`;

function parseMany(items: Array<{ name: string; text: string }>): HclFile[] {
  const todo = items.filter((i) => !parsed.has(`${i.name}\0${i.text}`));
  if (todo.length > 0) {
    const outFile = join(mkdtempSync(join(tmpdir(), 'fg-hcl-')), 'parsed.json');
    const runChild = () =>
      spawnSync(process.execPath, ['-e', CHILD, outFile], {
        cwd: join(__dirname, '..', '..', '..'),
        input: JSON.stringify(todo),
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
    // One retry: on a crowded machine the child is occasionally killed before it answers.
    let child = runChild();
    if (child.status !== 0) child = runChild();
    if (child.status !== 0) {
      throw new Error(
        `HCL parser failed (exit ${child.status}, signal ${child.signal}): ${child.stderr || child.error}`,
      );
    }
    const results = JSON.parse(readFileSync(outFile, 'utf8')) as Array<{ doc?: HclFile; error?: string }>;
    rmSync(dirname(outFile), { recursive: true, force: true });
    results.forEach((r, i) => {
      if (r.error) throw new Error(r.error);
      parsed.set(`${todo[i]!.name}\0${todo[i]!.text}`, r.doc!);
    });
  }
  // Fresh copies: callers may mutate what they get.
  return items.map((i) => structuredClone(parsed.get(`${i.name}\0${i.text}`)!));
}

/** Parses one HCL text. */
export async function parseHcl(name: string, text: string): Promise<HclFile> {
  return parseMany([{ name, text }])[0]!;
}

/** The raw text of infra/: .tf files by name, tfvars by environment, topology.json. */
export interface InfraTexts {
  tf: Record<string, string>;
  tfvars: Record<string, string>;
  topology: string;
}

export function readInfraTexts(dir = INFRA_DIR): InfraTexts {
  const tf: Record<string, string> = {};
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith('.tf'))
    .sort()) {
    tf[name] = readFileSync(join(dir, name), 'utf8');
  }
  const tfvars: Record<string, string> = {};
  const envDir = join(dir, 'environments');
  for (const name of readdirSync(envDir).filter((f) => f.endsWith('.tfvars'))) {
    tfvars[name.replace(/\.tfvars$/, '')] = readFileSync(join(envDir, name), 'utf8');
  }
  return { tf, tfvars, topology: readFileSync(join(dir, 'topology.json'), 'utf8') };
}

/** Parses several variants of infra/ (the real one, mutated copies) with one parser run. */
export async function parseInfraVariants<K extends string>(
  variants: Record<K, InfraTexts>,
): Promise<Record<K, InfraModel>> {
  const keys = Object.keys(variants) as K[];
  const items = (t: InfraTexts) => [
    ...Object.keys(t.tf).map((name) => ({ name, text: t.tf[name]! })),
    ...Object.keys(t.tfvars).map((env) => ({ name: `${env}.tfvars`, text: t.tfvars[env]! })),
  ];
  parseMany(keys.flatMap((k) => items(variants[k])));
  const out = {} as Record<K, InfraModel>;
  for (const k of keys) {
    const t = variants[k];
    const docs = parseMany(items(t));
    const tfNames = Object.keys(t.tf);
    out[k] = {
      files: Object.fromEntries(tfNames.map((name, i) => [name, docs[i]!])),
      tfvars: Object.fromEntries(
        Object.keys(t.tfvars).map((env, i) => [env, docs[tfNames.length + i] as Block]),
      ),
      topology: JSON.parse(t.topology) as Record<string, Json>,
    };
  }
  return out;
}

/** Parses texts (real or mutated) into the model the checks read. */
export async function parseInfra(texts: InfraTexts): Promise<InfraModel> {
  return (await parseInfraVariants({ only: texts })).only;
}

/** Reads and parses infra/. */
export async function loadInfra(dir = INFRA_DIR): Promise<InfraModel> {
  return parseInfra(readInfraTexts(dir));
}

/** A deep copy to mutate in a test. */
export function cloneModel(model: InfraModel): InfraModel {
  return structuredClone(model);
}

/** Every resource body by address (`type.name`), from whichever file declares it. */
export function resources(model: InfraModel): Map<string, Block> {
  const out = new Map<string, Block>();
  for (const file of Object.values(model.files)) {
    for (const [type, byName] of Object.entries(file.resource ?? {})) {
      for (const [name, blocks] of Object.entries(byName)) out.set(`${type}.${name}`, blocks[0]!);
    }
  }
  return out;
}

/** All `locals` blocks merged. */
export function locals(model: InfraModel): Block {
  return Object.assign({}, ...Object.values(model.files).flatMap((f) => f.locals ?? []));
}

export function variables(model: InfraModel): Record<string, Block> {
  const out: Record<string, Block> = {};
  for (const file of Object.values(model.files)) {
    for (const [name, blocks] of Object.entries(file.variable ?? {})) out[name] = blocks[0]!;
  }
  return out;
}

/** `a.0.b` into nested blocks and objects. */
export function at(value: Json | undefined, path: string): Json | undefined {
  let cur: Json | undefined = value;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? cur[Number(key)] : cur[key];
  }
  return cur;
}

/** An expression or literal without whitespace, for comparing source text. */
export function norm(value: Json | undefined): string {
  if (value === undefined) return '<absent>';
  return typeof value === 'string' ? value.replace(/\s+/g, '') : JSON.stringify(value);
}

/** Every string in a JSON tree, with the path that leads to it. */
export function* strings(value: unknown, path = ''): Generator<[string, string]> {
  if (typeof value === 'string') yield [path, value];
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* strings(v, `${path}[${i}]`);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      yield [`${path}.${k}#key`, k];
      yield* strings(v, path ? `${path}.${k}` : k);
    }
  }
}

/**
 * The instances a resource's `for_each` makes, as [key, value] pairs:
 * `local.topology.<part>` resolves against topology.json, a literal list or
 * object stands for itself. Undefined when the resource is missing or its
 * `for_each` is something these checks cannot follow.
 */
export function instancesOf(model: InfraModel, body: Block | undefined): Array<[string, Json]> | undefined {
  if (!body) return undefined;
  const forEach = body.for_each;
  if (forEach === undefined) return [['', null]];
  const ref = typeof forEach === 'string' ? /^\$\{local\.topology\.([A-Za-z]+)\}$/.exec(norm(forEach)) : null;
  const collection: Json | undefined = ref
    ? model.topology[ref[1]!]
    : typeof forEach === 'string'
      ? undefined
      : forEach;
  if (Array.isArray(collection)) return collection.map((v) => [String(v), v]);
  if (collection !== null && typeof collection === 'object') return Object.entries(collection);
  return undefined;
}

/** Evaluates `${each.key}`, `${each.value.x}` or a literal for one instance; undefined otherwise. */
export function evalEach(expr: Json | undefined, key: string, value: Json): Json | undefined {
  if (typeof expr !== 'string') return expr;
  const n = norm(expr);
  if (n === '${each.key}') return key;
  const m = /^\$\{each\.value\.([A-Za-z]+)\}$/.exec(n);
  if (m)
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value[m[1]!] : undefined;
  return n.includes('${') ? undefined : expr;
}
