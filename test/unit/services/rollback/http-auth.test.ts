import {
  authorizeRollbackCall,
  googleIdTokenVerifier,
  LOCAL_TOKEN_CALLER,
  rollbackAuthMode,
  sameSecret,
  type RollbackAuthMode,
} from '../../../../shared/services/rollback/http-auth';
import { localIssuer } from '../../../helpers/id-tokens';

const token = 'a-local-rollback-token-1234';
const bearer: RollbackAuthMode = { kind: 'bearer', token };
const AUDIENCE = 'https://europe-west2-fg-test.cloudfunctions.net/rollback-http';
const idToken: RollbackAuthMode = {
  kind: 'google-id-token',
  audiences: [AUDIENCE, 'https://rollback-http-1.run.app'],
};

describe('rollbackAuthMode', () => {
  it('is chosen by FG_ROLLBACK_AUDIENCE alone: nothing in the environment (K_SERVICE) turns a check off', () => {
    expect(rollbackAuthMode({ rollbackToken: token })).toEqual({ kind: 'bearer', token });
    expect(rollbackAuthMode({})).toEqual({ kind: 'bearer', token: undefined });
    expect(rollbackAuthMode({ rollbackAudiences: [AUDIENCE], rollbackToken: token })).toEqual({
      kind: 'google-id-token',
      audiences: [AUDIENCE],
    });
  });
});

describe('authorizeRollbackCall, bearer mode', () => {
  it('401 without credentials or without a configured token, 403 for a wrong token', async () => {
    const call = (authorization: string | undefined, mode: RollbackAuthMode = bearer) =>
      authorizeRollbackCall({ mode, authorization });
    expect(await call(undefined)).toEqual(expect.objectContaining({ ok: false, status: 401 }));
    expect(await call('Basic abc')).toEqual(expect.objectContaining({ ok: false, status: 401 }));
    expect(await call(`Bearer ${token}x`)).toEqual(expect.objectContaining({ ok: false, status: 403 }));
    expect(await call(`Bearer ${token}`, { kind: 'bearer' })).toEqual(
      expect.objectContaining({
        ok: false,
        status: 401,
        reason: expect.stringContaining('FG_ROLLBACK_TOKEN'),
      }),
    );
  });

  it('accepts the right bearer token (any case of "Bearer"), the caller being the token holder', async () => {
    expect(await authorizeRollbackCall({ mode: bearer, authorization: `bearer ${token}` })).toEqual({
      ok: true,
      via: 'bearer',
      caller: LOCAL_TOKEN_CALLER,
    });
  });

  it('compares secrets of any length without throwing', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abcd')).toBe(false);
    expect(sameSecret('', 'x')).toBe(false);
  });
});

describe('authorizeRollbackCall, Google identity tokens (a local key pair stands in for Google)', () => {
  const issuer = localIssuer();
  const verifier = googleIdTokenVerifier(async () => issuer.certs);
  const call = (authorization: string | undefined) =>
    authorizeRollbackCall({ mode: idToken, authorization, verifier });
  const now = () => Math.floor(Date.now() / 1000);

  it('accepts a token for any expected audience and names its verified email', async () => {
    expect(await call(`Bearer ${issuer.sign(AUDIENCE, { email: 'dana@example.com' })}`)).toEqual({
      ok: true,
      via: 'google-id-token',
      caller: 'dana@example.com',
    });
    expect(await call(`Bearer ${issuer.sign('https://rollback-http-1.run.app')}`)).toEqual(
      expect.objectContaining({ ok: true, caller: 'oncall@example.com' }),
    );
  });

  it('names the subject when the token has no verified email', async () => {
    const t = issuer.sign(AUDIENCE, { email: 'eve@example.com', email_verified: false, sub: '42' });
    expect(await call(`Bearer ${t}`)).toEqual(
      expect.objectContaining({ ok: true, caller: 'google-subject:42' }),
    );
  });

  it.each([
    ['no header', () => undefined, 'missing credentials'],
    ['the local bearer token', () => `Bearer ${token}`, 'not a well-formed identity token'],
    ['another audience', () => `Bearer ${issuer.sign('https://elsewhere.example.com')}`, 'another audience'],
    [
      'an expired token',
      () => `Bearer ${issuer.sign(AUDIENCE, { iat: now() - 7200, exp: now() - 3600 })}`,
      'expired',
    ],
    [
      'another issuer',
      () => `Bearer ${issuer.sign(AUDIENCE, { iss: 'https://evil.example.com' })}`,
      'not issued by Google',
    ],
    [
      'a key Google does not hold',
      () => `Bearer ${localIssuer('other-kid').sign(AUDIENCE)}`,
      'signature does not verify',
    ],
    [
      'a forged signature under a known kid',
      () => `Bearer ${localIssuer('test-key-1').sign(AUDIENCE)}`,
      'signature does not verify',
    ],
  ])('refuses %s with 401, never quoting the token', async (_name, header, reason) => {
    const authorization = header();
    const decision = await call(authorization);
    expect(decision).toEqual(
      expect.objectContaining({ ok: false, status: 401, reason: expect.stringContaining(reason) }),
    );
    const credential = authorization?.split(' ')[1];
    if (credential && !decision.ok) expect(decision.reason).not.toContain(credential);
  });
});
