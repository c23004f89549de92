import {
  EDGE_CASES,
  edgeCaseCheck,
  judgeEdgeCase,
  unknownIsbn,
} from '../../../../shared/domain/validation/edge-cases';
import { isValidIsbn13 } from '../../../../shared/domain/isbn';
import { NotFoundError, ValidationError } from '../../../../shared/errors';
import { aResponse } from './fixtures';

const steps0 = EDGE_CASES.find((c) => c.name === 'steps 0')!;
const unknown = EDGE_CASES.find((c) => c.name === 'unknown ISBN')!;

describe('edge cases', () => {
  it('covers steps 0, negative, above the maximum, missing, no instances and an unknown ISBN', () => {
    expect(EDGE_CASES.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'steps 0',
        'negative steps',
        'steps above 104',
        'steps missing',
        'no instances',
        'unknown ISBN',
      ]),
    );
  });

  it('passes only a ValidationError that names the field', () => {
    const clean = new ValidationError('instances[0].steps: must be at least 1 (got 0)', [
      'instances[0].steps',
    ]);
    expect(judgeEdgeCase({ edgeCase: steps0, error: clean }).passed).toBe(true);
    const vague = judgeEdgeCase({ edgeCase: steps0, error: new ValidationError('bad request', []) });
    expect(vague).toEqual({
      passed: false,
      detail: expect.stringContaining('does not name instances[0].steps'),
    });
  });

  it('fails an answer, a crash, or the wrong error class', () => {
    expect(judgeEdgeCase({ edgeCase: steps0, response: aResponse('4', 1) }).detail).toContain(
      'answered with a forecast',
    );
    expect(judgeEdgeCase({ edgeCase: steps0, error: new TypeError('x is undefined') }).detail).toContain(
      'got TypeError',
    );
    expect(judgeEdgeCase({ edgeCase: unknown, error: new ValidationError('no', ['isbn']) }).passed).toBe(
      false,
    );
    expect(judgeEdgeCase({ edgeCase: unknown, error: new NotFoundError('no endpoint') }).passed).toBe(true);
  });

  it('rolls the cases into one check that lists the failures', () => {
    const c = edgeCaseCheck([
      {
        edgeCase: steps0,
        error: new ValidationError('instances[0].steps: must be at least 1', ['instances[0].steps']),
      },
      { edgeCase: unknown, response: aResponse('4', 4) },
    ]);
    expect(c).toMatchObject({ name: 'edge-cases', passed: false, figure: 1 });
    expect(c.detail).toContain('unknown ISBN: answered with a forecast');
  });

  it('picks a valid ISBN-13 that no model uses', () => {
    const first = unknownIsbn(new Set());
    expect(isValidIsbn13(first)).toBe(true);
    const second = unknownIsbn(new Set([first]));
    expect(second).not.toBe(first);
    expect(isValidIsbn13(second)).toBe(true);
  });
});
