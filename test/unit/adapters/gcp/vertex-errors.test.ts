import {
  fieldsNamedIn,
  GrpcStatus,
  translateVertexError,
  vertexCall,
  vertexRead,
} from '../../../../shared/adapters/gcp/vertex-errors';
import {
  BackendUnavailableError,
  ConflictError,
  NotFoundError,
  ValidationError,
} from '../../../../shared/errors';

/** An error as google-gax hands it over: a numeric code, the server's text in `details`. */
function gaxError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details });
}

describe('translateVertexError', () => {
  const cases: Array<[keyof typeof GrpcStatus, new (...args: never[]) => Error, boolean]> = [
    ['NOT_FOUND', NotFoundError, false],
    ['INVALID_ARGUMENT', ValidationError, false],
    ['FAILED_PRECONDITION', ConflictError, false],
    ['ALREADY_EXISTS', ConflictError, false],
    ['UNAVAILABLE', BackendUnavailableError, true],
    ['DEADLINE_EXCEEDED', BackendUnavailableError, true],
    ['RESOURCE_EXHAUSTED', BackendUnavailableError, true],
    ['INTERNAL', BackendUnavailableError, true],
    ['ABORTED', BackendUnavailableError, true],
    ['PERMISSION_DENIED', BackendUnavailableError, false],
    ['UNAUTHENTICATED', BackendUnavailableError, false],
    ['UNIMPLEMENTED', BackendUnavailableError, false],
  ];

  it.each(cases)('turns %s into %p (retryable: %p)', (name, type, retryable) => {
    const err = translateVertexError(
      gaxError(GrpcStatus[name], 'Endpoint x not found.'),
      'read endpoint of 978…',
    );
    expect(err).toBeInstanceOf(type);
    expect(err.retryable).toBe(retryable);
    expect(err.message).toBe(`Vertex AI: read endpoint of 978… failed (${name}): Endpoint x not found.`);
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('treats an error without a status (a dropped connection) as retryable', () => {
    const err = translateVertexError(new Error('socket hang up'), 'list models');
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect(err.retryable).toBe(true);
    expect((err as BackendUnavailableError).backend).toBe('vertex-ai');
  });

  it('passes our own errors through unchanged', () => {
    const own = new ConflictError('lease held');
    expect(translateVertexError(own, 'anything')).toBe(own);
  });

  it("keeps the instance fields an endpoint's INVALID_ARGUMENT names", () => {
    const err = translateVertexError(
      gaxError(
        3,
        "instances[1].steps: must be at most 52, the forecast's horizon (got 53); instances[4]: must be an object",
      ),
      'predict',
    );
    expect((err as ValidationError).fields).toEqual(['instances[1].steps', 'instances[4]']);
  });
});

describe('fieldsNamedIn', () => {
  it('finds instance paths only where a reason follows', () => {
    expect(fieldsNamedIn('instances[0].return_confidence_intervals: must be true or false')).toEqual([
      'instances[0].return_confidence_intervals',
    ]);
    expect(fieldsNamedIn('the instances[2] field was odd')).toEqual([]);
  });
});

describe('vertexCall and vertexRead', () => {
  it('vertexRead makes NOT_FOUND undefined and translates the rest', async () => {
    await expect(
      vertexRead('get model', async () => Promise.reject(gaxError(5, 'gone'))),
    ).resolves.toBeUndefined();
    await expect(vertexRead('get model', async () => Promise.reject(gaxError(14, 'down')))).rejects.toThrow(
      BackendUnavailableError,
    );
    await expect(vertexRead('get model', async () => 'found')).resolves.toBe('found');
  });

  it('vertexCall translates NOT_FOUND like every other status', async () => {
    await expect(vertexCall('get model', async () => Promise.reject(gaxError(5, 'gone')))).rejects.toThrow(
      NotFoundError,
    );
  });
});
