/**
 * The health check's memory stays flat only with V8's old space capped
 * (docs/performance.md): shared/topology.ts sets `heapMb`, infra/topology.json
 * carries it as `nodeOptions`, and every Cloud Functions resource puts a
 * non-empty one into NODE_OPTIONS. The local stack's child gets the same
 * flag (FunctionProcess `nodeFlags`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FUNCTIONS, functionSpec, nodeFlagsOf } from '../../shared/topology';
import { at, loadInfra, norm, resources, type InfraModel } from './helpers/hcl';

const TOPOLOGY = JSON.parse(readFileSync(join(__dirname, '..', '..', 'infra', 'topology.json'), 'utf8')) as {
  functions: Record<string, { nodeOptions: string }>;
};

let model: InfraModel;
beforeAll(async () => {
  model = await loadInfra();
});

describe('the V8 heap cap of a function', () => {
  it('is set for the health check and nowhere the topology does not ask for it', () => {
    expect(nodeFlagsOf(functionSpec('health-check'))).toEqual(['--max-old-space-size=256']);
    for (const f of FUNCTIONS) {
      expect(TOPOLOGY.functions[f.name]?.nodeOptions).toBe(nodeFlagsOf(f).join(' '));
    }
  });

  it.each(['function', 'http', 'scheduled_http'])(
    'reaches NODE_OPTIONS of google_cloudfunctions2_function.%s, only when not empty',
    (name) => {
      const fn = resources(model).get(`google_cloudfunctions2_function.${name}`);
      const env = norm(at(fn, 'service_config.0.environment_variables'));
      // norm() drops whitespace: `{ for k, v in { NODE_OPTIONS = ….nodeOptions } : k => v if v != "" }`.
      expect(env).toMatch(
        /\{NODE_OPTIONS=(each\.value|local\.topology\.functions\[each\.value\.function\])\.nodeOptions\}:k=>vifv!=""\}/,
      );
    },
  );
});
