import { resourceLabels, userLabels } from '../../../../shared/adapters/gcp/vertex-labels';
import { ValidationError } from '../../../../shared/errors';
import { isbnFor } from '../../../builders/model';

const isbn = isbnFor(7);

describe('Vertex labels', () => {
  it('adds isbn and app to the caller labels, and takes them off again on read', () => {
    const labels = resourceLabels(isbn, { trainer: 'builder', run_id: '0f1e2d3c' });
    expect(labels).toEqual({ trainer: 'builder', run_id: '0f1e2d3c', isbn, app: 'forecast-guard' });
    expect(userLabels(labels)).toEqual({ trainer: 'builder', run_id: '0f1e2d3c' });
    expect(userLabels(undefined)).toEqual({});
  });

  it('names every label Vertex would refuse, and the reserved keys', () => {
    const err = (() => {
      try {
        resourceLabels(isbn, { Team: 'risk', team: 'Risk', ok: 'fine', isbn: 'x', ['k'.repeat(64)]: 'v' });
      } catch (e) {
        return e;
      }
    })() as ValidationError;
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.fields).toEqual(['labels.Team', 'labels.team', 'labels.isbn', `labels.${'k'.repeat(64)}`]);
    expect(err.message).toContain('labels.team: values must hold only lowercase letters');
    expect(err.message).toContain('labels.isbn: "isbn" is set by forecast-guard itself');
  });

  it('allows empty values and international lowercase letters, as Vertex does', () => {
    expect(resourceLabels(isbn, { note: '', sprache: 'größe' })).toMatchObject({
      note: '',
      sprache: 'größe',
    });
  });

  it('counts the labels it adds against the 64 Vertex allows', () => {
    const many = Object.fromEntries(Array.from({ length: 63 }, (_, i) => [`k${i}`, 'v']));
    expect(() => resourceLabels(isbn, many)).toThrow(/at most 62 labels/);
  });
});
