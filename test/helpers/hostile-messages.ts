/**
 * Hostile Pub/Sub deliveries for the fuzz suite, generated with fast-check
 * from each topic's contract: the zod schema is turned into JSON Schema
 * (`z.toJSONSchema`) and walked for its fields, and each message breaks a
 * valid sample there (wrong type, value outside the enum or pattern, huge
 * string or array, deep nesting, odd unicode, `__proto__` / `constructor` /
 * `prototype` keys, a required field removed), or breaks the bytes (not
 * base64, not UTF-8, not JSON, empty, up to Pub/Sub's 10 MB), or the
 * envelope around them (message id, attributes, data, publish time, delivery
 * attempt, the CloudEvent's own fields). Every payload is checked to be
 * invalid against the schema before it is used: a generated message that
 * happens to be valid is dropped, never sent.
 *
 * Large values are JSON text spliced in after `JSON.stringify` (deep nesting
 * would overflow a recursive stringify), so a case carries its data as text.
 */
import fc from 'fast-check';
import { z } from 'zod';

/** The parts of JSON Schema that `z.toJSONSchema` emits for our contracts. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  pattern?: string;
  format?: string;
  maxLength?: number;
  maxItems?: number;
  additionalProperties?: boolean | JsonSchema;
}

type Path = Array<string | number>;

export interface Field {
  path: Path;
  schema: JsonSchema;
  required: boolean;
}

/** Every field the schema describes (object properties, first array item, union branches), depth first. */
export function fieldsOf(schema: z.ZodType): Field[] {
  const root = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as JsonSchema;
  const out: Field[] = [];
  const seen = new Set<string>();
  const walk = (s: JsonSchema, path: Path, required: boolean): void => {
    if (path.length > 0) {
      const key = `${JSON.stringify(path)}:${JSON.stringify(s).slice(0, 200)}`;
      if (seen.has(key)) return;
      seen.add(key);
      out.push({ path, schema: s, required });
    }
    for (const branch of [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])])
      walk(branch, path, required);
    for (const [name, sub] of Object.entries(s.properties ?? {})) {
      walk(sub, [...path, name], (s.required ?? []).includes(name));
    }
    if (s.items) walk(s.items, [...path, 0], true);
  };
  walk(root, [], true);
  return out;
}

/** A spliced-in JSON text, for values too big or too deep to build as objects. */
const RAW = '\u0000raw:';
const raw = (json: string): string => `${RAW}${json}`;
const rawRegistry = new Map<string, string>();
let rawCounter = 0;
/** A placeholder that `toJsonText` replaces with `json`, verbatim. */
export function rawToken(json: string): string {
  const token = raw(String(++rawCounter));
  rawRegistry.set(token, json);
  return token;
}

/** JSON text of `value`, with raw tokens replaced by their text. */
export function toJsonText(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  if (!text.includes('\\u0000raw:')) return text;
  return text.replace(/"\\u0000raw:(\d+)"/g, (_m, n: string) => rawRegistry.get(raw(n)) ?? 'null');
}

const ODD_PIECES = [
  '\uD800', // lone high surrogate
  '\uDFFF', // lone low surrogate
  '\u202E', // right-to-left override
  '\u202D',
  '\u2066',
  '\u200B', // zero width space
  '\u200D',
  '\uFEFF',
  '\u0000', // NUL
  '\u0007',
  '\u001B[31m',
  '\u0301\u0301\u0301', // combining marks
  '😀',
  '𝕏',
  'é',
  '\r\n',
  '%00',
  '../',
  '${x}',
  '<script>',
  '9780722532935',
  '"',
  '\\',
];

/** Strings built from odd unicode: lone surrogates, bidi overrides, zero-width, NUL, control. */
export const oddString = fc
  .array(fc.oneof(fc.constantFrom(...ODD_PIECES), fc.string({ unit: 'binary', maxLength: 8 })), {
    minLength: 1,
    maxLength: 12,
  })
  .map((parts) => parts.join(''));

/** `[[[…1…]]]`, `depth` deep: past what a recursive JSON.stringify survives. */
export const deepArrayText = (depth: number): string => '['.repeat(depth) + '1' + ']'.repeat(depth);

const deepJson = fc
  .tuple(fc.integer({ min: 200, max: 20_000 }), fc.constantFrom('[', '{"a":'))
  .map(([depth, open]) => rawToken(open.repeat(depth) + '1' + (open === '[' ? ']' : '}').repeat(depth)));

const hugeArray = fc
  .tuple(fc.integer({ min: 2_000, max: 50_000 }), fc.constantFrom('"9780722532935"', '1', '{}', 'null'))
  .map(([n, item]) => rawToken(`[${Array.from({ length: n }, () => item).join(',')}]`));

const hugeString = fc.integer({ min: 5_000, max: 300_000 }).map((n) => 'x'.repeat(n));

/** Objects whose keys try prototype pollution. */
const protoObject = fc.constantFrom(
  rawToken('{"__proto__":{"polluted":"yes"}}'),
  rawToken('{"constructor":{"prototype":{"polluted":"yes"}}}'),
  rawToken('{"prototype":{"polluted":"yes"},"__proto__":[]}'),
  rawToken('{"__proto__":{"__proto__":{"polluted":"yes"}}}'),
);

const anyJson = fc.jsonValue({ maxDepth: 3 });

const typeNames = (s: JsonSchema): string[] =>
  s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];

