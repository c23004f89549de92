/**
 * Holds the fake MLflow server (test/helpers/mlflow-server.ts) to the recorded
 * MLflow formats in test/fixtures/mlflow, so the contract suite that runs on
 * it proves something about a real server.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ModelVersionResponse,
  RegisteredModelResponse,
  SearchModelVersionsResponse,
} from '../../../../shared/adapters/mlflow/mlflow-schemas';
import { type MlflowServer, startMlflowServer } from '../../../helpers/mlflow-server';

const FIXTURES = join(__dirname, '../../../fixtures/mlflow');
const NAME = 'arima_book_9780722532935';

/** The parts of a fixture file these tests read. */
interface Fixture {
  request: { body: Record<string, unknown> };
  response: { body: Record<string, unknown> };
  health: { response: { body_text: string } };
  example_missing_required_param: { status: number; body: { message: string } };
}

function fixture(file: string): Fixture {
  return JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Fixture;
}

/** Every key path of a JSON value (array items merged), e.g. `model_versions[].tags[].key`. */
function shape(value: unknown, path = ''): Set<string> {
  const out = new Set<string>();
  if (Array.isArray(value)) for (const item of value) for (const p of shape(item, `${path}[]`)) out.add(p);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      const here = path ? `${path}.${key}` : key;
      out.add(here);
      for (const p of shape(inner, here)) out.add(p);
    }
  }
  return out;
}

describe('fake MLflow server answers as MLflow does', () => {
  let server: MlflowServer;

  async function call(method: string, endpoint: string, body?: unknown, query = '') {
    const response = await fetch(`${server.url}/api/2.0/mlflow/${endpoint}${query}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      body: await response.text(),
    };
  }

  beforeEach(async () => {
    server = await startMlflowServer({ now: () => 1714557600000 });
    await call('POST', 'registered-models/create', { name: NAME, description: 'ARIMA' });
    for (let i = 0; i < 3; i++) {
      await call('POST', 'model-versions/create', {
        name: NAME,
        source: 's',
        tags: [{ key: 'validated', value: 'true' }],
      });
    }
    await call('POST', 'registered-models/alias', { name: NAME, alias: 'champion', version: '3' });
  });
  afterEach(() => server.close());

  it("answers registered-models/get, model-versions/search and the alias calls in the fixtures' shapes", async () => {
    const get = JSON.parse((await call('GET', 'registered-models/get', undefined, `?name=${NAME}`)).body);
    const recorded = fixture('registered-models-get.json').response.body;
    // Every field the fake sends is one MLflow sends (it leaves out user-less and run-less fields, as MLflow does when unset).
    for (const path of shape(get)) expect(shape(recorded)).toContain(path);
    expect(get.registered_model.aliases).toEqual([{ alias: 'champion', version: '3' }]);
    expect(get.registered_model.latest_versions[0].version).toBe('3');
    expect(RegisteredModelResponse.safeParse(recorded).success).toBe(true);

    const search = JSON.parse(
      (await call('GET', 'model-versions/search', undefined, `?filter=name%3D%27${NAME}%27&max_results=2`))
        .body,
    );
    const searched = fixture('model-versions-search.json').response.body;
    for (const path of shape(search)) expect(shape(searched)).toContain(path);
    expect(search.model_versions.map((v: { version: string }) => v.version)).toEqual(['3', '2']);
    expect(JSON.parse(Buffer.from(search.next_page_token, 'base64').toString())).toEqual({ offset: 2 });
    expect(SearchModelVersionsResponse.safeParse(searched).success).toBe(true);

    const byAlias = JSON.parse(
      (await call('GET', 'registered-models/alias', undefined, `?name=${NAME}&alias=champion`)).body,
    );
    expect(Object.keys(byAlias)).toEqual(
      Object.keys(fixture('registered-models-alias-get.json').response.body),
    );
    expect(byAlias.model_version.aliases).toEqual(['champion']);
    expect(
      ModelVersionResponse.safeParse(fixture('registered-models-alias-get.json').response.body).success,
    ).toBe(true);

    const set = fixture('registered-models-alias-set.json').request.body;
    expect(
      JSON.parse((await call('POST', 'registered-models/alias', { ...set, name: NAME, version: '2' })).body),
    ).toEqual(fixture('registered-models-alias-set.json').response.body);
    const del = fixture('registered-models-alias-delete.json').request.body;
    expect(
      JSON.parse((await call('DELETE', 'registered-models/alias', { ...del, name: NAME })).body),
    ).toEqual(fixture('registered-models-alias-delete.json').response.body);
  });

  it("answers errors as {error_code, message} with MLflow's status, and HTML from Flask for unknown routes", async () => {
    const example = fixture('error-response.json');
    const missing = await call('DELETE', 'registered-models/alias');
    expect(missing.status).toBe(example.example_missing_required_param.status);
    expect(JSON.parse(missing.body)).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: example.example_missing_required_param.body.message,
    });

    const notFound = await call('GET', 'registered-models/get', undefined, '?name=nope');
    expect(notFound.status).toBe(404);
    expect(JSON.parse(notFound.body).error_code).toBe('RESOURCE_DOES_NOT_EXIST');

    const noType = await fetch(`${server.url}/api/2.0/mlflow/registered-models/alias`, {
      method: 'POST',
      body: JSON.stringify({ name: NAME, alias: 'a', version: '1' }),
      headers: { 'content-type': 'text/plain' },
    });
    expect(noType.status).toBe(400);

    const unknown = await call('GET', 'registered-models/nope');
    expect([unknown.status, unknown.type]).toEqual([404, 'text/html; charset=utf-8']);
    const wrongMethod = await call('GET', 'model-versions/create');
    expect(wrongMethod.status).toBe(405);
  });

  it('serves /health as plain OK outside /api/2.0, and int64 as strings when told to', async () => {
    const health = await fetch(`${server.url}/health`);
    expect([health.status, await health.text()]).toEqual([
      200,
      fixture('health.json').health.response.body_text,
    ]);

    const old = await startMlflowServer({ int64As: 'string', now: () => 1714557600000 });
    try {
      await fetch(`${old.url}/api/2.0/mlflow/registered-models/create`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: NAME }),
      });
      const body = (await (
        await fetch(`${old.url}/api/2.0/mlflow/registered-models/get?name=${NAME}`)
      ).json()) as {
        registered_model: { creation_timestamp: unknown };
      };
      expect(body.registered_model.creation_timestamp).toBe('1714557600000');
    } finally {
      await old.close();
    }
  });
});
