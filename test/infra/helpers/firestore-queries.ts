/**
 * The StateStore queries the code makes, found with the TypeScript compiler
 * (`<store>.query(COLLECTIONS.x, { where: [...], orderBy: {...} })`), and
 * whether Firestore needs a composite index for each: equality filters alone
 * are served by merging single-field indexes; equality plus an ordering or
 * an inequality on another field, or two inequalities, need one.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { COLLECTIONS } from '../../../shared/contracts/collections';

export const REPO_ROOT = join(__dirname, '..', '..', '..');
/** Where use cases live; adapters implement `query`, they do not call it. */
export const QUERY_ROOTS = ['shared/services', 'shared/runtime', 'shared/wiring', 'functions', 'cli'];

export interface FoundQuery {
  where: string;
  collection?: string;
  equality: string[];
  inequality: string[];
  orderBy?: { field: string; direction: 'ASCENDING' | 'DESCENDING' };
  /** Why the query could not be read statically (built at run time). */
  dynamic?: string;
}

export interface IndexSpec {
  collection: string;
  fields: Array<{ field: string; order: string }>;
}

const EQUALITY = new Set(['==', 'in']);

function tsFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const text = (node: ts.Node | undefined): string | undefined =>
  node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;

function prop(obj: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const p of obj.properties) {
    if (
      ts.isPropertyAssignment(p) &&
      (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) &&
      p.name.text === name
    ) {
      return p.initializer;
    }
  }
  return undefined;
}

function collectionOf(arg: ts.Expression, aliases: Map<string, ts.Expression>): string | undefined {
  if (
    ts.isPropertyAccessExpression(arg) &&
    ts.isIdentifier(arg.expression) &&
    arg.expression.text === 'COLLECTIONS'
  ) {
    return (COLLECTIONS as Record<string, string>)[arg.name.text];
  }
  // `const OUTBOX = COLLECTIONS.pendingNotifications` in the same file.
  const alias = ts.isIdentifier(arg) ? aliases.get(arg.text) : undefined;
  if (alias && alias !== arg) return collectionOf(alias, new Map());
  return text(arg);
}

/** Top-level `const NAME = <expression>` declarations of a file. */
function constAliases(source: ts.SourceFile): Map<string, ts.Expression> {
  const out = new Map<string, ts.Expression>();
  for (const stmt of source.statements) {
    if (!ts.isVariableStatement(stmt) || !(stmt.declarationList.flags & ts.NodeFlags.Const)) continue;
    for (const d of stmt.declarationList.declarations) {
      if (ts.isIdentifier(d.name) && d.initializer) out.set(d.name.text, d.initializer);
    }
  }
  return out;
}

function readQuery(found: FoundQuery, arg: ts.Expression | undefined): void {
  if (!arg) return;
  if (!ts.isObjectLiteralExpression(arg)) {
    found.dynamic = 'query options built at run time';
    return;
  }
  const where = prop(arg, 'where');
  if (where) {
    if (!ts.isArrayLiteralExpression(where)) found.dynamic = 'where built at run time';
    else {
      for (const el of where.elements) {
        const field = ts.isObjectLiteralExpression(el) ? text(prop(el, 'field')) : undefined;
        const op = ts.isObjectLiteralExpression(el) ? text(prop(el, 'op')) : undefined;
        if (!field || !op) found.dynamic = 'a where clause built at run time';
        else (EQUALITY.has(op) ? found.equality : found.inequality).push(field);
      }
    }
  }
  const orderBy = prop(arg, 'orderBy');
  if (orderBy) {
    const field = ts.isObjectLiteralExpression(orderBy) ? text(prop(orderBy, 'field')) : undefined;
    const dir = ts.isObjectLiteralExpression(orderBy) ? text(prop(orderBy, 'direction')) : undefined;
    if (!field) found.dynamic = 'orderBy built at run time';
    else found.orderBy = { field, direction: dir === 'desc' ? 'DESCENDING' : 'ASCENDING' };
  }
}

function branches(arg: ts.Expression | undefined): Array<ts.Expression | undefined> {
  if (arg && ts.isParenthesizedExpression(arg)) return branches(arg.expression);
  if (arg && ts.isConditionalExpression(arg)) return [...branches(arg.whenTrue), ...branches(arg.whenFalse)];
  if (arg && ts.isIdentifier(arg) && arg.text === 'undefined') return [undefined];
  return [arg];
}

/** Every `.query(COLLECTIONS.x | 'name', …)` call under `roots`. */
export function findQueries(roots: readonly string[] = QUERY_ROOTS): FoundQuery[] {
  const out: FoundQuery[] = [];
  for (const file of roots.flatMap((r) => tsFiles(join(REPO_ROOT, r)))) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const aliases = constAliases(source);
    const visit = (node: ts.Node): void => {
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        node.expression.name.text === 'query' &&
        node.arguments.length >= 1
      ) {
        const collection = collectionOf(node.arguments[0]!, aliases);
        if (collection !== undefined) {
          const { line } = source.getLineAndCharacterOfPosition(node.getStart());
          // `cond ? { where: … } : undefined` is two queries.
          for (const arg of branches(node.arguments[1])) {
            const found: FoundQuery = {
              where: `${relative(REPO_ROOT, file)}:${line + 1}`,
              collection,
              equality: [],
              inequality: [],
            };
            readQuery(found, arg);
            out.push(found);
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return out;
}

/** True when Firestore cannot serve the query from single-field indexes. */
export function needsCompositeIndex(q: FoundQuery): boolean {
  const fields = new Set([...q.equality, ...q.inequality, ...(q.orderBy ? [q.orderBy.field] : [])]);
  if (q.inequality.length === 0 && !q.orderBy) return false;
  return fields.size > 1;
}

/** The declared index that serves `q`: equality fields first (any order), the ordered field last. */
export function indexFor(q: FoundQuery, indexes: IndexSpec[]): IndexSpec | undefined {
  const ordered = q.orderBy?.field ?? q.inequality[0]!;
  const direction = q.orderBy?.direction ?? 'ASCENDING';
  const prefix = new Set([...q.equality, ...q.inequality.filter((f) => f !== ordered)]);
  return indexes.find((idx) => {
    if (idx.collection !== q.collection || idx.fields.length !== prefix.size + 1) return false;
    const last = idx.fields[idx.fields.length - 1]!;
    return (
      last.field === ordered &&
      last.order === direction &&
      idx.fields.slice(0, -1).every((f) => prefix.has(f.field))
    );
  });
}