/** A value of a JSON type other than `schema`'s, or one its enum/pattern/length refuses. */
export function hostileValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  const types = typeNames(schema);
  const wrongTypes: Array<fc.Arbitrary<unknown>> = [];
  if (!types.includes('string')) wrongTypes.push(oddString, fc.constant(''));
  if (!types.includes('number') && !types.includes('integer'))
    wrongTypes.push(fc.constantFrom(0, -1, 1.5, 1e308, -1e308, 2 ** 64, 9780722532935));
  if (!types.includes('boolean')) wrongTypes.push(fc.boolean());
  wrongTypes.push(fc.constant(null));
  if (!types.includes('array')) wrongTypes.push(fc.array(anyJson, { maxLength: 4 }));
  if (!types.includes('object')) wrongTypes.push(fc.dictionary(fc.string(), anyJson, { maxKeys: 3 }));
  const out: Array<fc.Arbitrary<unknown>> = [...wrongTypes, deepJson, protoObject];
  if (types.includes('string')) {
    if (schema.enum || schema.const !== undefined || schema.pattern || schema.format) out.push(oddString);
    out.push(hugeString);
  }
  if (types.includes('array'))
    out.push(hugeArray, fc.constant([]), fc.array(fc.constant(null), { minLength: 1 }));
  if (types.includes('integer') || types.includes('number')) out.push(fc.constantFrom(-1, 0.5, 1e21, -0));
  return fc.oneof(...out);
}

/** A copy of `target` with `value` at `path`. */
export function setAt(target: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const container: Record<string | number, unknown> =
    typeof target === 'object' && target !== null ? (target as Record<string | number, unknown>) : {};
  const copy = (Array.isArray(container) ? [...container] : { ...container }) as Record<
    string | number,
    unknown
  >;
  if (rest.length === 0 && value === DELETE) delete copy[head as string];
  else copy[head as string] = setAt(container[head as string], rest, value);
  return copy;
}
const DELETE = Symbol('delete');

export type PayloadMutation = { kind: string; payload: unknown };

/** Payloads broken at one or two fields of `schema`, starting from `valid`. */
export function brokenPayloads(schema: z.ZodType, valid: unknown): fc.Arbitrary<PayloadMutation> {
  const fields = fieldsOf(schema);
  const field = fc.constantFrom(...fields);
  const setField = field.chain((f) =>
    hostileValue(f.schema).map((v) => ({
      kind: `field ${f.path.join('.')}`,
      payload: setAt(valid, f.path, v),
    })),
  );
  const required = fields.filter((f) => f.required && typeof f.path[f.path.length - 1] === 'string');
  const dropField = fc
    .constantFrom(...required)
    .map((f) => ({ kind: `missing ${f.path.join('.')}`, payload: setAt(valid, f.path, DELETE) }));
  const root = fc
    .oneof(
      fc.constantFrom(null, 0, true, 'a string', [], [valid]),
      deepJson,
      hugeArray,
      protoObject,
      oddString,
    )
    .map((payload) => ({ kind: 'root replaced', payload }));
  // Pollution keys beside a broken field: the payload stays invalid whether or not extra keys are allowed.
  const withProtoKeys = fc.tuple(setField, protoObject).map(([m, p]) => ({
    kind: `${m.kind} + __proto__ keys`,
    payload: rawToken(toJsonText(m.payload).replace(/^\{/, `{${(rawRegistry.get(p) ?? '{}').slice(1, -1)},`)),
  }));
  const twoFields = fc.tuple(setField, field).chain(([m, f]) =>
    hostileValue(f.schema).map((v) => ({
      kind: `${m.kind} + ${f.path.join('.')}`,
      payload: setAt(m.payload, f.path, v),
    })),
  );
  return fc.oneof(
    { weight: 6, arbitrary: setField },
    { weight: 2, arbitrary: dropField },
    { weight: 2, arbitrary: twoFields },
    { weight: 1, arbitrary: root },
    { weight: 1, arbitrary: withProtoKeys },
  );
}

/** Is this data what the consumer must refuse? UTF-8, JSON, then the schema: an independent oracle. */
export function isInvalidData(schema: z.ZodType, data: Buffer): boolean {
  if (data.length === 0) return true;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch {
    return true;
  }
  return !schema.safeParse(value).success;
}

/** Data bytes that are not a JSON payload at all (or not even UTF-8). */
export const brokenBytes: fc.Arbitrary<{ kind: string; bytes: Buffer }> = fc.oneof(
  fc
    .uint8Array({ minLength: 1, maxLength: 64 })
    .map((b) => ({ kind: 'random bytes', bytes: Buffer.from(b) })),
  fc.constantFrom(
    { kind: 'invalid UTF-8', bytes: Buffer.from([0xff, 0xfe, 0x7b, 0x7d]) },
    { kind: 'overlong UTF-8', bytes: Buffer.from([0xc0, 0xaf]) },
    { kind: 'truncated JSON', bytes: Buffer.from('{"trigger":') },
    { kind: 'JSON with comments', bytes: Buffer.from('{/* x */}') },
    { kind: 'NaN', bytes: Buffer.from('NaN') },
    { kind: 'single quotes', bytes: Buffer.from("{'a':1}") },
    { kind: 'NUL', bytes: Buffer.from([0]) },
    { kind: 'JSON then garbage', bytes: Buffer.from('{} {}') },
  ),
  oddString.map((s) => ({ kind: 'odd unicode text', bytes: Buffer.from(s, 'utf8') })),
);

/** `message.data` strings that are not valid base64. */
export const notBase64: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '!!!!',
    'ab$d',
    'абвг',
    '\uD800AAA',
    'AA AA',
    'A',
    'AAAAA',
    '=AAA',
    'AA=A',
    'AAAA====',
    'e30=\u0000',
  ),
  oddString.map((s) => `e30${s}`),
);
