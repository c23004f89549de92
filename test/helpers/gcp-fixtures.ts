/** Reads the copied Google payload formats in test/fixtures/gcp-formats, without their `_meta` notes. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', 'fixtures', 'gcp-formats');

/** The JSON of `relativePath` with any `_meta` key removed (top level and one level down). */
export function loadFixture<T = Record<string, unknown>>(relativePath: string): T {
  const json = JSON.parse(readFileSync(join(ROOT, relativePath), 'utf8')) as Record<string, unknown>;
  return stripMeta(json) as T;
}

function stripMeta(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === '_meta') continue;
    out[key] =
      v !== null && typeof v === 'object' && !Array.isArray(v) && '_meta' in v
        ? stripMeta(v as Record<string, unknown>)
        : v;
  }
  return out;
}
