import { authorizeRollbackCall, sameSecret } from '../../../../shared/services/rollback/http-auth';

const token = 'a-local-rollback-token-1234';

describe('authorizeRollbackCall', () => {
  it('off Google Cloud: 401 without credentials or without a configured token, 403 for a wrong token', () => {
    expect(authorizeRollbackCall({ onGoogleCloud: false, authorization: undefined, token })).toEqual(
      expect.objectContaining({ ok: false, status: 401 }),
    );
    expect(authorizeRollbackCall({ onGoogleCloud: false, authorization: 'Basic abc', token })).toEqual(
      expect.objectContaining({ ok: false, status: 401 }),
    );
    expect(authorizeRollbackCall({ onGoogleCloud: false, authorization: `Bearer ${token}x`, token })).toEqual(
      expect.objectContaining({ ok: false, status: 403 }),
    );
    expect(
      authorizeRollbackCall({ onGoogleCloud: false, authorization: `Bearer ${token}`, token: undefined }),
    ).toEqual(
      expect.objectContaining({
        ok: false,
        status: 401,
        reason: expect.stringContaining('FG_ROLLBACK_TOKEN'),
      }),
    );
  });

  it('accepts the right bearer token (any case of "Bearer"), and leaves Google Cloud callers to IAM', () => {
    expect(authorizeRollbackCall({ onGoogleCloud: false, authorization: `bearer ${token}`, token })).toEqual({
      ok: true,
      via: 'bearer',
    });
    expect(
      authorizeRollbackCall({ onGoogleCloud: true, authorization: 'Bearer eyJ-identity-token', token }),
    ).toEqual({ ok: true, via: 'iam' });
  });

  it('compares secrets of any length without throwing', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abcd')).toBe(false);
    expect(sameSecret('', 'x')).toBe(false);
  });
});
