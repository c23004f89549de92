import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  assertEndpointPrefix,
  endpointNameFor,
  isbnOfModelName,
  isVersionId,
  modelIdOf,
  modelNameFor,
  pipelineJobNameFor,
  requireSettableAlias,
  versionRef,
  versionSuffixOf,
  withoutVersion,
} from '../../../../shared/adapters/gcp/vertex-names';
import { ValidationError } from '../../../../shared/errors';
import { isbnFor } from '../../../builders/model';

const FIXTURES = join(__dirname, '../../../fixtures/vertex');
const where = { projectId: 'demo-fg', location: 'europe-west2' };
const isbn = isbnFor(42);

describe('Vertex resource names', () => {
  it('names one Model and one Endpoint per book', () => {
    expect(modelNameFor(where, isbn)).toBe(
      `projects/demo-fg/locations/europe-west2/models/arima_book_${isbn}`,
    );
    expect(endpointNameFor(where, 'forecast-', isbn)).toBe(
      `projects/demo-fg/locations/europe-west2/endpoints/forecast-${isbn}`,
    );
    expect(versionRef(`${modelNameFor(where, isbn)}@3`, 'production')).toBe(
      `${modelNameFor(where, isbn)}@production`,
    );
  });

  it('reads the ISBN back from names Vertex returns: a project number, an @version suffix', () => {
    const byNumber = `projects/123456789012/locations/europe-west2/models/arima_book_${isbn}`;
    expect(isbnOfModelName(byNumber)).toBe(isbn);
    expect(isbnOfModelName(`${byNumber}@12`)).toBe(isbn);
    expect(versionSuffixOf(`${byNumber}@12`)).toBe('12');
    expect(withoutVersion(`${byNumber}@12`)).toBe(byNumber);
    expect(isbnOfModelName(`${byNumber.slice(0, -1)}0`)).toBeUndefined();
  });

  it('treats the listVersions fixture names as a prefix, with or without @version', () => {
    const listed = JSON.parse(readFileSync(join(FIXTURES, 'models.listVersions.json'), 'utf8')) as {
      response: { body: { models: Array<{ name: string }> } };
    };
    const names = listed.response.body.models.map((m) => m.name);
    expect(names.map(modelIdOf)).toEqual(['4567890123456789012', '4567890123456789012']);
    expect(modelIdOf(`${names[0]}@3`)).toBe('4567890123456789012');
    // A Model forecast-guard did not name has no ISBN.
    expect(names.map(isbnOfModelName)).toEqual([undefined, undefined]);
  });

  it('takes an endpoint prefix only when <prefix><isbn> is a Vertex endpoint id', () => {
    expect(() => assertEndpointPrefix('forecast-')).not.toThrow();
    expect(() => assertEndpointPrefix('a'.repeat(50))).not.toThrow();
    for (const bad of ['9-', 'Forecast-', 'fc_', '', 'a'.repeat(51)]) {
      expect(() => assertEndpointPrefix(bad)).toThrow(ValidationError);
    }
  });

  it("applies Vertex's alias rule and keeps `default` for Vertex", () => {
    for (const ok of ['production', 'last-known-good', 'canaryV2', 'v2'])
      expect(() => requireSettableAlias(ok)).not.toThrow();
    for (const bad of ['p', 'Production', 'prod-', '2nd', 'pro_d', 'default', 'a'.repeat(129)]) {
      const err = (() => {
        try {
          requireSettableAlias(bad);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).fields).toEqual(['alias']);
    }
  });

  it('knows a version id from an alias, and a job id from a path', () => {
    expect(['1', '22', '123456789012345678'].every(isVersionId)).toBe(true);
    expect(['', 'production', '1.0', '-1', '@1'].some(isVersionId)).toBe(false);
    expect(pipelineJobNameFor(where, 'arima-weekly-20240501')).toBe(
      'projects/demo-fg/locations/europe-west2/pipelineJobs/arima-weekly-20240501',
    );
    expect(pipelineJobNameFor(where, '../models/x')).toBeUndefined();
  });
});
