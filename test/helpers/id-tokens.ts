/**
 * Google-style identity tokens signed by a key pair made here, so the
 * rollback function's token check runs for real (signature, issuer,
 * audience, expiry) with no network: the verifier is handed `certs`
 * instead of Google's published certificates.
 */
import { createSign, generateKeyPairSync } from 'node:crypto';

export interface LocalIssuer {
  /** kid → public key PEM, the shape Google's certificate endpoint answers. */
  certs: Record<string, string>;
  /** A signed token; `claims` override the defaults (a valid token for `audience`, issued now). */
  sign(audience: string, claims?: Record<string, unknown>, kid?: string): string;
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

export function localIssuer(kid = 'test-key-1'): LocalIssuer {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    certs: { [kid]: pem },
    sign(audience, claims = {}, useKid = kid) {
      // Relative to the clock the verifier (google-auth-library) reads, so no fixed date can go stale.
      const now = Math.floor(Date.now() / 1000);
      const header = { alg: 'RS256', typ: 'JWT', kid: useKid };
      const payload = {
        iss: 'https://accounts.google.com',
        aud: audience,
        sub: '104857600000000000001',
        email: 'oncall@example.com',
        email_verified: true,
        iat: now - 60,
        exp: now + 3540,
        ...claims,
      };
      const signed = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
      const signature = createSign('RSA-SHA256').update(signed).sign(privateKey);
      return `${signed}.${b64url(signature)}`;
    },
  };
}
